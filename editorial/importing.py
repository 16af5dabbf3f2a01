"""Saving an issue given in the shared JSON shape (from the text importer, an archive or a form).

Everything happens in one transaction: bad data raises ImportRefused and leaves the
database exactly as it was.
"""

import datetime

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from briefing.serialization import LANGUAGE_CODES


class ImportRefused(Exception):
    """The data cannot be saved; the message says why in words an editor understands."""


def _set_translations(obj, field: str, values: dict) -> None:
    for code in LANGUAGE_CODES:
        setattr(obj, f"{field}_{code}", values.get(code) or "")


def _clean(obj, label: str, exclude=()) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
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


@transaction.atomic
def save_briefing_data(data: dict, *, replace: bool = False, publish: bool = False) -> Briefing:
    """Create (or with replace=True, overwrite in place) the briefing described by `data`.

    The save is one history revision (joined to the caller's revision if one is open, so the
    admin's import records who imported).
    """
    try:
        with reversion.create_revision():
            briefing = _save(data, replace=replace, publish=publish)
            reversion.add_to_revision(briefing)
            reversion.set_comment(_("Imported from text."))
            return briefing
    except (KeyError, TypeError, AttributeError) as exc:
        raise ImportRefused(_("Malformed briefing data: %(error)r") % {"error": exc}) from None


def _save(data: dict, *, replace: bool, publish: bool) -> Briefing:
    date = parse_date(data["date"])
    briefing = Briefing.objects.select_for_update().filter(date=date).first()
    if briefing is not None and not replace:
        raise ImportRefused(
            _("A briefing for %(date)s already exists; use --replace to overwrite it.")
            % {"date": date.isoformat()}
        )
    if briefing is None:
        briefing = Briefing(date=date)

    for field in ("theme", "lead", "tldr"):
        _set_translations(briefing, field, data[field])
    briefing.status = data.get("status") or Briefing.Status.DRAFT
    if publish:
        briefing.status = Briefing.Status.PUBLISHED
    if data.get("publish_at"):
        briefing.publish_at = datetime.datetime.fromisoformat(data["publish_at"])
    if briefing.status == Briefing.Status.PUBLISHED and briefing.publish_at is None:
        briefing.publish_at = timezone.now()
    _clean(briefing, date.isoformat())
    briefing.save()

    # Replacing keeps the briefing row (and so its history) but rebuilds its parts.
    briefing.deep_dives.all().delete()
    briefing.read_more.all().delete()

    seen_positions = set()
    for item in data["deep_dives"]:
        deep_dive = DeepDive(briefing=briefing, position=item["position"])
        for field in ("title", "what_happened", "why_it_matters", "practical_points"):
            _set_translations(deep_dive, field, item[field])
        label = _("deep dive %(number)02d") % {"number": deep_dive.position}
        _check_unique(seen_positions, deep_dive.position, label)
        _clean(deep_dive, label, exclude=["briefing"])
        deep_dive.save()
        takeaway_positions = set()
        for takeaway_data in item["takeaways"]:
            takeaway = Takeaway(deep_dive=deep_dive, position=takeaway_data["position"])
            _set_translations(takeaway, "text", takeaway_data["text"])
            takeaway_label = f"{label}, " + _("takeaway %(number)02d") % {
                "number": takeaway.position
            }
            _check_unique(takeaway_positions, takeaway.position, takeaway_label)
            _clean(takeaway, takeaway_label, exclude=["deep_dive"])
            takeaway.save()

    for item in data["read_more"]:
        read_more = ReadMore(briefing=briefing, position=item["position"], url=item.get("url", ""))
        _set_translations(read_more, "title", item["title"])
        _set_translations(read_more, "summary", item["summary"])
        label = _("read-more item %(number)02d") % {"number": read_more.position}
        _check_unique(seen_positions, read_more.position, label)
        _clean(read_more, label, exclude=["briefing"])
        read_more.save()

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
