"""Search over every issue's text in both languages.

Japanese is written without spaces, so words cannot be split reliably; search is therefore a
substring match (`量子化` matches inside `量子化ワークフロー`). Each issue's text is kept in one
`SearchDocument` row, normalised with NFKC and case folding so that full-width and half-width
forms and upper and lower case match alike. On PostgreSQL a trigram GIN index (`pg_trgm`) on that
column answers `LIKE '%…%'` from the index for queries of three characters or more, which keeps a
ten-year archive fast; SQLite (local development) scans the column, which is fine at that size.

Documents are rebuilt by signals (briefing/receivers.py) after the change is committed; the
`rebuild_search_documents` function also serves the data migration and can be run by hand.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .content import LANGUAGE_CODES, translated_values
from .models import Briefing, SearchDocument

MAX_QUERY_LENGTH = 100
# PostgreSQL's trigram index on SearchDocument.body (created by migration 0003).
TRIGRAM_INDEX = "briefing_searchdocument_body_trgm"
SNIPPET_RADIUS = 60
# Result pages beyond this do not exist (a million results). Without a bound, a page number of
# twenty digits becomes an OFFSET the database cannot hold (SQLite: "datatype mismatch").
MAX_PAGE_NUMBER = 100_000


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def clean_query(raw: str) -> str:
    """The query as typed, with runs of whitespace collapsed."""
    return " ".join(raw.split())


def document_texts(briefing) -> dict[str, str]:
    """Every translated value of an issue per language, one field per line."""
    texts = {code: [] for code in LANGUAGE_CODES}
    for _path, values in translated_values(briefing):
        for code in LANGUAGE_CODES:
            if values.get(code):
                # One field per line, so that a snippet never runs from one field into another.
                texts[code].append(" ".join(values[code].split()))
    return {code: "\n".join(lines) for code, lines in texts.items()}


def rebuild_search_documents(briefing_ids, *, briefing_model=Briefing, document_model=None):
    """Rewrite the search documents of the given issues (ids of deleted issues are ignored)."""
    ids = set(briefing_ids)
    if not ids:
        return
    document_model = document_model or SearchDocument
    briefings = briefing_model.objects.filter(pk__in=ids).prefetch_related(
        "keywords", "deep_dives__takeaways", "read_more"
    )
    documents = []
    for briefing in briefings:
        texts = document_texts(briefing)
        documents.append(
            document_model(
                briefing_id=briefing.pk,
                body=normalise("\n".join(texts.values())),
                **{f"text_{code}": text for code, text in texts.items()},
            )
        )
    # A fixed number of queries however many issues: replaced, not updated one by one.
    document_model.objects.filter(briefing_id__in=ids).delete()
    document_model.objects.bulk_create(documents, batch_size=500)


def query_words(query: str) -> list[str]:
    """The normalised words of a query, each to be found somewhere in the issue; a word inside
    another one ("safe" and "safety") adds nothing and is dropped."""
    words = dict.fromkeys(normalise(query).split())
    return [word for word in words if not any(word != other and word in other for other in words)]


def search(query: str):
    """Published issues whose text contains every word of `query`, in any order, newest first
    (a queryset). Japanese, written without spaces, is matched as a substring, as is every word.

    Each issue comes with its search document's per-language texts (for the snippet); the
    normalised `body`, only needed to match, is not loaded.
    """
    matches = Briefing.objects.published()
    for word in query_words(query):
        matches = matches.filter(search_document__body__contains=word)
    return (
        matches.select_related("search_document").defer("search_document__body").order_by("-date")
    )


class ResultPaginator(Paginator):
    """Pages of results whose total comes with the page, in one query.

    Counting every match separately would make PostgreSQL check every issue that contains the
    words against the whole text twice (once to count, once to sort the newest first); a window
    count (`COUNT(*) OVER ()`) gets the total from the same pass that finds the page.
    """

    def page(self, number):
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > MAX_PAGE_NUMBER:
            raise EmptyPage(self.error_messages["no_results"])
        bottom = (number - 1) * self.per_page
        counted = self.object_list.annotate(total=Window(Count("*")))
        results = list(counted[bottom : bottom + self.per_page])
        if results:
            self.count = results[0].total
        elif number == 1 and self.allow_empty_first_page:
            self.count = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(results, number, self)


@dataclass(frozen=True)
class Snippet:
    html: SafeString
    lang: str


# A half-width katakana followed by its half-width (semi-)voiced mark is one character after
# NFKC (ｶﾞ → ガ): such pairs, and base characters with combining marks, are normalised together.
_JOINS_PREVIOUS = {"\uff9e", "\uff9f"}
# Where a snippet may start or end: after a sentence's end, or at a space between words.
_SENTENCE_END = re.compile(r"[。．！？!?]\s*|[.;:]\s+")


def _normalised_with_offsets(text: str) -> tuple[str, list[int]]:
    """`normalise(text)` and, for each of its characters, the index in `text` it comes from."""
    clusters = []
    for index, char in enumerate(text):
        if clusters and (unicodedata.combining(char) or char in _JOINS_PREVIOUS):
            clusters[-1][1] += char
        else:
            clusters.append([index, char])
    normalised, offsets = [], []
    for index, cluster in clusters:
        piece = normalise(cluster)
        normalised.append(piece)
        offsets.extend([index] * len(piece))
    return "".join(normalised), offsets


def _hits(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where the words occur in `text` (original indices, start and end), in order, merged."""
    normalised, offsets = _normalised_with_offsets(text)
    spans = []
    for word in words:
        start = normalised.find(word)
        while start != -1:
            end = start + len(word)
            spans.append((offsets[start], offsets[end - 1] + 1))
            start = normalised.find(word, end)
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    # Offsets point at the first character of a joined cluster: extend to its end.
    return [(start, _cluster_end(text, end)) for start, end in merged]


def _cluster_end(text: str, end: int) -> int:
    while end < len(text) and (unicodedata.combining(text[end]) or text[end] in _JOINS_PREVIOUS):
        end += 1
    return end


def _cut_start(line: str, at: int) -> int:
    """A start at or before `at` within SNIPPET_RADIUS: a sentence's start, else a word's."""
    floor = max(0, at - SNIPPET_RADIUS)
    if floor == 0:
        return 0
    sentence = None
    for match in _SENTENCE_END.finditer(line, floor, at):
        sentence = match.end()
    if sentence is not None:
        return sentence
    space = line.find(" ", floor, at)
    return space + 1 if space != -1 else floor


def _cut_end(line: str, at: int) -> int:
    """An end at or after `at` within SNIPPET_RADIUS: a sentence's end, else a word's."""
    ceiling = min(len(line), at + SNIPPET_RADIUS)
    if ceiling == len(line):
        return ceiling
    match = _SENTENCE_END.search(line, at, ceiling)
    if match is not None:
        return match.end()
    space = line.rfind(" ", at, ceiling)
    return space if space > at else ceiling


def snippet(document: SearchDocument, query: str, lang: str) -> Snippet | None:
    """A short passage of the field that holds most of the query's words, preferring the
    reader's language, cut at sentence or word boundaries, with every hit in <mark>.
    Everything but the <mark> tags is escaped."""
    words = query_words(query)
    if not words:
        return None
    best = None
    for code in [lang] + [code for code in LANGUAGE_CODES if code != lang]:
        for line in getattr(document, f"text_{code}").split("\n"):
            # The line as a whole first (one call in C): finding where each hit is, character
            # by character, was most of a results page's time when done for every line.
            normalised = normalise(line)
            found = sum(1 for word in words if word in normalised)
            if not found:
                continue
            hits = _hits(line, words)
            if not hits:
                continue
            if best is None or found > best[0]:
                best = (found, code, line, hits)
            if found == len(words):
                break
        if best is not None and best[0] == len(words):
            break
    if best is None:
        return None
    _found, code, line, hits = best
    start = _cut_start(line, hits[0][0])
    end = _cut_end(line, hits[0][1])
    # Later hits widen the passage, up to three times the radius.
    for _hit_start, hit_end in hits[1:]:
        if hit_end <= end:
            continue
        if hit_end - start > 3 * SNIPPET_RADIUS:
            break
        end = _cut_end(line, hit_end)
    parts = [format_html("{}", "…" if start > 0 else "")]
    position = start
    for hit_start, hit_end in hits:
        if hit_start < start or hit_end > end:
            continue
        parts.append(
            format_html("{}<mark>{}</mark>", line[position:hit_start], line[hit_start:hit_end])
        )
        position = hit_end
    parts.append(format_html("{}{}", line[position:end], "…" if end < len(line) else ""))
    return Snippet(mark_safe("".join(parts)), code)
