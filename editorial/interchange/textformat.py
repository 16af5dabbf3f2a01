"""The plain-text briefing format: parse it into the shared JSON shape and write it back.

The contract is ``briefing-text-format.md``. Where it is silent, this module decides:

- Deep dives are numbered 01, 02, … in order; read-more items continue without a gap (after three
  deep dives: 04, 05, …). The writer numbers from list order and ignores stored positions.
- A heading may end with ``:``. The bilingual export writes the Japanese title and date and English
  section headings.
- ``NN. text`` reads exactly as the line ``NN.`` followed by the line ``text``.
- Paragraphs between the date and the first heading are the lead; a language's theme line must
  come before its other lead paragraphs. The theme ends at the first ``。！？``, or ``.!?`` followed
  by a space, the end or another mark (so ``GPT-4.5`` stays whole); only the last mark is dropped.
- A takeaway's number, if given, is two digits equal to its position. A line indented deeper than
  its bullet belongs to that takeaway whatever it looks like; each such line goes to its language.
- A bullet anywhere outside Key Takeaways is an error.
- Only keyword lines may follow the keywords label. ``安全 (Safety)`` is one keyword with both names
  (the writer writes bilingual keywords that way); of keywords sharing a slug, the first wins.

Round trip: ``parse_briefing_text(format_briefing_text(d)) == d`` for every ``d`` the parser
returns. Other content may not survive: text in the other language's field (an English paragraph
as ``lead["ja"]``), a theme containing a sentence end, a read-more summary without a title in its
language, field lines that read as headings, dates or bullets. A single-language export leaves out
takeaways without text in that language (renumbering the rest), recomputes keyword slugs from the
one name, and cannot be read back if a deep dive has no text in that language (an empty deep dive).
"""

import re
from datetime import date
from typing import NoReturn

from django.utils.dates import WEEKDAYS
from django.utils.text import slugify
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext

from briefing.content import (
    DEEP_DIVE,
    KEYWORD,
    MAX_TEXT_BYTES,
    READ_MORE,
    TAKEAWAY,
    LimitExceeded,
    too_large,
    too_many,
)

_LANGUAGES = ("ja", "en")
_LANGUAGE_NAMES = {"ja": gettext_lazy("Japanese"), "en": gettext_lazy("English")}
_JAPANESE = re.compile(  # kana and kanji, but not ・ (U+30FB), a punctuation mark
    "[\u3005-\u3007\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)

_LABELS = {  # key: (Japanese, English)
    "title": ("デイリーブリーフィング", "Daily Briefing"),
    "tldr": ("TL;DR", "TL;DR"),
    # A deep dive's sections, in order, from the map of an issue (briefing.content).
    **DEEP_DIVE.text_headings,
    "read_more": ("もっと読む", "Read More"),
    "keywords": ("キーワード", "Keywords"),
}
_DIVE_LABELS = ("ディープダイブ", "Deep Dive")
_THEME_LABELS = {"ja": "今日のテーマ:", "en": "Today's theme:"}
_SECTIONS = tuple(DEEP_DIVE.text_headings)  # the text fields and the takeaways
_TEXT_SECTIONS = tuple(key for key in _SECTIONS if key in DEEP_DIVE.translated)
# Parts of the issue in the order they must come; the theme and lead are stage 0.
_STAGES = {"tldr": 1, "deep_dive": 2, "read_more": 3, "keywords": 4}

_FULL_WIDTH = str.maketrans({"：": ":", "（": "(", "）": ")"})
_ENDS_ALWAYS, _ENDS_BEFORE_SPACE = "。！？", ".!?"
_MARKS = _ENDS_ALWAYS + _ENDS_BEFORE_SPACE

_THEME = re.compile(r"(?:今日のテーマ|today['’]s\s+theme)\s*[:：]\s*", re.IGNORECASE)
_DIVE = re.compile(r"(\d{1,3}) ?(?:deep dive|ディープダイブ)")
_BULLET = re.compile(r"(?:[•・]|[-*](?=\s))\s*(?:(\d{2})(?!\S))?\s*(.*)")
_ITEM = re.compile(r"(\d{1,3})[.．](?:\s+(.*))?")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
# "Source: URL — title" / "出典：URL - title": the URL and title kept exactly as written.
_SOURCE = re.compile(r"(?:source|出典)\s*[:：]\s*(\S*)(?:\s+[—-]\s+(.*))?", re.IGNORECASE)
_SOURCE_LABELS = ("出典:", "Source:")
# " / " generalized: a slash with no other character beside it, so no keyword can begin with "/ ".
_KEYWORD_SEPARATORS = re.compile(r"[,、，;]|(?<![^\s,、，;])/(?![^\s,、，;])")

_JA_WEEKDAYS = "月火水木金土日"
_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = (
    "January February March April May June July August September October November December".split()
)
_MONTH_NUMBERS = {name.casefold(): number for number, name in enumerate(_EN_MONTHS, 1)}
_WEEKDAY_NUMBERS = {name.casefold(): number for number, name in enumerate(_EN_WEEKDAYS)}
_JA_DATE = re.compile(
    r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:[(（]\s*([月火水木金土日])(?:曜日?)?\s*[)）])?"
)
_EN_DATE = re.compile(r"(?:([a-z]+),?\s+)?([a-z]+)\s+(\d{1,2})(?:,\s*|\s+)(\d{4})", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class BriefingTextError(ValueError):
    """The text cannot be read; names the 1-based line and quotes it.

    The message is in the language active when it is raised: the editor's on the import page,
    English in management commands (they run without translations).
    """

    def __init__(self, message: str, line_number: int | None = None, line: str = "") -> None:
        self.message, self.line_number, self.line = message, line_number, line
        text = message
        if line_number is not None:
            text = gettext("line %(number)d: %(message)s") % {
                "number": line_number,
                "message": message,
            }
        super().__init__(f"{text}: {line!r}" if line else text)


class ImportLimitError(BriefingTextError):
    """The text is over one of an issue's limits (briefing.content): refused before it is
    read any further. `limit` is the limit, `found` how many were found when it was refused."""

    def __init__(self, exceeded: LimitExceeded, line_number: int | None = None, line: str = ""):
        self.limit, self.found = exceeded.limit, exceeded.found
        super().__init__(str(exceeded), line_number, line)


def _heading_name(key: str) -> str:
    """A heading as error messages name it: in the editor's language, as the format writes it."""
    return _LABELS[key][0 if get_language() == "ja" else 1]


def detect_language(text: str) -> str:
    """Return "ja" if the text has any hiragana, katakana or kanji, else "en"."""
    return "ja" if _JAPANESE.search(text) else "en"


def _normalize(line: str) -> str:
    return " ".join(line.translate(_FULL_WIDTH).rstrip(":").split()).casefold()


_HEADINGS = {_normalize(label): key for key, labels in _LABELS.items() for label in labels}


def _heading(line: str) -> tuple[str, int] | None:
    normalized = _normalize(line)
    if normalized in _HEADINGS:
        return _HEADINGS[normalized], 0
    if match := _DIVE.fullmatch(normalized):
        return "deep_dive", int(match[1])
    return None


def _match_date(line: str) -> tuple[int, int, int, int | None] | None:
    """(year, month, day, weekday or None) if the line is written as a date."""
    if match := _JA_DATE.fullmatch(line):
        weekday = _JA_WEEKDAYS.index(match[4]) if match[4] else None
        return int(match[1]), int(match[2]), int(match[3]), weekday
    if match := _EN_DATE.fullmatch(line):
        month = _MONTH_NUMBERS.get(match[2].casefold())
        weekday = _WEEKDAY_NUMBERS.get((match[1] or "").casefold())
        if month is None or (match[1] and weekday is None):
            return None
        return int(match[4]), month, int(match[3]), weekday
    if match := _ISO_DATE.fullmatch(line):
        return int(match[1]), int(match[2]), int(match[3]), None
    return None


def _split_theme(text: str) -> tuple[str, str]:
    """Theme (its first sentence without the final mark) and the rest of the paragraph."""
    for i, char in enumerate(text):
        following = text[i + 1 : i + 2]
        ends = not following or following.isspace() or following in _MARKS
        if char in _ENDS_ALWAYS or (char in _ENDS_BEFORE_SPACE and ends):
            end = i
            while end + 1 < len(text) and text[end + 1] in _MARKS:
                end += 1
            return text[:end].strip(), text[end + 1 :].strip()
    return text, ""


def _keyword_name(item: str) -> dict:
    if item[-1] in ")）":
        start = max(item.rfind("("), item.rfind("（"))
        outer, inner = item[:start].strip(), item[start + 1 : -1].strip()
        if start > 0 and outer and inner and not set(inner) & set("()（）"):
            outer_language, inner_language = detect_language(outer), detect_language(inner)
            if outer_language != inner_language:
                return {code: outer if code == outer_language else inner for code in _LANGUAGES}
    language = detect_language(item)
    return {code: item if code == language else "" for code in _LANGUAGES}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


class _Field:
    """A translated value built from parts; a language grows only while it was the last added."""

    def __init__(self, joiner: str = "\n\n", single: bool = False) -> None:
        self.parts: dict[str, list[str]] = {"ja": [], "en": []}
        self.joiner, self.single, self.last = joiner, single, None

    def add(self, text: str, language: str) -> bool:
        parts = self.parts[language]
        if parts and (self.single or self.last != language):
            return False
        parts.append(text)
        self.last = language
        return True

    def filled(self) -> bool:
        return any(self.parts.values())

    def value(self) -> dict:
        return {code: self.joiner.join(self.parts[code]) for code in _LANGUAGES}


class _Parser:
    def __init__(self) -> None:
        self.date: str | None = None
        self.theme = {"ja": "", "en": ""}
        self.lead, self.tldr = _Field(), _Field()
        self.deep_dives: list[dict] = []
        self.read_more: list[dict] = []
        self.keywords: dict[str, dict] = {}
        self.keyword_items: set[str] = set()  # as written: a repeated one is not read again
        self.section: str | None = None  # None until the date; then "intro", "tldr", "title", …
        self.stage, self.title_allowed = 0, True
        self.dive: dict | None = None
        self.item: dict | None = None
        self.takeaway: tuple[_Field, int] | None = None  # with the indent of its bullet
        self.paragraph: list[str] = []
        self.paragraph_at = (0, "")
        self.is_theme = False
        self.at = (0, "")

    def fail(self, message: str, at: tuple[int, str] | None = None) -> NoReturn:
        raise BriefingTextError(message, *(at or self.at))

    def over_limit(self, exceeded: LimitExceeded) -> NoReturn:
        raise ImportLimitError(exceeded, *self.at)

    def add(self, field: _Field, text: str, language: str, what: str, at=None) -> None:
        if not field.add(text, language):
            self.fail(
                gettext("%(what)s given twice in %(language)s")
                % {"what": what, "language": _LANGUAGE_NAMES[language]},
                at,
            )

    def parse(self, lines: list[str]) -> dict:
        for number, raw in enumerate(lines, 1):
            self.at = (number, raw)
            rest: str | None = raw
            while rest is not None:
                rest = self.line(rest)
        self.flush()
        self.close_deep_dive()
        if self.date is None:
            raise BriefingTextError(
                gettext("no date line (it must come first, after the optional title)")
            )
        return self.result()

    def line(self, raw: str) -> str | None:
        """Read one line; return text still to be read as a line of its own."""
        text = raw.strip()
        if self.section == "keywords" and not (_heading(text) or _match_date(text)):
            self.keyword_line(text)
            return None
        deeper = self.takeaway and _indent(raw) > self.takeaway[1]
        if self.section == "takeaways" and text and deeper:
            self.add(self.takeaway[0], text, detect_language(text), gettext("a takeaway"))
            return None
        if not text:
            self.flush()
            return None
        if self.section is None:
            self.before_date(text)
            return None
        if _match_date(text):
            self.fail(gettext("a second date"))
        if heading := _heading(text):
            self.flush()
            self.open(*heading)
            return None
        if theme := _THEME.match(text):
            self.flush()
            if self.section != "intro":
                self.fail(gettext("a theme line after the opening part"))
            self.is_theme = True
            self.paragraph_line(text[theme.end() :])
            return None
        if self.dive is not None and (source := _SOURCE.fullmatch(text)):
            self.flush()
            self.source_line(*source.groups())
            return None
        if self.dive is not None and self.dive["sources"]:
            self.fail(
                gettext("text after the sources of deep dive %(number)02d (they end it)")
                % {"number": self.dive["position"]}
            )
        bullet = _BULLET.fullmatch(text)
        if self.section == "takeaways":
            if bullet:
                self.new_takeaway(bullet[1], bullet[2], _indent(raw))
            elif self.takeaway and _indent(raw) > 0:
                self.add(self.takeaway[0], text, detect_language(text), gettext("a takeaway"))
            else:
                self.fail(gettext("text under Key Takeaways that is not a takeaway"))
            return None
        if bullet:
            if self.dive is None:
                self.fail(gettext("a takeaway outside a deep dive"))
            self.fail(gettext("a takeaway outside Key Takeaways"))
        if self.section == "read_more":
            if item := _ITEM.fullmatch(text):
                self.flush()
                self.new_item(int(item[1]))
                return item[2]
            if self.item is None:
                self.fail(gettext("text under Read More before the first item (01., 02., …)"))
            if _URL.fullmatch(text):
                self.flush()
                if self.item["url"]:
                    self.fail(
                        gettext("a second link in read-more item %(number)02d")
                        % {"number": self.item["position"]}
                    )
                self.item["url"] = text
                return None
        self.paragraph_line(text)
        return None

    def before_date(self, text: str) -> None:
        if self.title_allowed and _heading(text) == ("title", 0):
            self.title_allowed = False
            return
        found = _match_date(text)
        if found is None:
            self.fail(gettext("text before the date"))
        year, month, day, weekday = found
        try:
            value = date(year, month, day)
        except ValueError:
            self.fail(gettext("a date that does not exist"))
        if weekday is not None and weekday != value.weekday():
            self.fail(
                gettext("the weekday does not match: %(date)s is a %(weekday)s")
                % {"date": value, "weekday": WEEKDAYS[value.weekday()]}
            )
        self.date, self.section = value.isoformat(), "intro"

    def open(self, key: str, number: int) -> None:
        self.takeaway = None
        if key == "title":
            self.fail(gettext("the title must be the first line"))
        if key == "deep_dive":
            label = pgettext("heading of the plain-text format", "%(number)02d Deep Dive") % {
                "number": number
            }
        else:
            label = _heading_name(key)
        if stage := _STAGES.get(key):
            if stage == self.stage and key != "deep_dive":
                self.fail(gettext("%(heading)s given twice") % {"heading": label})
            if stage < self.stage:
                self.fail(
                    gettext(
                        "%(heading)s out of order (theme, TL;DR, deep dives, Read More, Keywords)"
                    )
                    % {"heading": label}
                )
            self.stage = stage
        if key == "deep_dive":
            expected = len(self.deep_dives) + 1
            if number != expected:
                self.fail(
                    gettext("deep dive %(number)02d where %(expected)02d was expected")
                    % {"number": number, "expected": expected}
                )
            if expected > DEEP_DIVE.max_items:
                self.over_limit(too_many(DEEP_DIVE, expected))
            self.close_deep_dive()
            self.dive = {name: _Field() for name in _TEXT_SECTIONS}
            self.dive.update(position=expected, title=_Field(single=True), takeaways=[], sources=[])
            self.dive.update(opened=set(), at=self.at)  # headings seen; where an error points
            self.deep_dives.append(self.dive)
            key = "title"
        elif key in _SECTIONS:
            if self.dive is None:
                self.fail(gettext("%(heading)s outside a deep dive") % {"heading": label})
            if key in self.dive["opened"]:
                self.fail(
                    gettext("%(heading)s given twice in deep dive %(number)02d")
                    % {"heading": label, "number": self.dive["position"]}
                )
            self.dive["opened"].add(key)
        elif key in ("read_more", "keywords"):
            self.close_deep_dive()
        self.section = key

    def close_deep_dive(self) -> None:
        dive, self.dive = self.dive, None
        if dive is None or dive["takeaways"]:
            return
        if not any(dive[name].filled() for name in ("title", *_TEXT_SECTIONS)):
            self.fail(gettext("an empty deep dive (no title and no text)"), dive["at"])

    def source_line(self, url: str, title: str | None) -> None:
        if not _URL.fullmatch(url):
            self.fail(gettext("a source that is not an http:// or https:// link"))
        self.dive["sources"].append({"url": url, "title": (title or "").strip()})

    def new_takeaway(self, number: str | None, text: str, indent: int) -> None:
        takeaways = self.dive["takeaways"]
        position = len(takeaways) + 1
        if number and int(number) != position:
            self.fail(
                gettext("takeaway %(number)s where %(expected)02d was expected")
                % {"number": number, "expected": position}
            )
        if position > TAKEAWAY.max_items:
            self.over_limit(too_many(TAKEAWAY, position))
        if not text:
            self.fail(gettext("an empty takeaway"))
        field = _Field("\n")
        takeaways.append(field)
        self.takeaway = (field, indent)
        self.add(field, text, detect_language(text), gettext("a takeaway"))

    def new_item(self, number: int) -> None:
        expected = len(self.deep_dives) + len(self.read_more) + 1
        if number != expected:
            self.fail(
                gettext("read-more item %(number)02d where %(expected)02d was expected")
                % {"number": number, "expected": expected}
            )
        if len(self.read_more) + 1 > READ_MORE.max_items:
            self.over_limit(too_many(READ_MORE, len(self.read_more) + 1))
        self.item = {
            "position": number,
            "title": {"ja": "", "en": ""},
            "summary": _Field(),
            "url": "",
        }
        self.read_more.append(self.item)

    def paragraph_line(self, text: str) -> None:
        if not self.paragraph:
            self.paragraph_at = self.at
        self.paragraph.append(text)

    def flush(self) -> None:
        if not self.paragraph:
            return
        text, at, is_theme = "\n".join(self.paragraph).strip(), self.paragraph_at, self.is_theme
        self.paragraph, self.is_theme = [], False
        if is_theme:
            self.theme_paragraph(text, at)
            return
        language = detect_language(text)
        if self.section == "intro":
            self.add(self.lead, text, language, gettext("the lead"), at)
        elif self.section == "tldr":
            self.add(self.tldr, text, language, _heading_name("tldr"), at)
        elif self.section == "read_more":
            if self.item["title"][language]:
                self.add(self.item["summary"], text, language, gettext("the summary"), at)
            else:
                self.item["title"][language] = text
        else:
            number = self.dive["position"]
            if self.section == "title":
                what = gettext("the title of deep dive %(number)02d") % {"number": number}
            else:
                what = gettext("%(heading)s of deep dive %(number)02d") % {
                    "heading": _heading_name(self.section),
                    "number": number,
                }
            self.add(self.dive[self.section], text, language, what, at)

    def theme_paragraph(self, text: str, at: tuple[int, str]) -> None:
        if not text:
            self.fail(gettext("a theme line without text"), at)
        language = detect_language(text)
        name = _LANGUAGE_NAMES[language]
        if self.theme[language] or self.lead.parts[language]:
            self.fail(
                gettext("a second %(language)s theme line, or one after the %(language)s lead")
                % {"language": name},
                at,
            )
        theme, lead = _split_theme(text)
        self.theme[language] = theme
        if lead:
            self.add(self.lead, lead, language, gettext("the lead"), at)
        else:
            self.lead.last = language

    def keyword_line(self, text: str) -> None:
        for item in _KEYWORD_SEPARATORS.split(text):
            if not (item := item.strip()) or item in self.keyword_items:
                continue
            self.keyword_items.add(item)
            name = _keyword_name(item)
            slug = slugify(name["en"] or name["ja"], allow_unicode=True)
            if not slug:
                self.fail(
                    gettext("a keyword without letters or digits: %(keyword)s")
                    % {"keyword": repr(item)}
                )
            if slug not in self.keywords and len(self.keywords) + 1 > KEYWORD.max_items:
                self.over_limit(too_many(KEYWORD, len(self.keywords) + 1))
            self.keywords.setdefault(slug, {"slug": slug, "name": name})

    def result(self) -> dict:
        return {
            "date": self.date,
            "status": "draft",
            "theme": self.theme,
            "lead": self.lead.value(),
            "tldr": self.tldr.value(),
            "keywords": list(self.keywords.values()),
            "deep_dives": [
                {
                    "position": dive["position"],
                    **{name: dive[name].value() for name in ("title", *_TEXT_SECTIONS)},
                    "takeaways": [
                        {"position": position, "text": field.value()}
                        for position, field in enumerate(dive["takeaways"], 1)
                    ],
                    "sources": dive["sources"],
                }
                for dive in self.deep_dives
            ],
            "read_more": [{**item, "summary": item["summary"].value()} for item in self.read_more],
        }


def parse_briefing_text(text: str | bytes) -> dict:
    """Read an issue written in the plain-text format into the shared JSON shape (a draft).

    A text over MAX_TEXT_BYTES is refused before anything else; a part over its limit, at the
    line where the count goes over it (ImportLimitError)."""
    size = len(text) if isinstance(text, bytes | bytearray) else utf8_size(text)
    if size > MAX_TEXT_BYTES:
        raise ImportLimitError(too_large(size))
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            number = text.count(b"\n", 0, exc.start) + 1
            line = bytes(text).split(b"\n")[number - 1].decode("utf-8", "replace").rstrip("\r")
            raise BriefingTextError(gettext("the file is not UTF-8 text"), number, line) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise BriefingTextError(gettext("the text is empty"))
    return _Parser().parse(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def utf8_size(text: str) -> int:
    """The bytes `text` takes in UTF-8 (as a file of it would)."""
    return len(text.encode("utf-8", "surrogatepass"))


def _texts(value: dict | None, languages: tuple[str, ...]) -> list[str]:
    return [value[code] for code in languages if value and value.get(code)]


def _bullets(takeaways: list[dict], languages: tuple[str, ...]) -> list[str]:
    """Each takeaway: its first line on the bullet, the rest indented deeper (so never a bullet)."""
    bullets = []
    for takeaway in takeaways:
        first, *more = "\n".join(_texts(takeaway.get("text"), languages)).split("\n")
        if first:
            indented = "".join(f"\n    {line}" for line in more)
            bullets.append(f"  • {len(bullets) + 1:02d} {first}{indented}")
    return bullets


def format_briefing_text(data: dict, lang: str = "both") -> str:
    """Write an issue in the shared JSON shape as plain text, in "ja", "en" or "both"."""
    if lang not in ("ja", "en", "both"):
        raise ValueError(f"lang must be 'ja', 'en' or 'both', not {lang!r}")
    languages = _LANGUAGES if lang == "both" else (lang,)
    side = 0 if lang == "ja" else 1  # bilingual export uses the English headings
    label = {key: labels[side] for key, labels in _LABELS.items()}
    day = data["date"] if isinstance(data["date"], date) else date.fromisoformat(data["date"])
    weekday = day.weekday()
    if lang == "en":
        dateline = f"{_EN_WEEKDAYS[weekday]}, {_EN_MONTHS[day.month - 1]} {day.day}, {day.year}"
    else:
        dateline = f"{day.year}年{day.month}月{day.day}日 ({_JA_WEEKDAYS[weekday]})"
    blocks = [_LABELS["title"][1 if lang == "en" else 0], dateline]

    for code in languages:
        theme, lead = ((data.get(key) or {}).get(code) or "" for key in ("theme", "lead"))
        if theme or lead:
            first, _, rest = lead.partition("\n\n")
            mark = "。" if code == "ja" else "."
            blocks.append(f"{_THEME_LABELS[code]} {theme}{mark}" + (f" {first}" if first else ""))
            blocks += [rest] if rest else []
    if tldr := _texts(data.get("tldr"), languages):
        blocks += [label["tldr"], *tldr]

    deep_dives = data.get("deep_dives") or []
    for number, dive in enumerate(deep_dives, 1):
        blocks.append(f"{number:02d} {_DIVE_LABELS[side]}")
        blocks += _texts(dive.get("title"), languages)
        for key in _SECTIONS:
            if key == "takeaways":
                bullets = _bullets(dive.get("takeaways") or [], languages)
                blocks += ["\n".join([label[key], *bullets])] if bullets else []
            elif texts := _texts(dive.get(key), languages):
                blocks += [label[key], *texts]
        if sources := dive.get("sources"):
            lines = [
                f"{_SOURCE_LABELS[side]} {source['url']}"
                + (f" — {source['title']}" if source.get("title") else "")
                for source in sources
            ]
            blocks.append("\n".join(lines))

    if items := data.get("read_more") or []:
        blocks.append(label["read_more"])
        for number, item in enumerate(items, len(deep_dives) + 1):
            blocks.append(f"{number:02d}.")
            blocks += _texts(item.get("title"), languages) + _texts(item.get("summary"), languages)
            blocks += [item["url"]] if item.get("url") else []

    names = []
    for keyword in data.get("keywords") or []:
        found = _texts(keyword.get("name"), languages)
        names += [f"{found[0]} ({found[1]})" if len(found) == 2 else found[0]] if found else []
    separator = "、" if lang == "ja" else ", "
    line = separator.join(names)
    if _heading(line) or _match_date(line):  # one keyword named like a heading or a date
        line += separator.strip()
    blocks.append(label["keywords"] + (f"\n{line}" if line else ""))
    return "\n\n".join(blocks) + "\n"
