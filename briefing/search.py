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
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from .content import LANGUAGE_CODES, translated_values
from .models import Briefing, SearchDocument

MAX_QUERY_LENGTH = 100
# PostgreSQL's trigram index on SearchDocument.body (created by migration 0003).
TRIGRAM_INDEX = "briefing_searchdocument_body_trgm"
SNIPPET_RADIUS = 60


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


def search(query: str):
    """Published issues whose text contains `query`, newest first (a queryset).

    Each issue comes with its search document's per-language texts (for the snippet); the
    normalised `body`, only needed to match, is not loaded.
    """
    return (
        Briefing.objects.published()
        .filter(search_document__body__contains=normalise(query))
        .select_related("search_document")
        .defer("search_document__body")
        .order_by("-date")
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


def snippet(document: SearchDocument, query: str, lang: str) -> Snippet | None:
    """A short passage around the first match, preferring the reader's language, with the
    match wrapped in <mark>. Everything but the <mark> tags is escaped."""
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    order = [lang] + [code for code in LANGUAGE_CODES if code != lang]
    for code in order:
        text = getattr(document, f"text_{code}")
        match = pattern.search(text)
        if match is None:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line_end = len(text) if line_end == -1 else line_end
        start = max(line_start, match.start() - SNIPPET_RADIUS)
        end = min(line_end, match.end() + SNIPPET_RADIUS)
        html = format_html(
            "{}{}<mark>{}</mark>{}{}",
            "…" if start > line_start else "",
            text[start : match.start()],
            match.group(0),
            text[match.end() : end],
            "…" if end < line_end else "",
        )
        return Snippet(html, code)
    return None


def plain_snippet(text: str, length: int = 2 * SNIPPET_RADIUS) -> SafeString:
    """The start of a text, escaped, when the match was not found verbatim (normalised forms)."""
    first_line = text.split("\n", 1)[0]
    shortened = first_line[:length] + ("…" if len(first_line) > length else "")
    return escape(shortened)
