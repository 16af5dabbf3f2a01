"""Which translated fields of an issue are missing, outdated or up to date, per language.

Computed from the texts themselves plus the TranslationState records, for one briefing or a
list of them, in a fixed number of queries: the briefings with their contents
(Briefing.objects.with_contents()) and one query for all their records.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from briefing.content import LANGUAGE_CODES, PART_OF_MODEL, walk
from briefing.models import Briefing

from .state import (
    EMPTY_FINGERPRINT,
    fingerprint,
    other_language,
    states_for,
    text_of,
)

MISSING = "missing"
OUTDATED = "outdated"
UP_TO_DATE = "up_to_date"
EMPTY = "empty"  # neither language written: nothing to translate

STATUS_LABELS = {
    MISSING: _("missing"),
    OUTDATED: _("outdated"),
    UP_TO_DATE: _("up to date"),
    EMPTY: _("empty"),
}


@dataclass
class TranslatedField:
    """One translated field of one object, with each language's text and status."""

    obj: object
    field: str
    path: str  # stable across database ids, e.g. "deep_dives/1/takeaways/2/text"
    section: str  # a heading for the editor, e.g. "Deep dive 01"
    texts: dict = field(default_factory=dict)
    status: dict = field(default_factory=dict)
    # The other language's text when this language was last written (for outdated: the diff).
    written_against: dict = field(default_factory=dict)

    @property
    def label(self):
        return PART_OF_MODEL[type(self.obj)].label(self.field)

    @property
    def kind(self) -> str:
        """Same model and field: what translation memory compares against."""
        return f"{type(self.obj).__name__.lower()}.{self.field}"

    def needs_work(self, target: str) -> bool:
        return self.status[target] in (MISSING, OUTDATED)


def field_status(texts: dict, state, code: str) -> str:
    other = other_language(code)
    if not texts[code]:
        return MISSING if texts[other] else EMPTY
    if not texts[other] or state is None:
        return UP_TO_DATE
    # A text first written while the other language was empty is the original: its
    # translation arriving or being polished later does not make it outdated.
    if state.source_hash == EMPTY_FINGERPRINT:
        return UP_TO_DATE
    return UP_TO_DATE if fingerprint(texts[other]) == state.source_hash else OUTDATED


def _fields(briefing, states) -> list[TranslatedField]:
    result = []
    for node in walk(briefing):
        obj = node.item
        for name in node.part.translated:
            item = TranslatedField(
                obj=obj, field=name, path=node.field_path(name), section=node.section
            )
            for code in LANGUAGE_CODES:
                item.texts[code] = text_of(obj, name, code)
            for code in LANGUAGE_CODES:
                state = states.get((type(obj), obj.pk, name, code))
                item.status[code] = field_status(item.texts, state, code)
                item.written_against[code] = state.source_text if state else ""
            result.append(item)
    return result


def load_with_status(queryset=None) -> list:
    """Briefings (newest first) with `.translated_fields` set, in a fixed number of queries."""
    briefings = list((queryset if queryset is not None else Briefing.objects).with_contents())
    objects = [node.item for briefing in briefings for node in walk(briefing)]
    states = states_for(objects)
    for briefing in briefings:
        briefing.translated_fields = _fields(briefing, states)
    return briefings


def briefing_status(briefing) -> list[TranslatedField]:
    """Every translated field of one briefing, in reading order."""
    (loaded,) = load_with_status(Briefing.objects.filter(pk=briefing.pk))
    return loaded.translated_fields


def summarize(fields: list[TranslatedField]) -> dict:
    """Per language: missing and outdated counts, and completeness in percent.

    Completeness is the share of fields with text in either language that are written in this
    language and up to date (an outdated translation is not yet complete).
    """
    written = [f for f in fields if any(f.texts.values())]
    summary = {}
    for code in LANGUAGE_CODES:
        missing = sum(1 for f in written if f.status[code] == MISSING)
        outdated = sum(1 for f in written if f.status[code] == OUTDATED)
        done = len(written) - missing - outdated
        summary[code] = {
            "missing": missing,
            "outdated": outdated,
            "completeness": round(100 * done / len(written)) if written else 100,
        }
    return summary
