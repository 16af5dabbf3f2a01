"""An issue written out as plain text or the shared JSON shape: one code path for the
`export_briefing` command and the admin's export buttons, so both give the same bytes."""

import json

from briefing.models import Briefing
from briefing.serialization import briefing_to_dict
from editorial.interchange.textformat import format_briefing_text

FORMATS = ("text", "json")
TEXT_LANGUAGES = ("ja", "en", "both")


def load_for_export(date) -> Briefing | None:
    return Briefing.objects.with_contents().filter(date=date).first()


def export_briefing(briefing: Briefing, format: str = "text", lang: str = "both") -> str:
    """`briefing` loaded with `load_for_export`; `lang` only matters for text."""
    data = briefing_to_dict(briefing)
    if format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return format_briefing_text(data, lang)


def export_filename(briefing: Briefing, format: str, lang: str) -> str:
    if format == "json":
        return f"daily-briefing-{briefing.date.isoformat()}.json"
    return f"daily-briefing-{briefing.date.isoformat()}-{lang}.txt"
