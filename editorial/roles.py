"""The newsroom's roles, as Django groups with model permissions."""

from django.utils.translation import gettext_lazy as _

EDITORS = "Editors"
TRANSLATORS = "Translators"

CONTENT_MODELS = ["briefing", "deepdive", "takeaway", "readmore", "keyword"]

# Translators need "change" to open the admin forms; which fields they may write is
# enforced by editorial.permissions, not by these model permissions.
ROLE_PERMISSIONS = {
    EDITORS: [
        f"briefing.{action}_{model}"
        for model in CONTENT_MODELS
        for action in ("add", "change", "delete", "view")
    ]
    + ["briefing.publish_briefing"]
    # The email edition: subscribers, each issue's send state and preview.
    + ["newsletter.view_subscriber", "newsletter.view_edition"],
    TRANSLATORS: [
        f"briefing.{action}_{model}" for model in CONTENT_MODELS for action in ("change", "view")
    ],
}

# The groups' names are data (the migration made them, permissions name them); the admin shows
# them in its own language.
ROLE_LABELS = {EDITORS: _("Editors"), TRANSLATORS: _("Translators")}


def role_label(group_name: str) -> str:
    """A group's name in the admin's language; a group an administrator made keeps its own."""
    return str(ROLE_LABELS.get(group_name, group_name))
