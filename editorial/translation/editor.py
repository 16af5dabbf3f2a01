"""What the side-by-side translator editor shows and saves, outside the view."""

import difflib
import re
from dataclasses import dataclass, field

from briefing.models import Keyword
from editorial import history
from editorial import keywords as keyword_names
from editorial.history import auto_now_fields

from .checks import check
from .memory import glossary, suggestions, terms_in
from .state import (
    keep_source_current,
    mark_still_correct,
    normalize,
    other_language,
)
from .status import OUTDATED, STATUS_LABELS, TranslatedField


@dataclass
class EditorRow:
    item: TranslatedField
    source_text: str
    status: str
    status_label: str
    diff: list = field(default_factory=list)  # [(tag, text)], tag: equal/delete/insert
    suggestions: list = field(default_factory=list)
    terms: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    # A keyword name waiting for this publication: the name readers see until then.
    public_name: str = ""


def diff_segments(old: str, new: str, language: str) -> list[tuple[str, str]]:
    """What changed from `old` to `new`, by word in English and by character in Japanese."""
    split = (lambda t: re.findall(r"\S+|\s+", t)) if language == "en" else list
    a, b = split(old), split(new)
    segments = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            segments.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(("insert", "".join(b[j1:j2])))
        if tag == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
    return segments


def translatable(items, target: str) -> list[TranslatedField]:
    """Fields with a source to translate from (a text written only in the target is an original)."""
    source = other_language(target)
    return [item for item in items if item.texts[source]]


def editor_rows(items, target: str, shown: dict[str, str] | None = None) -> list[EditorRow]:
    source = other_language(target)
    shown = shown or {}
    todo = [item for item in items if item.needs_work(target)]
    memory = suggestions(todo, source, target)
    terms = glossary([item.texts[source] for item in items], source, target)
    rows = []
    for item in items:
        status = item.status[target]
        field_terms = terms_in(item.texts[source], terms)
        rows.append(
            EditorRow(
                item=item,
                source_text=item.texts[source],
                status=status,
                status_label=STATUS_LABELS[status],
                diff=diff_segments(item.written_against[target], item.texts[source], source)
                if status == OUTDATED and item.written_against[target]
                else [],
                suggestions=memory.get(item.path, []),
                terms=field_terms,
                warnings=check(item.texts[source], item.texts[target], source, target, field_terms),
                public_name=item.texts[target]
                if shown.get(item.path, item.texts[target]) != item.texts[target]
                else "",
            )
        )
    return rows


def shown_texts(briefing, items, target: str) -> dict[str, str]:
    """{path: text} of the target texts the editor shows: the stored ones, except a keyword
    name written for this issue that waits for it to go live (editorial.keywords)."""
    waiting = keyword_names.waiting_names(briefing, target)
    return {
        item.path: waiting.get(item.obj.pk, item.texts[target])
        if isinstance(item.obj, Keyword)
        else item.texts[target]
        for item in items
    }


def save_translations(
    briefing, items, target: str, cleaned: dict, still_correct, user
) -> tuple[list, list, list]:
    """Write the changed target texts and the "still correct" marks as one revision. Returns
    the paths changed, marked still correct, and (keyword names) left waiting for publication."""
    changed, confirmed, waiting, dirty = [], [], [], {}
    shown = shown_texts(briefing, items, target)
    with history.revision():
        for item in items:
            if item.path not in cleaned:
                continue
            new = normalize(cleaned[item.path])
            if new != shown[item.path]:
                if isinstance(item.obj, Keyword) and not keyword_names.name_keyword(
                    briefing, item.obj, target, new
                ):
                    # A keyword a public issue shows: named when this issue is published.
                    waiting.append(item.path)
                    continue
                setattr(item.obj, f"{item.field}_{target}", new)
                dirty.setdefault((type(item.obj), item.obj.pk), (item.obj, set()))[1].add(
                    f"{item.field}_{target}"
                )
                changed.append(item.path)
        # Only the texts written here: a stale copy of the issue must not write back its
        # status or any other field someone changed meanwhile.
        for obj, columns in dirty.values():
            obj.save(update_fields=[*columns, *auto_now_fields(obj)])
        for item in items:
            if item.path in changed:
                keep_source_current(item.obj, item.field, target)
        for item in items:
            if (
                item.path in still_correct
                and item.path not in changed
                and item.status[target] == OUTDATED
            ):
                mark_still_correct(item.obj, item.field, target)
                confirmed.append(item.path)
        if changed or confirmed:
            history.record(briefing, user, "translated", count=len(changed), language=target)
    return changed, confirmed, waiting
