"""History of every issue with django-reversion.

One revision holds a briefing with its deep dives (and their takeaways) and read-more items,
so restoring a revision brings back the whole issue as it was. Keywords are shared between
issues: the revision keeps which keywords an issue had, but restoring never deletes or renames
a keyword another issue uses.
"""

import reversion
from reversion.models import Version

from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway

FOLLOW = {
    Briefing: ("deep_dives", "read_more"),
    DeepDive: ("takeaways",),
    Takeaway: (),
    ReadMore: (),
    Keyword: (),
}


def register_models() -> None:
    """Idempotent: the admin (autodiscovered first) and EditorialConfig.ready both call it."""
    for model, follow in FOLLOW.items():
        if not reversion.is_registered(model):
            reversion.register(model, follow=follow)


def add_issue_to_revision(briefing: Briefing) -> None:
    """Record the whole issue in the revision being made, whatever part of it was edited."""
    if reversion.is_active():
        reversion.add_to_revision(briefing)


def last_version(briefing: Briefing) -> Version | None:
    return (
        Version.objects.get_for_object(briefing)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
        .first()
    )


def edit_token(briefing: Briefing) -> str:
    """What an edit form remembers of the issue it opened, to notice a save in between."""
    return briefing.updated_at.isoformat() if briefing.updated_at else ""
