"""Saving an issue given in the shared JSON shape (from the text importer, an archive or a form).

Everything happens in one transaction: bad data raises ImportRefused and leaves the
database exactly as it was.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from briefing.content import DEEP_DIVE, ISSUE, LANGUAGE_CODES, READ_MORE, TAKEAWAY, set_values
from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from editorial import history, workflow


class ImportRefused(Exception):
    """The data cannot be saved; the message says why in words an editor understands."""


class BriefingExists(ImportRefused):
    """There is already a briefing for that date and replacing it was not asked for."""


NUL_MESSAGE = gettext_lazy("It contains a NUL character (U+0000), which cannot be stored.")


def _prohibit_null_characters(obj) -> None:
    """PostgreSQL cannot store NUL in text (SQLite can, and its backup would not restore on
    PostgreSQL); model validation does not check for it, only form fields do."""
    errors = {}
    for field in obj._meta.concrete_fields:
        if hasattr(obj, f"{field.name}_{LANGUAGE_CODES[0]}"):
            continue  # a translated field's own column: its language columns are named instead
        value = field.value_from_object(obj)
        if isinstance(value, str):
            try:
                ProhibitNullCharactersValidator(NUL_MESSAGE)(value)
            except ValidationError as exc:
                errors[field.name] = exc.messages
    if errors:
        raise ValidationError(errors)


def _clean(obj, label: str, exclude=()) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        _prohibit_null_characters(obj)
    except ValidationError as exc:
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
        raise ImportRefused(f"{label}: {problems}") from None


def parse_date(value) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImportRefused(
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}
        ) from None


def save_briefing_data(
    data: dict,
    *,
    replace: bool = False,
    publish: bool = False,
    publish_at: datetime.datetime | None = None,
    user=None,
    actor: str = "",
) -> Briefing:
    """Create (or with replace=True, overwrite in place) the briefing described by `data`.

    One transaction and one history revision, recorded as done by `user` (or `actor`, such as
    a command, when no user is signed in). Replacing brings new content, never a new
    publication state: a live issue stays live, a draft stays a draft.

    publish=True (the command's --publish) publishes it through the workflow, stamped now, or
    for an issue of a past date its own date at the edition hour
    (`Briefing.publication_moment`); `publish_at` publishes (or, in the future, schedules) it
    at that moment.
    """
    try:
        with history.revision():
            existed = replace and Briefing.objects.filter(date=parse_date(data["date"])).exists()
            briefing = _save(data, replace=replace)
            action, values = ("replaced" if existed else "imported"), {}
            if (publish or publish_at) and workflow.state_of(briefing) != workflow.State.LIVE:
                workflow.publish(briefing, at=publish_at or briefing.publication_moment())
                action, values = workflow.publication_action(briefing)
            history.record(briefing, user, action, actor=actor, **values)
            return briefing
    except (KeyError, TypeError, AttributeError) as exc:
        raise ImportRefused(_("Malformed briefing data: %(error)r") % {"error": exc}) from None


def _save(data: dict, *, replace: bool) -> Briefing:
    date = parse_date(data["date"])
    briefing = Briefing.objects.select_for_update().filter(date=date).first()
    if briefing is not None and not replace:
        raise BriefingExists(
            _("A briefing for %(date)s already exists.") % {"date": date.isoformat()}
        )
    if briefing is None:
        # A new issue takes the state its data names (an archive restores published issues
        # as they were; the text format always says draft).
        briefing = Briefing(date=date)
        briefing.status = data.get("status") or Briefing.Status.DRAFT
        if data.get("publish_at"):
            briefing.publish_at = datetime.datetime.fromisoformat(data["publish_at"])
        if briefing.status == Briefing.Status.PUBLISHED and briefing.publish_at is None:
            briefing.publish_at = briefing.publication_moment()

    set_values(briefing, ISSUE, data)
    _clean(briefing, date.isoformat())
    briefing.save()

    # Replacing updates the parts in place, matched by number, and deletes the ones no longer
    # there: their rows keep their history and their translation records, so a translation
    # whose source the new text changed shows as outdated.
    deep_dives = {d.position: d for d in briefing.deep_dives.all()}
    read_more = {r.position: r for r in briefing.read_more.all()}
    takeaways = {}
    for takeaway in Takeaway.objects.filter(deep_dive__briefing=briefing):
        takeaways.setdefault(takeaway.deep_dive_id, {})[takeaway.position] = takeaway

    seen_positions = set()
    kept_deep_dives, kept_takeaways = set(), set()
    for item in data["deep_dives"]:
        position = item["position"]
        deep_dive = deep_dives.get(position) or DeepDive(briefing=briefing, position=position)
        set_values(deep_dive, DEEP_DIVE, item)
        label = DEEP_DIVE.section(deep_dive.position)
        _check_unique(seen_positions, deep_dive.position, label)
        _clean(deep_dive, label, exclude=["briefing"])
        deep_dive.save()
        kept_deep_dives.add(deep_dive.pk)
        existing_takeaways = takeaways.get(deep_dive.pk, {})
        takeaway_positions = set()
        for takeaway_data in item["takeaways"]:
            takeaway = existing_takeaways.get(takeaway_data["position"]) or Takeaway(
                deep_dive=deep_dive, position=takeaway_data["position"]
            )
            set_values(takeaway, TAKEAWAY, takeaway_data)
            takeaway_label = f"{label} · {TAKEAWAY.section(takeaway.position)}"
            _check_unique(takeaway_positions, takeaway.position, takeaway_label)
            _clean(takeaway, takeaway_label, exclude=["deep_dive"])
            takeaway.save()
            kept_takeaways.add(takeaway.pk)
    # QuerySet.delete() still sends post_delete per object, which drops their translation records.
    Takeaway.objects.filter(deep_dive__briefing=briefing).exclude(pk__in=kept_takeaways).delete()
    briefing.deep_dives.exclude(pk__in=kept_deep_dives).delete()

    kept_read_more = set()
    for item in data["read_more"]:
        position = item["position"]
        read_more_item = read_more.get(position) or ReadMore(briefing=briefing, position=position)
        set_values(read_more_item, READ_MORE, item)
        label = READ_MORE.section(read_more_item.position)
        _check_unique(seen_positions, read_more_item.position, label)
        _clean(read_more_item, label, exclude=["briefing"])
        read_more_item.save()
        kept_read_more.add(read_more_item.pk)
    briefing.read_more.exclude(pk__in=kept_read_more).delete()

    briefing.keywords.set([_keyword(item) for item in data["keywords"]])
    return briefing


def _check_unique(seen: set, position: int, label: str) -> None:
    if position in seen:
        raise ImportRefused(_("%(label)s: the number is used twice.") % {"label": label})
    seen.add(position)


def _keyword(item: dict) -> Keyword:
    names = item["name"]
    slug = item.get("slug") or slugify(names.get("en") or names.get("ja") or "", allow_unicode=True)
    if not slug:
        raise ImportRefused(_("A keyword has no name."))
    keyword = Keyword.objects.filter(slug=slug).first() or Keyword(slug=slug)
    changed = keyword.pk is None
    # An import never erases a keyword name that another issue already translated.
    for code in LANGUAGE_CODES:
        if names.get(code) and getattr(keyword, f"name_{code}") != names[code]:
            setattr(keyword, f"name_{code}", names[code])
            changed = True
    if changed:
        _clean(keyword, _("keyword “%(slug)s”") % {"slug": slug})
        keyword.save()
    return keyword
