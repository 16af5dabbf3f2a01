"""The one map of an issue: its languages, its parts, their fields, one walk and one path syntax.

Everything that goes over an issue's content reads this map instead of naming fields itself:
the JSON shape (briefing.serialization: export, API, backups), the plain-text format, import,
translation state and status, PO files, the translator editor, the search document, the admin,
the publish checks and the history (what a revision holds, showing, comparing, merging and
restoring it: editorial/history.py). tests/test_content_map.py fails when a registered
translated field is missing from any of them.

- Translated fields come from the django-modeltranslation registry (briefing/translation.py),
  in the order the model declares them.
- Untranslated content fields (links, and later a deep dive's sources) are listed beside them;
  the field naming an item in a path (position, slug) is its `identity`.
- One path syntax: "theme", "deep_dives/1/title", "deep_dives/1/takeaways/2/text",
  "read_more/4/url", "keywords/safety/name". Paths are stored in PO files (msgctxt) and backups
  (translation_states), so they never change for an existing field.
- One label per field and one heading per part, in both languages (gettext_lazy).

Adding a translated field to a part (say DeepDive.background):
1. the model field and `translation.py`'s `fields` for that model, then `makemigrations`;
2. its label in that part's `labels` below (and `text_headings` if the plain-text format gives
   it a heading of its own, in Japanese and English);
3. the templates that show it; `make messages` for the label.
Serialization, import, export, backup, translation state and status, PO files, the editor,
search, the admin forms, the publish checks and the history then carry it without further
edits.

Adding an untranslated field (a URL, a flag): the model field and migration, its name in the
part's `untranslated` and a label in `labels`. Adding a new part (for instance deep-dive
sources, a model with a ForeignKey to DeepDive and related_name "sources"): a `Part` for it in
its parent's `children`, with its `key` equal to the related_name; register it in
translation.py only if it has translated fields. The history keeps a part with a ForeignKey to
its parent in every revision of the issue, and one linked many-to-many (as keywords are) as the
issue's links to it. `Briefing.objects.with_contents()` prefetches the parts by name, and the
issue page reads each kind with the query named in `briefing.issue_page.PART_QUERIES`: add
the new one to both.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator

from .models import Briefing, DeepDive, Keyword, ReadMore, Takeaway

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)

# The most an issue may hold (docs/text-format.md, "Limits"). A real issue has 3 deep dives of
# about 5 takeaways, 2 read-more items and a dozen keywords in some 20 KB of text; these are
# ten times that or more, and small enough that an import stays well inside a request.
MAX_DEEP_DIVES = 20
MAX_TAKEAWAYS_PER_DEEP_DIVE = 20
MAX_READ_MORE = 30
MAX_KEYWORDS = 50
# Bytes of the plain text, checked before it is parsed.
MAX_TEXT_BYTES = 512 * 1024


@dataclass(frozen=True, eq=False)
class Part:
    """One kind of part of an issue (the issue itself, a deep dive, a takeaway, …)."""

    model: type
    key: str  # JSON key and path segment under its parent, the related_name ("" for the issue)
    identity: str | None  # what names one item in a path and in JSON: "position", "slug"
    heading: Promise  # a section heading; "%(number)s" is the item's identity
    labels: dict[str, Promise]  # one label for every content field, translated or not
    untranslated: tuple[str, ...] = ()  # content fields beside the translated ones
    children: tuple["Part", ...] = ()
    # Headings of the plain-text format (docs/text-format.md) for the fields and children that
    # have one, in the order the format writes them: {name: (Japanese, English)}.
    text_headings: dict[str, tuple[str, str]] = field(default_factory=dict)
    # The most items of this part one parent holds, and the error naming that limit.
    max_items: int | None = None
    too_many: Promise | None = None

    @cached_property
    def translated(self) -> tuple[str, ...]:
        """The registered translated fields, in the order the model declares them."""
        if not translator.get_registered_models():
            # Read before modeltranslation's AppConfig.ready() loaded briefing/translation.py:
            # caching "no translated fields" now would silently drop every field.
            raise ImproperlyConfigured("briefing.content was read before the apps were ready.")
        try:
            registered = translator.get_options_for_model(self.model).fields
        except NotRegistered:
            return ()
        return tuple(f.name for f in self.model._meta.concrete_fields if f.name in registered)

    def label(self, name: str) -> Promise:
        return self.labels[name]

    def section(self, identity) -> str:
        if isinstance(identity, int):
            identity = f"{identity:02d}"
        return str(self.heading) % {"number": identity}

    def items(self, parent) -> list:
        """The parent's items of this part: model instances (through the prefetched related
        manager) or dicts of the JSON shape."""
        if isinstance(parent, dict):
            return parent.get(self.key) or []
        return list(getattr(parent, self.key).all())

    def __repr__(self):
        return f"<Part {self.model.__name__}>"


TAKEAWAY = Part(
    model=Takeaway,
    key="takeaways",
    identity="position",
    heading=_("Key takeaway %(number)s"),
    labels={"text": _("Key takeaway")},
    max_items=MAX_TAKEAWAYS_PER_DEEP_DIVE,
    too_many=_("%(found)s key takeaways in one deep dive; the limit is %(limit)s per deep dive"),
)
DEEP_DIVE = Part(
    model=DeepDive,
    key="deep_dives",
    identity="position",
    heading=_("Deep dive %(number)s"),
    labels={
        "title": _("Title"),
        "what_happened": _("What happened"),
        "why_it_matters": _("Why it matters"),
        "practical_points": _("Practical points"),
        "sources": _("Sources"),
    },
    untranslated=("sources",),
    children=(TAKEAWAY,),
    max_items=MAX_DEEP_DIVES,
    too_many=_("%(found)s deep dives; the limit is %(limit)s per issue"),
    # In the order the format writes them; "takeaways" is where the child part goes.
    text_headings={
        "what_happened": ("何が起きたか", "What Happened"),
        "why_it_matters": ("なぜ重要か", "Why It Matters"),
        "takeaways": ("重要なポイント", "Key Takeaways"),
        "practical_points": ("実践ポイント", "Practical Points"),
    },
)
READ_MORE = Part(
    model=ReadMore,
    key="read_more",
    identity="position",
    heading=_("Read-more item %(number)s"),
    labels={"title": _("Title"), "summary": _("Summary"), "url": _("Link")},
    untranslated=("url",),
    max_items=MAX_READ_MORE,
    too_many=_("%(found)s read-more items; the limit is %(limit)s per issue"),
)
KEYWORD = Part(
    model=Keyword,
    key="keywords",
    identity="slug",
    heading=_("Keyword %(number)s"),
    labels={"name": _("Keyword")},
    max_items=MAX_KEYWORDS,
    too_many=_("%(found)s keywords; the limit is %(limit)s per issue"),
)
ISSUE = Part(
    model=Briefing,
    key="",
    identity=None,
    heading=_("Issue"),
    labels={"theme": _("Theme"), "lead": _("Lead"), "tldr": _("TL;DR")},
    # Reading order: the deep dives (each with its takeaways), read more, keywords.
    children=(DEEP_DIVE, READ_MORE, KEYWORD),
)


def parts(root: Part = ISSUE) -> Iterator[Part]:
    """Every part, the issue first, parents before their children."""
    yield root
    for child in root.children:
        yield from parts(child)


PART_OF_MODEL = {part.model: part for part in parts()}
TRANSLATED_FIELDS = {part.model: part.translated for part in parts() if part.translated}


@dataclass
class Node:
    """One item met by the walk: the issue or one of its parts."""

    part: Part
    item: object  # a model instance, or a dict of the JSON shape
    path: str  # the prefix of its fields' paths: "", "deep_dives/1/", …
    section: str  # the heading it is shown under, e.g. "Deep dive 01"

    def field_path(self, name: str) -> str:
        return f"{self.path}{name}"


def _identity(item, name: str):
    return item[name] if isinstance(item, dict) else getattr(item, name)


def walk(
    issue, part: Part = ISSUE, path: str = "", section: str | None = None, *, items=None
) -> Iterator[Node]:
    """Every item of an issue in reading order. `issue` is a Briefing loaded with
    `Briefing.objects.with_contents()` (so the walk makes no query) or a dict of the JSON shape;
    `items(parent, child_part)`, when given, gives a parent's items instead (as for `to_dict`).
    A takeaway is shown under its deep dive's heading."""
    yield Node(part, issue, path, section if section is not None else str(part.heading))
    for child in part.children:
        for item in items(issue, child) if items is not None else child.items(issue):
            identity = _identity(item, child.identity)
            child_path = f"{path}{child.key}/{identity}/"
            child_section = section if part is not ISSUE else child.section(identity)
            yield from walk(item, child, child_path, child_section, items=items)


def translations(item, name: str) -> dict[str, str]:
    """A translated field as {"ja": ..., "en": ...}, "" for a language not yet written."""
    if isinstance(item, dict):
        values = item.get(name) or {}
        return {code: values.get(code) or "" for code in LANGUAGE_CODES}
    return {code: getattr(item, f"{name}_{code}") or "" for code in LANGUAGE_CODES}


def translated_values(issue, *, items=None) -> Iterator[tuple[str, dict[str, str]]]:
    """(path, {"ja": ..., "en": ...}) for every translated field of an issue, in reading order
    (`items` as for `walk`)."""
    for node in walk(issue, items=items):
        for name in node.part.translated:
            yield node.field_path(name), translations(node.item, name)


def to_dict(item, part: Part = ISSUE, items=None) -> dict:
    """An item and its parts in the JSON shape: the identity, translated fields as
    {language: text}, untranslated fields as they are, then each kind of child as a list.

    `items(parent, child_part)` gives a parent's items of a part when they are not its related
    managers' (a revision's unsaved instances, editorial.history.Snapshot)."""
    data = {}
    if part.identity:
        data[part.identity] = getattr(item, part.identity)
    for name in part.translated:
        data[name] = translations(item, name)
    for name in part.untranslated:
        data[name] = getattr(item, name)
    for child in part.children:
        children = items(item, child) if items is not None else child.items(item)
        data[child.key] = [to_dict(child_item, child, items) for child_item in children]
    return data


def set_values(obj, part: Part, data: dict) -> None:
    """Write the fields of one item given in the JSON shape onto a model instance (its
    children are not touched). A translated field absent from `data` is left empty."""
    for name in part.translated:
        values = data.get(name) or {}
        for code in LANGUAGE_CODES:
            setattr(obj, f"{name}_{code}", values.get(code) or "")
    for name in part.untranslated:
        setattr(obj, name, data.get(name) or obj._meta.get_field(name).get_default())


def resolve(path: str) -> tuple[list[tuple[Part, str]], Part, str]:
    """'deep_dives/2/takeaways/1/text' → ([(DEEP_DIVE, "2"), (TAKEAWAY, "1")], TAKEAWAY, "text").
    Raises KeyError for a path that names no field of the map."""
    segments = path.split("/")
    if len(segments) % 2 != 1:
        raise KeyError(path)
    part, trail = ISSUE, []
    for key, identity in zip(segments[:-1:2], segments[1:-1:2], strict=True):
        part = next((child for child in part.children if child.key == key), None)
        if part is None:
            raise KeyError(path)
        trail.append((part, identity))
    name = segments[-1]
    if name not in part.labels:
        raise KeyError(path)
    return trail, part, name


def describe(path: str) -> str:
    """A field's path in words, in the active language: 'deep_dives/2/title' → 'Deep dive 02 ·
    Title'. A part with one field is named by its heading alone: 'deep_dives/2/takeaways/1/text'
    → 'Deep dive 02 · Key takeaway 01'."""
    trail, part, name = resolve(path)
    words = _sections(trail)
    if not trail or len(part.labels) > 1:
        words.append(str(part.label(name)))
    return " · ".join(words)


def describe_item(path: str) -> str:
    """An item's path (a Node's) in words: 'deep_dives/2/takeaways/1/' → 'Deep dive 02 · Key
    takeaway 01'."""
    segments = path.strip("/").split("/")
    part, trail = ISSUE, []
    for key, identity in zip(segments[::2], segments[1::2], strict=True):
        part = next(child for child in part.children if child.key == key)
        trail.append((part, identity))
    return " · ".join(_sections(trail))


def _sections(trail) -> list[str]:
    return [p.section(int(identity) if identity.isdigit() else identity) for p, identity in trail]


class LimitExceeded(ValueError):
    """An issue holds more than one of the limits allows; the message names the limit."""

    def __init__(self, message: str, limit: int, found: int) -> None:
        self.limit, self.found = limit, found
        super().__init__(message)


def _count(number: int) -> str:
    return f"{number:,}"  # the same in both languages and in commands, which run without one


def too_many(part: Part, found: int) -> LimitExceeded:
    """The error for `found` items of `part` under one parent, over `part.max_items`."""
    values = {"found": _count(found), "limit": _count(part.max_items)}
    return LimitExceeded(str(part.too_many) % values, part.max_items, found)


def too_large(found: int) -> LimitExceeded:
    """The error for a text of `found` bytes, over MAX_TEXT_BYTES."""
    message = gettext("the text is %(found)s bytes; the limit is %(limit)s bytes (%(size)s)") % {
        "found": _count(found),
        "limit": _count(MAX_TEXT_BYTES),
        "size": filesizeformat(MAX_TEXT_BYTES),
    }
    return LimitExceeded(message, MAX_TEXT_BYTES, found)


def check_limits(data: dict, part: Part = ISSUE) -> None:
    """Raise LimitExceeded if an issue in the JSON shape holds more parts than the limits."""
    for child in part.children:
        items = child.items(data)
        if child.max_items is not None and len(items) > child.max_items:
            raise too_many(child, len(items))
        for item in items:
            check_limits(item, child)


def issue_ids(instance) -> list[int]:
    """The issues a saved or deleted part belongs to (a keyword may belong to several)."""
    if isinstance(instance, Briefing):
        return [instance.pk]
    if isinstance(instance, DeepDive | ReadMore):
        return [instance.briefing_id]
    if isinstance(instance, Takeaway):
        try:
            return [instance.deep_dive.briefing_id]
        except DeepDive.DoesNotExist:  # deleted along with its deep dive
            return []
    if isinstance(instance, Keyword):
        # A keyword belongs to every issue that has it: its name counts in each of them.
        return list(instance.briefings.values_list("pk", flat=True)) if instance.pk else []
    return []
