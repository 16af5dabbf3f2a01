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

from briefing import receivers as briefing_receivers
from briefing.content import (
    DEEP_DIVE,
    ISSUE,
    LANGUAGE_CODES,
    READ_MORE,
    TAKEAWAY,
    LimitExceeded,
    check_limits,
    set_values,
)
from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from editorial import history, workflow
from editorial import keywords as keyword_names
from editorial.receivers import rows_written


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

    Data over an issue's limits (briefing.content) is refused before anything is written,
    whichever way it came: the text format's parser refuses it earlier, while reading.
    """
    try:
        check_limits(data)
    except LimitExceeded as exc:
        raise ImportRefused(str(exc)) from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise ImportRefused(_("Malformed briefing data: %(error)r") % {"error": exc}) from None
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
    briefing_existed = briefing is not None
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
    # whose source the new text changed shows as outdated. New parts are inserted in bulk,
    # which sends no signals: their effects are asked for below (rows_written), once.
    if briefing_existed:
        deep_dives = {d.position: d for d in briefing.deep_dives.all()}
        read_more = {r.position: r for r in briefing.read_more.all()}
        takeaways = {}
        for takeaway in Takeaway.objects.filter(deep_dive__briefing=briefing):
            takeaways.setdefault(takeaway.deep_dive_id, {})[takeaway.position] = takeaway
    else:
        deep_dives, read_more, takeaways = {}, {}, {}

    seen_positions = set()
    dives = []
    for item in data["deep_dives"]:
        position = item["position"]
        deep_dive = deep_dives.get(position) or DeepDive(briefing=briefing, position=position)
        set_values(deep_dive, DEEP_DIVE, item)
        label = DEEP_DIVE.section(deep_dive.position)
        _check_unique(seen_positions, deep_dive.position, label)
        _clean(deep_dive, label, exclude=["briefing"])
        dives.append((deep_dive, item, label))
    created = _save_all([deep_dive for deep_dive, _item, _label in dives])

    new_takeaways = []
    for deep_dive, item, label in dives:
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
            new_takeaways.append(takeaway)
    created += _save_all(new_takeaways)
    if briefing_existed:
        # QuerySet.delete() still sends post_delete per object, which drops their records.
        kept_takeaways = [takeaway.pk for takeaway in new_takeaways]
        Takeaway.objects.filter(deep_dive__briefing=briefing).exclude(
            pk__in=kept_takeaways
        ).delete()
        briefing.deep_dives.exclude(pk__in=[deep_dive.pk for deep_dive, *_ in dives]).delete()

    items = []
    for item in data["read_more"]:
        position = item["position"]
        read_more_item = read_more.get(position) or ReadMore(briefing=briefing, position=position)
        set_values(read_more_item, READ_MORE, item)
        label = READ_MORE.section(read_more_item.position)
        _check_unique(seen_positions, read_more_item.position, label)
        _clean(read_more_item, label, exclude=["briefing"])
        items.append(read_more_item)
    created += _save_all(items)
    if briefing_existed:
        briefing.read_more.exclude(pk__in=[item.pk for item in items]).delete()

    if briefing_existed:
        # This import's names replace the ones an earlier import of the issue left waiting.
        briefing.pending_keyword_names.all().delete()
    keywords, new_keywords = _keywords(data["keywords"], briefing)
    created += new_keywords
    if created:
        # A new issue's updated_at is its own save's: no edit form has it open yet.
        rows_written(created, [briefing.pk], touch=briefing_existed)
        briefing_receivers.issues_changed([briefing.pk])
    briefing.keywords.set(keywords)
    return briefing


def _save_all(objects: list) -> list:
    """Save changed rows that exist (with their signals) and insert new ones in one query;
    returns the inserted ones."""
    new = [obj for obj in objects if obj._state.adding]
    for obj in objects:
        if not obj._state.adding:
            obj.save()
    if new:
        type(new[0]).objects.bulk_create(new)
    return new


def _check_unique(seen: set, position: int, label: str) -> None:
    if position in seen:
        raise ImportRefused(_("%(label)s: the number is used twice.") % {"label": label})
    seen.add(position)


def _keywords(items: list[dict], briefing: Briefing) -> tuple[list[Keyword], list[Keyword]]:
    """The issue's keywords, found by slug (one query) or made; and the new ones, inserted.

    A new name for a keyword a public issue shows waits for this issue's publication when
    this issue is not public (editorial.keywords)."""
    wanted = {}
    for item in items:
        names = item["name"]
        slug = item.get("slug") or slugify(
            names.get("en") or names.get("ja") or "", allow_unicode=True
        )
        if not slug:
            raise ImportRefused(_("A keyword has no name."))
        wanted.setdefault(slug, names)
    existing = Keyword.objects.in_bulk(list(wanted), field_name="slug")
    keywords, new = [], []
    for slug, names in wanted.items():
        keyword = existing.get(slug) or Keyword(slug=slug)
        changed = keyword.pk is None
        # An import never erases a keyword name that another issue already translated.
        for code in LANGUAGE_CODES:
            if names.get(code) and getattr(keyword, f"name_{code}") != names[code]:
                if keyword.pk is None:
                    setattr(keyword, f"name_{code}", names[code])
                    changed = True
                    continue
                _clean(
                    Keyword(slug=slug, **{f"name_{code}": names[code]}),
                    _("keyword “%(slug)s”") % {"slug": slug},
                )
                changed |= keyword_names.name_keyword(briefing, keyword, code, names[code])
        if changed:
            _clean(keyword, _("keyword “%(slug)s”") % {"slug": slug})
            if keyword.pk is None:
                new.append(keyword)
            else:
                keyword.save()
        keywords.append(keyword)
    if new:
        Keyword.objects.bulk_create(new)
    return keywords, new
