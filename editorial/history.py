"""History of every issue with django-reversion.

One revision holds a briefing with its deep dives (and their takeaways), read-more items and
its keyword links, so restoring a revision brings back the whole issue as it was. Every write
path opens `revision()` and ends with `record()`: the whole issue as it now is, who did it, and
what happened, stored as a small JSON comment so each reader sees it in their own admin
language. Keywords are shared between issues: a revision keeps which keywords an issue had,
but restoring never deletes or renames a keyword another issue uses.

Restoring brings back content, never publication: status and publish_at stay as they are
(they change only through editorial.workflow).
"""

import contextlib
import datetime
import json

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language_info, gettext, ngettext
from reversion.models import Revision, Version

from briefing import content
from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway

FOLLOW = {
    Briefing: ("deep_dives", "read_more"),
    DeepDive: ("takeaways",),
    Takeaway: (),
    ReadMore: (),
    Keyword: (),
}
# Never brought back by a restore: publication belongs to the workflow, the date is the issue's
# identity, and the timestamps are the database's own.
NOT_RESTORED = {"id", "date", "status", "publish_at", "created_at", "updated_at"}


def register_models() -> None:
    """Idempotent: the admin (autodiscovered first) and EditorialConfig.ready both call it."""
    for model, follow in FOLLOW.items():
        if not reversion.is_registered(model):
            reversion.register(model, follow=follow)


# What happened, in words. The comment stores the action and its values; the words are chosen
# when the history is read, in the reader's language.
def _user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _language(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def format_moment(moment: datetime.datetime) -> str:
    """A moment in the admin's time zone, named: "2026-06-02 07:00 JST"."""
    moment = timezone.localtime(moment)
    return f"{date_format(moment, 'Y-m-d H:i')} {moment.tzname()}"


def _time(value: str, with_date: bool = False) -> str:
    moment = datetime.datetime.fromisoformat(value)
    if with_date:
        return format_moment(moment)
    return time_format(timezone.localtime(moment), "H:i")


def describe(comment: str) -> str:
    """A revision's comment in the active language ("Published by Erika")."""
    try:
        data = json.loads(comment)
    except ValueError:
        return comment  # written before comments were structured
    if not isinstance(data, dict) or "action" not in data:
        return comment
    action = data["action"]
    user = data.get("user") or gettext("someone")
    if action == "translated":
        count = data.get("count", 0)
        text = ngettext(
            "%(count)d field translated into %(language)s by %(user)s",
            "%(count)d fields translated into %(language)s by %(user)s",
            count,
        ) % {"count": count, "language": _language(data.get("language", "")), "user": user}
        if data.get("source") == "po":
            text += " " + gettext("(PO file)")
        return text
    if action == "restored":
        return gettext("Restored the version of %(time)s by %(user)s") % {
            "time": _time(data["time"], with_date=data.get("other_day", False)),
            "user": user,
        }
    if action == "scheduled":
        return gettext("Scheduled for %(time)s by %(user)s") % {
            "time": _time(data["time"], with_date=True),
            "user": user,
        }
    if action == "returned":
        text = gettext("Returned to draft by %(user)s") % {"user": user}
        return f"{text}: {data['note']}" if data.get("note") else text
    templates = {
        "created": gettext("Created by %(user)s"),
        "edited": gettext("Edited by %(user)s"),
        "imported": gettext("Imported from text by %(user)s"),
        "replaced": gettext("Replaced from text by %(user)s"),
        "submitted": gettext("Sent to review by %(user)s"),
        "published": gettext("Published by %(user)s"),
        "unpublished": gettext("Unpublished by %(user)s"),
        "recovered": gettext("Recovered by %(user)s"),
        "started": gettext("Started from the previous issue by %(user)s"),
    }
    return templates.get(action, action) % {"user": user}


@contextlib.contextmanager
def revision():
    """One transaction and one revision; end it with `record()`."""
    # The revision needs no savepoint of its own inside this transaction.
    with transaction.atomic(), reversion.create_revision(atomic=False):
        yield


def record(briefing: Briefing, user, action: str, actor: str = "", **values) -> None:
    """Put the whole issue, as it now is, into the open revision, with who did what.

    Called last, after every save: each part is serialised again here, so the revision holds
    what the database holds at the end of the write.
    """
    if user is not None and user.is_authenticated:
        reversion.set_user(user)
    who = _user_name(user) or actor
    reversion.set_comment(json.dumps({"action": action, "user": who, **values}))
    # Its parts prefetched: following them to serialise the whole issue makes no more queries.
    reversion.add_to_revision(Briefing.objects.with_contents().get(pk=briefing.pk))


def issue_versions(briefing_pk):
    """The issue's versions, newest first: one per revision, since every revision holds it."""
    return (
        Version.objects.get_for_object_reference(Briefing, briefing_pk)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def last_version(briefing: Briefing, since: datetime.datetime | None = None) -> Version | None:
    """The newest version of the issue, if it was saved after `since`."""
    version = issue_versions(briefing.pk).first()
    if version is not None and since is not None and version.revision.date_created < since:
        return None  # saved by a path that keeps no history: who is unknown
    return version


def auto_now_fields(obj) -> list[str]:
    """The fields save(update_fields=...) must name for auto_now to move on."""
    return [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]


# The content of a revision.
class Snapshot:
    """The issue as one revision holds it: unsaved model instances, keyword ids."""

    def __init__(self, revision: Revision, briefing_pk):
        self.revision = revision
        self.briefing = None
        self.keyword_ids = []
        self.deep_dives, self.takeaways, self.read_more = [], [], []
        versions = revision.version_set.filter(
            content_type__in=[ContentType.objects.get_for_model(m) for m in FOLLOW]
        )
        for version in versions:
            model = version._model
            deserialized = version._object_version
            obj = deserialized.object
            if model is Briefing and str(obj.pk) == str(briefing_pk):
                self.briefing = obj
                self.keyword_ids = [int(pk) for pk in deserialized.m2m_data.get("keywords", [])]
            elif model is DeepDive:
                self.deep_dives.append(obj)
            elif model is Takeaway:
                self.takeaways.append(obj)
            elif model is ReadMore:
                self.read_more.append(obj)
        self.deep_dives = sorted(
            (d for d in self.deep_dives if str(d.briefing_id) == str(briefing_pk)),
            key=lambda d: d.position,
        )
        ids = {d.pk for d in self.deep_dives}
        self.takeaways = sorted(
            (t for t in self.takeaways if t.deep_dive_id in ids),
            key=lambda t: (t.deep_dive_id, t.position),
        )
        self.read_more = sorted(
            (r for r in self.read_more if str(r.briefing_id) == str(briefing_pk)),
            key=lambda r: r.position,
        )

    def find(self, model, pk):
        """The part (or the issue) with that primary key as this revision holds it."""
        objects = {
            Briefing: [self.briefing],
            DeepDive: self.deep_dives,
            Takeaway: self.takeaways,
            ReadMore: self.read_more,
        }.get(model, [])
        return next((obj for obj in objects if obj is not None and obj.pk == pk), None)

    def to_dict(self) -> dict:
        """The snapshot in the JSON shape of briefing.serialization.briefing_to_dict."""
        items = {
            DeepDive: self.deep_dives,
            Takeaway: self.takeaways,
            ReadMore: self.read_more,
            Keyword: list(Keyword.objects.filter(pk__in=self.keyword_ids)),
        }

        def belongs(child, parent) -> bool:
            if isinstance(child, Takeaway):
                return child.deep_dive_id == parent.pk
            return not isinstance(child, DeepDive | ReadMore) or child.briefing_id == parent.pk

        def shape(obj, part) -> dict:
            data = {part.identity: getattr(obj, part.identity)} if part.identity else {}
            for name in part.translated:
                data[name] = content.translations(obj, name)
            for name in part.untranslated:
                data[name] = getattr(obj, name)
            for child in part.children:
                data[child.key] = [
                    shape(item, child) for item in items[child.model] if belongs(item, obj)
                ]
            return data

        return {
            "date": self.briefing.date.isoformat(),
            "status": self.briefing.status,
            **shape(self.briefing, content.ISSUE),
        }


def _line(value) -> str:
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v)
    return str(value)


def content_values(data: dict):
    """(path, {language: text}) for every field of an issue in the JSON shape, in reading
    order; an untranslated field (a link, sources) has one value under ""."""
    for node in content.walk(data):
        for name in node.part.translated:
            yield node.field_path(name), content.translations(node.item, name)
        for name in node.part.untranslated:
            value = node.item.get(name)
            text = (
                "\n".join(_line(v) for v in value) if isinstance(value, list) else str(value or "")
            )
            yield node.field_path(name), {"": text}


def _content_fields(model) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if field.attname not in NOT_RESTORED and field.name not in NOT_RESTORED
    ]


def make_room(queryset, above: int = 0) -> None:
    """First phase of renumbering: move the rows' numbers out of the way of any new number.

    Numbers are unique per parent; saving a permutation row by row would collide half-way.
    Every number is shifted above the largest in use, then each row is saved with its final
    number. Works the same on SQLite and PostgreSQL, inside the caller's transaction.
    """
    top = max(queryset.model.objects.aggregate(top=Max("position"))["top"] or 0, above)
    queryset.update(position=F("position") + top + 1)


def apply_snapshot(briefing: Briefing, snapshot: Snapshot) -> None:
    """Make the issue's content what the snapshot holds (content only; see NOT_RESTORED)."""
    for name in _content_fields(Briefing):
        setattr(briefing, name, getattr(snapshot.briefing, name))
    briefing.save()
    briefing.keywords.set(Keyword.objects.filter(pk__in=snapshot.keyword_ids))

    wanted_deep_dives = {d.pk for d in snapshot.deep_dives}
    wanted_takeaways = {t.pk for t in snapshot.takeaways}
    wanted_read_more = {r.pk for r in snapshot.read_more}
    Takeaway.objects.filter(deep_dive__briefing=briefing).exclude(pk__in=wanted_takeaways).delete()
    briefing.deep_dives.exclude(pk__in=wanted_deep_dives).delete()
    briefing.read_more.exclude(pk__in=wanted_read_more).delete()
    # A part of this issue that some other save moved elsewhere is not taken back from there.
    above = max((p.position for p in (*snapshot.deep_dives, *snapshot.read_more)), default=0)
    make_room(briefing.deep_dives.all(), above)
    make_room(briefing.read_more.all(), above)
    above = max((t.position for t in snapshot.takeaways), default=0)
    make_room(Takeaway.objects.filter(deep_dive__briefing=briefing), above)
    for obj in (*snapshot.deep_dives, *snapshot.read_more, *snapshot.takeaways):
        if isinstance(obj, DeepDive | ReadMore):
            obj.briefing_id = briefing.pk
        obj.save()


def restore(briefing: Briefing, version: Version, user) -> Briefing:
    """Bring back the content of `version` as a new revision; publication stays as it is."""
    snapshot = Snapshot(version.revision, briefing.pk)
    when = version.revision.date_created
    with revision():
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        apply_snapshot(briefing, snapshot)
        record(
            briefing,
            user,
            "restored",
            time=when.isoformat(),
            other_day=timezone.localdate(when) != timezone.localdate(),
        )
    return briefing


def recover(version: Version, user) -> Briefing:
    """Bring back a deleted issue with its parts, as a draft: recovering never publishes."""
    snapshot = Snapshot(version.revision, version.object_id)
    with revision():
        briefing = snapshot.briefing
        briefing.status = Briefing.Status.DRAFT
        briefing.publish_at = None
        briefing.save(force_insert=True)
        apply_snapshot(briefing, snapshot)
        record(briefing, user, "recovered")
    return briefing


def deleted_versions():
    """The last version of each deleted issue, newest first."""
    return Version.objects.get_deleted(Briefing).select_related("revision__user")


# The edit token: what an edit form remembers of the issue it opened.
def opened_at(token: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(token) if token else None
    except ValueError:
        return None


def edit_token(briefing: Briefing) -> str:
    """What an edit form remembers of the issue it opened, to notice a save in between."""
    return briefing.updated_at.isoformat() if briefing.updated_at else ""
