"""Who may change what. The admin asks these, so a forged POST meets the same rules as the form."""

# The fields of an issue that are not text to translate: only those who may create
# briefings may change them. Translators have change/view only and so write text alone.
STRUCTURE_FIELDS = {
    "briefing": ("date", "keywords"),
    "deepdive": ("briefing", "position", "sources"),
    "takeaway": ("deep_dive", "position"),
    "readmore": ("position", "url"),
    "keyword": ("slug",),
}
WORKFLOW_FIELDS = ("status", "publish_at")

# The model permissions each action needs; editorial.roles grants them to the newsroom's groups.
VIEW_PERMISSION = "briefing.view_briefing"  # drafts' previews
# Translators and Editors both hold it (editorial.roles); so does a superuser.
TRANSLATE_PERMISSION = "briefing.change_briefing"
CREATE_PERMISSION = "briefing.add_briefing"  # new issues, imports, an issue's structure
PUBLISH_PERMISSION = "briefing.publish_briefing"


def can_edit_structure(user) -> bool:
    return user.has_perm(CREATE_PERMISSION)


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def can_preview(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION)


def can_translate(user) -> bool:
    return user.is_staff and user.has_perm(TRANSLATE_PERMISSION)


def locked_fields(user, model_name: str) -> tuple[str, ...]:
    """Fields of `model_name` that `user` may see but not change."""
    locked = ()
    if not can_edit_structure(user):
        locked += STRUCTURE_FIELDS.get(model_name, ())
    if model_name == "briefing" and not can_publish(user):
        locked += WORKFLOW_FIELDS
    return locked
