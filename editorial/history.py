"""History of every issue with django-reversion.

One revision holds a briefing with its deep dives (and their takeaways), read-more items and
its keyword links, so restoring a revision brings back the whole issue as it was. Every write
path opens `revision()` and ends with `record()`: the whole issue as it now is, who did it, and
what happened, stored as a small JSON comment so each reader sees it in their own admin
language. Keywords are shared between issues: a revision keeps which keywords an issue had,
but restoring never deletes or renames a keyword another issue uses.

Restoring brings back content, never publication: status and publish_at stay as they are
(they change only through editorial.workflow).

What a revision holds, how it is read back (Snapshot), shown, compared (editorial.compare),
merged (editorial.merging) and restored all follow the map of an issue (briefing.content): a part
whose model points to its parent with a ForeignKey (deep dives, their takeaways, read-more items)
belongs to the issue and is kept in every revision; a part linked many-to-many (keywords) is
shared with other issues, so a revision keeps the issue's links to it. A field or a part added
to the map is recorded, shown, compared, merged and restored with no edit here.
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
from briefing.models import Briefing
from briefing.serialization import briefing_to_dict

# Never brought back by a restore: publication belongs to the workflow, the date is the issue's
# identity, and the timestamps are the database's own.
NOT_RESTORED = {"id", "date", "status", "publish_at", "created_at", "updated_at"}


def _relation(parent: content.Part, part: content.Part):
    """The field of the parent's model that leads to the part's items (its `key`)."""
    return parent.model._meta.get_field(part.key)


def _owned_children(parent: content.Part) -> list[content.Part]:
    return [part for part in parent.children if _relation(parent, part).one_to_many]


def owned_parts(parent: content.Part = content.ISSUE):
    """(parent, part) for every part whose items belong to their parent alone (a ForeignKey to
    it): kept in every revision and restored with the issue. Parents come before children."""
    for part in _owned_children(parent):
        yield parent, part
        yield from owned_parts(part)


def shared_parts() -> list[content.Part]:
    """The parts an issue links to many-to-many (keywords): shared with other issues, so a
    revision keeps the issue's links to them, never the items themselves."""
    return [part for part in content.ISSUE.children if _relation(content.ISSUE, part).many_to_many]


def _parent_field(parent: content.Part, part: content.Part):
    """The part's ForeignKey to its parent ("briefing", "deep_dive")."""
    return _relation(parent, part).field


def register_models() -> None:
    """Idempotent: the admin (autodiscovered first) and EditorialConfig.ready both call it.

    Every model of the map is registered; saving an issue follows the parts it owns, so one
    revision holds the whole issue."""
    owned = {}
    for parent, part in owned_parts():
        owned.setdefault(parent.model, []).append(part.key)
    for part in content.parts():
        if not reversion.is_registered(part.model):
            reversion.register(part.model, follow=tuple(owned.get(part.model, ())))


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
    """The issue as one revision holds it: unsaved model instances of the issue and of every
    part it owns, and its links to shared parts ({"keywords": [ids]})."""

    def __init__(self, revision: Revision, briefing_pk):
        self.revision = revision
        self.briefing = None
        self.links = {part.key: [] for part in shared_parts()}
        # Each owned part's items of this issue, parents' order first ({DEEP_DIVE: [...]}).
        self.items = {part: [] for _parent, part in owned_parts()}
        self._children = {}  # (part, parent's pk) -> its items of that part, in order
        stored = {part.model: [] for part in content.parts()}
        versions = revision.version_set.filter(
            content_type__in=[ContentType.objects.get_for_model(model) for model in stored]
        )
        for version in versions:
            deserialized = version._object_version
            obj = deserialized.object
            if isinstance(obj, Briefing):
                if str(obj.pk) == str(briefing_pk):
                    self.briefing = obj
                    for key in self.links:
                        self.links[key] = [int(pk) for pk in deserialized.m2m_data.get(key, [])]
            elif type(obj) in stored:
                stored[type(obj)].append(obj)
        self._gather(content.ISSUE, briefing_pk, stored)

    def _gather(self, parent: content.Part, parent_pk, stored) -> None:
        for part in _owned_children(parent):
            link = _parent_field(parent, part).attname
            found = sorted(
                (obj for obj in stored[part.model] if str(getattr(obj, link)) == str(parent_pk)),
                key=lambda obj, part=part: getattr(obj, part.identity),
            )
            self._children[(part, str(parent_pk))] = found
            self.items[part].extend(found)
            for obj in found:
                self._gather(part, obj.pk, stored)

    def children(self, parent, part: content.Part) -> list:
        """The parent's items of this part as the revision holds them (for content.to_dict)."""
        if part.key in self.links:
            return list(part.model.objects.filter(pk__in=self.links[part.key]))
        return self._children.get((part, str(parent.pk)), [])

    def find(self, model, pk):
        """The part (or the issue) with that primary key as this revision holds it."""
        part = content.PART_OF_MODEL.get(model)
        objects = [self.briefing] if part is content.ISSUE else self.items.get(part, [])
        return next((obj for obj in objects if obj is not None and obj.pk == pk), None)

    def to_dict(self) -> dict:
        """The snapshot in the JSON shape of briefing.serialization.briefing_to_dict."""
        return briefing_to_dict(self.briefing, items=self.children)


def _line(value) -> str:
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v)
    return str(value)


def content_values(data: dict):
    """(path, {language: text}) for every field of an issue in the JSON shape, in reading
    order; an untranslated field (a link, sources) has one value under ""."""
    for node in content.walk(data):
        for _name, path, values in node_values(node):
            yield path, values


def node_values(node: content.Node):
    """(field name, path, {language: text}) for every field of one item of the walk (a model
    instance or a dict of the JSON shape), as content_values gives them."""
    for name in node.part.translated:
        yield name, node.field_path(name), content.translations(node.item, name)
    for name in node.part.untranslated:
        item = node.item
        value = item.get(name) if isinstance(item, dict) else getattr(item, name)
        text = "\n".join(_line(v) for v in value) if isinstance(value, list) else str(value or "")
        yield name, node.field_path(name), {"": text}


def _content_fields(model) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if field.attname not in NOT_RESTORED and field.name not in NOT_RESTORED
    ]


def make_room(queryset, above: int = 0, field: str = "position") -> None:
    """First phase of renumbering: move the rows' numbers out of the way of any new number.

    Numbers are unique per parent; saving a permutation row by row would collide half-way.
    Every number is shifted above the largest in use, then each row is saved with its final
    number. Works the same on SQLite and PostgreSQL, inside the caller's transaction.
    """
    top = max(queryset.model.objects.aggregate(top=Max(field))["top"] or 0, above)
    queryset.update(**{field: F(field) + top + 1})


def _issue_lookup(parent: content.Part, part: content.Part) -> str:
    """The lookup from a part's model to its issue: "briefing", "deep_dive__briefing"."""
    name = _parent_field(parent, part).name
    if parent is content.ISSUE:
        return name
    grandparent = next(owner for owner, child in owned_parts() if child is parent)
    return f"{name}__{_issue_lookup(grandparent, parent)}"


def apply_snapshot(briefing: Briefing, snapshot: Snapshot) -> None:
    """Make the issue's content what the snapshot holds (content only; see NOT_RESTORED)."""
    for name in _content_fields(Briefing):
        setattr(briefing, name, getattr(snapshot.briefing, name))
    briefing.save()
    for part in shared_parts():
        getattr(briefing, part.key).set(
            part.model.objects.filter(pk__in=snapshot.links.get(part.key, []))
        )

    owned = list(owned_parts())
    current = {
        part: part.model.objects.filter(**{_issue_lookup(parent, part): briefing})
        for parent, part in owned
    }
    for _parent, part in reversed(owned):  # children first
        current[part].exclude(pk__in=[obj.pk for obj in snapshot.items[part]]).delete()
    # A part of this issue that some other save moved elsewhere is not taken back from there.
    for _parent, part in owned:
        above = max((getattr(obj, part.identity) for obj in snapshot.items[part]), default=0)
        make_room(current[part], above, part.identity)
    for parent, part in owned:  # parents first
        for obj in snapshot.items[part]:
            if parent is content.ISSUE:
                setattr(obj, _parent_field(parent, part).attname, briefing.pk)
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
