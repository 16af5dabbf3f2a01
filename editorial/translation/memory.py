"""Translation memory: earlier translations across the archive whose source text is identical or
similar, and the keyword glossary.

Similarity is rapidfuzz's `fuzz.ratio` (normalised Indel similarity, 0–100) on the texts as
written, which works for Japanese as well as English since it compares characters.
"""

import math
from dataclasses import dataclass

from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Length
from rapidfuzz import fuzz, process

from briefing.models import Keyword

from .state import normalize

SIMILARITY_THRESHOLD = 70
SUGGESTIONS_PER_FIELD = 3
# Upper bound on rows one field kind brings back to Python, newest first.
MAX_CANDIDATES = 500
PROBES = 8


@dataclass(frozen=True)
class Suggestion:
    source: str
    translation: str
    similarity: int  # 100: the same source text


@dataclass(frozen=True)
class Term:
    source: str
    translation: str


def length_window(length: int) -> tuple[int, int]:
    """The source lengths that can reach SIMILARITY_THRESHOLD against a text of `length`.

    fuzz.ratio is 200·LCS/(a+b) and LCS ≤ min(a, b), so a ratio ≥ t needs
    min/(a+b) ≥ t/200: the other length lies within [n·t/(200−t), n·(200−t)/t]. The window is
    exact, so narrowing by it never loses a match.
    """
    t = SIMILARITY_THRESHOLD
    return math.floor(length * t / (200 - t)), math.ceil(length * (200 - t) / t)


def probes(text: str) -> list[str]:
    """A few evenly spread chunks of the text. A text ≥70 % similar keeps most of its characters
    in order, so it almost always still contains at least one of them unchanged."""
    size = 3 if len(text) < 24 else 5
    step = max(size, len(text) // PROBES)
    chunks = [text[i : i + size] for i in range(0, len(text) - size + 1, step)]
    return [c for c in chunks if c.strip() and any(ch.isalnum() for ch in c)][:PROBES]


def suggestions(fields, source: str, target: str) -> dict[str, list[Suggestion]]:
    """{field path: suggestions} for the given fields (TranslatedField) to translate."""
    groups = {}
    for item in fields:
        if item.texts[source]:
            groups.setdefault((type(item.obj), item.field), []).append(item)
    found = {}
    for (model, field), items in groups.items():
        candidates = _candidates(model, field, items, source, target)
        for item in items:
            found[item.path] = _best(item.texts[source], candidates)
    return found


def _candidates(model, field, items, source, target) -> list[tuple[str, str]]:
    """Earlier (source, translation) pairs of the same model and field, narrowed by the database.

    Scanning a ten-year archive in Python would be slow, so the database narrows first: the same
    kind of field (a title is compared with titles), both languages written, a source length
    within the window that can reach the threshold, and either the identical text or one of a
    few chunks of it contained. rapidfuzz then scores at most MAX_CANDIDATES rows.
    """
    src, tgt = f"{field}_{source}", f"{field}_{target}"
    lengths = [length_window(len(item.texts[source])) for item in items]
    matches = Q()
    for item in items:
        text = item.texts[source]
        matches |= Q(**{src: text})
        for chunk in probes(text):
            matches |= Q(**{f"{src}__contains": chunk})
    rows = (
        model.objects.exclude(pk__in={item.obj.pk for item in items})
        .exclude(**{f"{src}__isnull": True})
        .exclude(**{src: ""})
        .exclude(**{f"{tgt}__isnull": True})
        .exclude(**{tgt: ""})
        .alias(source_length=Length(src))
        .filter(
            source_length__gte=min(low for low, _high in lengths),
            source_length__lte=max(high for _low, high in lengths) + 2,
        )
        .filter(matches)
        .order_by("-pk")
        .values_list(src, tgt)[:MAX_CANDIDATES]
    )
    return [(normalize(s), normalize(t)) for s, t in rows]


def _best(text: str, candidates) -> list[Suggestion]:
    if not candidates:
        return []
    scored = process.extract(
        text,
        [source for source, _translation in candidates],
        scorer=fuzz.ratio,
        score_cutoff=SIMILARITY_THRESHOLD,
        limit=None,
    )
    result, seen = [], set()
    # Best score first; among equals the newest (candidates come newest first).
    for _choice, score, index in sorted(scored, key=lambda s: (-s[1], s[2])):
        source, translation = candidates[index]
        if translation in seen:
            continue
        seen.add(translation)
        result.append(Suggestion(source, translation, int(score)))
        if len(result) == SUGGESTIONS_PER_FIELD:
            break
    return result


def glossary(texts, source: str, target: str) -> list[Term]:
    """Keywords with both names known whose source name appears in any of the texts.

    One query: the database checks which names occur in the joined texts, so the glossary
    can grow with the archive without a Python loop over every keyword.
    """
    joined = "\n".join(t for t in texts if t)
    if not joined:
        return []
    src, tgt = f"name_{source}", f"name_{target}"
    rows = (
        Keyword.objects.exclude(**{f"{src}__isnull": True})
        .exclude(**{f"{tgt}__isnull": True})
        .exclude(**{tgt: ""})
        .alias(name_length=Length(src), document=Value(joined, output_field=TextField()))
        # Single characters would match almost any text.
        .filter(name_length__gte=2, document__contains=F(src))
        .order_by("-name_length")
        .values_list(src, tgt)
    )
    # SQLite's LIKE ignores ASCII case; keep only exact occurrences.
    return [Term(s, t) for s, t in rows if s in joined]


def terms_in(text: str, terms) -> list[Term]:
    return [term for term in terms if term.source in text]
