"""What an issue page shows, read from the database and worked out in Python.

A cold issue page (not in the page cache) is the site's most expensive common request. Two
things made it so, and both are done here once instead:

- Building and compiling the querysets of an issue and its parts cost more than running them,
  so their SQL is compiled once per process and language and run with `raw()`.
- Rendering every text through a template tag (some 70 tags and 280 template nodes a page) was
  half of the page's time, so each section's texts are made here, by the same functions the
  tags are (`templatetags.reading`: the escaping and the fallback rules), and the templates
  only place them.

Everything shown comes from `Briefing.objects.published()`, or from an issue an editor
previews, loaded with `Briefing.objects.with_contents()`.
"""

import datetime
import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.http import Http404
from django.utils import timezone
from modeltranslation.translator import translator

from .content import DEEP_DIVE, KEYWORD, LANGUAGE_CODES, READ_MORE, TAKEAWAY, Part, walk
from .localization import reader_language
from .models import Briefing
from .templatetags.reading import (
    fallback_language,
    fallback_marker,
    has_text,
    language_name,
    site_name,
    text,
    text_in,
    web_link,
    written,
)


class PartQuery(NamedTuple):
    """How the issue page reads one kind of part of an issue."""

    to_issue: str  # the lookup from the part to its issue's id
    parent: str | None  # the attribute naming the item it belongs to; None: the issue (M2M)
    # By number alone (takeaways within their deep dive): the models' own ordering starts with
    # the parent, which would join the issue, and for takeaways the deep dive too, only to sort
    # one issue's rows by its date. Empty: the model's own ordering.
    order: tuple[str, ...]


# Every part of the content map but the issue; tests/test_content_map.py checks that.
PART_QUERIES = {
    DEEP_DIVE: PartQuery("briefing_id", "briefing_id", ("position",)),
    TAKEAWAY: PartQuery("deep_dive__briefing_id", "deep_dive_id", ("deep_dive_id", "position")),
    READ_MORE: PartQuery("briefing_id", "briefing_id", ("position",)),
    KEYWORD: PartQuery("briefings", None, ()),
}


@functools.cache
def _shown_fields(model) -> tuple[str, ...]:
    """Every field but the untranslated original of each translated one: modeltranslation keeps
    it as a copy of the default language, and the pages only read `<field>_<lang>`."""
    originals = translator.get_options_for_model(model).all_fields
    return tuple(field.name for field in model._meta.concrete_fields if field.name not in originals)


def published_with_neighbours(lang=None, now=None):
    """Published issues with what an issue page shows, and their neighbours' dates and themes
    in the reader's language (BriefingQuerySet.with_neighbours)."""
    return (
        Briefing.objects.published(now)
        .only(*_shown_fields(Briefing))
        .with_neighbours(lang or reader_language(), now)
    )


# Stand-ins for the moment and the date of a request in the issue's query, compiled once.
_SOME_MOMENT = datetime.datetime(2000, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)
_SOME_DATE = datetime.date(1901, 2, 3)
_NOW, _DATE = object(), object()


@functools.cache
def _issue_sql(lang: str, vendor: str) -> tuple[str, tuple]:
    """The SQL of `published_with_neighbours()` for one date, compiled once per language and
    process, with its parameters: `_NOW` and `_DATE` where the request's moment and date go.
    Building and compiling that queryset (four subqueries) cost twice what running it does."""
    queryset = published_with_neighbours(lang, _SOME_MOMENT).filter(date=_SOME_DATE)
    sql, params = queryset.query.sql_with_params()
    ops = connection.ops
    stand_ins = {
        ops.adapt_datetimefield_value(_SOME_MOMENT): _NOW,
        ops.adapt_datefield_value(_SOME_DATE): _DATE,
    }
    return sql, tuple(stand_ins.get(param, param) for param in params)


def published_issue(date: datetime.date) -> Briefing:
    """The published issue of `date` with its neighbours (as `published_with_neighbours()`),
    in one query; Http404 if there is none."""
    sql, slots = _issue_sql(reader_language(), connection.vendor)
    values = {
        _NOW: connection.ops.adapt_datetimefield_value(timezone.now()),
        _DATE: connection.ops.adapt_datefield_value(date),
    }
    found = list(Briefing.objects.raw(sql, [values.get(slot, slot) for slot in slots]))
    if not found:
        raise Http404("No published issue on this date")
    (briefing,) = found
    # raw() converts the model's own columns only: SQLite gives the neighbours' dates as text.
    for name in ("previous_date", "next_date"):
        value = getattr(briefing, name)
        if isinstance(value, str):
            setattr(briefing, name, datetime.date.fromisoformat(value))
    return briefing


@functools.cache
def _part_sql(part: Part, vendor: str) -> str:
    """The SQL of one kind of part of an issue, compiled once per process."""
    query = PART_QUERIES[part]
    queryset = part.model.objects.only(*_shown_fields(part.model)).filter(**{query.to_issue: 0})
    if query.order:
        queryset = queryset.order_by(*query.order)
    sql, _params = queryset.query.sql_with_params()
    return sql


@dataclass
class Contents:
    """An issue's parts, one query per kind of part whatever the issue holds: each parent's
    items, as `items(parent, part)` for the content map's walk."""

    issue: Briefing
    by_parent: dict[tuple[Part, int], list] = field(default_factory=dict)

    @classmethod
    def load(cls, issue: Briefing) -> "Contents":
        contents = cls(issue)
        for part, query in PART_QUERIES.items():
            sql = _part_sql(part, connection.vendor)
            for item in part.model.objects.raw(sql, [issue.pk]):
                parent_id = issue.pk if query.parent is None else getattr(item, query.parent)
                contents.by_parent.setdefault((part, parent_id), []).append(item)
        return contents

    @classmethod
    def prefetched(cls, issue: Briefing) -> "Contents":
        """The parts of an issue loaded with `Briefing.objects.with_contents()` (a preview)."""
        contents = cls(issue)
        for node in walk(issue):
            for child in node.part.children:
                contents.by_parent[(child, node.item.pk)] = child.items(node.item)
        return contents

    def items(self, parent, part: Part) -> list:
        return self.by_parent.get((part, parent.pk), [])


def _sources(deep_dive) -> list[dict]:
    """A deep dive's sources that are web links (a stored javascript: URL is never a link)."""
    return [
        {"url": url, "title": source.get("title") or "", "site": site_name(url)}
        for source in deep_dive.sources or []
        if (url := web_link(source.get("url")))
    ]


def _numbered(number: int, **values) -> dict:
    return {"number": number, "label": f"{number:02d}", **values}


def sections(contents: Contents) -> dict:
    """The issue's texts in the reader's language, each already escaped and marked where it is
    shown in the other language (`templatetags.reading.text`)."""
    issue = contents.issue
    lang = reader_language()
    deep_dives = []
    for number, deep_dive in enumerate(contents.items(issue, DEEP_DIVE), 1):
        takeaways = written(contents.items(deep_dive, TAKEAWAY), "text")
        # One marker over the list when every takeaway is shown in the other language.
        takeaways_lang = fallback_language(takeaways, "text", lang)
        deep_dives.append(
            _numbered(
                number,
                title=text(deep_dive, "title", lang=lang),
                what_happened=text(deep_dive, "what_happened", paragraphs=True, lang=lang),
                why_it_matters=text(deep_dive, "why_it_matters", paragraphs=True, lang=lang),
                takeaways=[
                    text_in(takeaway, "text", takeaways_lang)
                    if takeaways_lang
                    else text(takeaway, "text", lang=lang)
                    for takeaway in takeaways
                ],
                takeaways_lang=takeaways_lang,
                takeaways_marker=fallback_marker(takeaways_lang) if takeaways_lang else "",
                practical_points=text(deep_dive, "practical_points", paragraphs=True, lang=lang),
                sources=_sources(deep_dive),
            )
        )
    read_more = [
        _numbered(
            number,
            title=text(item, "title", lang=lang),
            url=web_link(item.url),
            site=site_name(item.url),
            summary=text(item, "summary", paragraphs=True, lang=lang),
        )
        for number, item in enumerate(
            written(contents.items(issue, READ_MORE), "title,summary"), len(deep_dives) + 1
        )
    ]
    keywords = [
        {
            "url": keyword.get_absolute_url(),
            "name": text(keyword, "name", lang=lang) or keyword.slug,
        }
        for keyword in contents.items(issue, KEYWORD)
    ]
    return {
        "theme": text(issue, "theme", lang=lang),
        "lead": text(issue, "lead", paragraphs=True, lang=lang),
        "tldr": text(issue, "tldr", paragraphs=True, lang=lang),
        "deep_dives": deep_dives,
        "read_more": read_more,
        "keywords": keywords,
    }


def _pair(item, name: str, *, paragraphs: bool, number: str = "") -> dict:
    """A field in every language, side by side, each side noting when it is not written."""
    sides = [
        {"lang": code, "name": language, "text": text_in(item, name, code, paragraphs=paragraphs)}
        for code, language in language_names()
    ]
    return {"number": number, "sides": sides}


def _pair_if_written(item, name: str, **options) -> dict | None:
    return _pair(item, name, **options) if has_text(item, name) else None


def parallel_sections(contents: Contents) -> dict:
    """The issue's texts in every language side by side, each side escaped."""
    issue = contents.issue
    deep_dives = []
    for number, deep_dive in enumerate(contents.items(issue, DEEP_DIVE), 1):
        takeaways = written(contents.items(deep_dive, TAKEAWAY), "text")
        deep_dives.append(
            _numbered(
                number,
                title=_pair_if_written(deep_dive, "title", paragraphs=False),
                what_happened=_pair_if_written(deep_dive, "what_happened", paragraphs=True),
                why_it_matters=_pair_if_written(deep_dive, "why_it_matters", paragraphs=True),
                takeaways=[
                    _pair(takeaway, "text", paragraphs=False, number=f"{position:02d}")
                    for position, takeaway in enumerate(takeaways, 1)
                ],
                practical_points=_pair_if_written(deep_dive, "practical_points", paragraphs=True),
                sources=_sources(deep_dive),
            )
        )
    read_more = [
        _numbered(
            number,
            title=_pair(item, "title", paragraphs=False, number=f"{number:02d}"),
            summary=_pair(item, "summary", paragraphs=True),
            url=web_link(item.url),
            site=site_name(item.url),
        )
        for number, item in enumerate(
            written(contents.items(issue, READ_MORE), "title,summary"), len(deep_dives) + 1
        )
    ]
    keywords = [
        {
            "url": keyword.get_absolute_url(),
            "slug": keyword.slug,
            "sides": _pair(keyword, "name", paragraphs=False)["sides"],
        }
        for keyword in contents.items(issue, KEYWORD)
    ]
    return {
        "theme": _pair_if_written(issue, "theme", paragraphs=False),
        "lead": _pair_if_written(issue, "lead", paragraphs=True),
        "tldr": _pair_if_written(issue, "tldr", paragraphs=True),
        "deep_dives": deep_dives,
        "read_more": read_more,
        "keywords": keywords,
        "language_names": language_names(),
    }


@functools.cache
def language_names() -> tuple[tuple[str, str], ...]:
    """(code, name) of each language, the name in the language itself, as the side-by-side
    page labels its columns."""
    return tuple((code, language_name(code)) for code in LANGUAGE_CODES)
