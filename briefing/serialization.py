"""The one JSON shape of an issue, shared by the export command, the API and backups.

The shape follows the map of an issue (briefing.content): the date and status, then every
part's fields (translated ones as {"ja": ..., "en": ...}) and its children as lists.
"""

from . import content
from .content import LANGUAGE_CODES, translated_values, translations

__all__ = [
    "LANGUAGE_CODES",
    "briefing_to_dict",
    "filled_field_counts",
    "translated_values",
    "translations",
]


def briefing_to_dict(briefing, items=None) -> dict:
    """Serialise a briefing loaded with `Briefing.objects.with_contents()` (or, with `items`,
    one whose parts come from elsewhere: see content.to_dict)."""
    return {
        "date": briefing.date.isoformat(),
        "status": briefing.status,
        **content.to_dict(briefing, items=items),
    }


def filled_field_counts(data: dict) -> dict[str, int]:
    """How many translated fields have text, per language."""
    counts = dict.fromkeys(LANGUAGE_CODES, 0)
    for _path, values in translated_values(data):
        for code in LANGUAGE_CODES:
            if values.get(code):
                counts[code] += 1
    return counts


def percent_written(all_values) -> dict[str, int]:
    """Percentage of written fields per language, out of the fields written in any language,
    from an issue's translated values ({"ja": ..., "en": ...} for each field, in the order
    `translated_values` gives them)."""
    written = 0
    filled = dict.fromkeys(LANGUAGE_CODES, 0)
    for values in all_values:
        if any(values.values()):
            written += 1
        for code in LANGUAGE_CODES:
            if values.get(code):
                filled[code] += 1
    return {code: round(100 * filled[code] / written) if written else 100 for code in filled}
