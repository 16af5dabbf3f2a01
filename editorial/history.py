"""History of every issue with django-reversion.

One revision holds a briefing with its deep dives (and their takeaways) and read-more items,
so restoring a revision brings back the whole issue as it was. Keywords are shared between
issues: the revision keeps which keywords an issue had, but restoring never deletes or renames
a keyword another issue uses.
"""

import datetime

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
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


def last_version(briefing: Briefing, since: datetime.datetime | None = None) -> Version | None:
    """The newest version of the issue or any of its parts, if it was saved after `since`."""
    parts = Q(content_type=ContentType.objects.get_for_model(Briefing), object_id=str(briefing.pk))
    for model, ids in (
        (DeepDive, DeepDive.objects.filter(briefing=briefing)),
        (Takeaway, Takeaway.objects.filter(deep_dive__briefing=briefing)),
        (ReadMore, ReadMore.objects.filter(briefing=briefing)),
    ):
        object_ids = [str(pk) for pk in ids.values_list("pk", flat=True)]
        parts |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=object_ids)
    version = (
        Version.objects.filter(parts)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
        .first()
    )
    if version is not None and since is not None and version.revision.date_created < since:
        return None  # saved by a path that keeps no history: who is unknown
    return version


def opened_at(token: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(token) if token else None
    except ValueError:
        return None


def edit_token(briefing: Briefing) -> str:
    """What an edit form remembers of the issue it opened, to notice a save in between."""
    return briefing.updated_at.isoformat() if briefing.updated_at else ""
