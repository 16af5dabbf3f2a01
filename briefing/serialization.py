"""The one JSON shape of an issue, shared by the export command, the API and backups."""

from django.conf import settings

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def translations(obj, field: str) -> dict[str, str]:
    """A translated field as {"ja": ..., "en": ...}, with "" for a language not yet written."""
    return {code: getattr(obj, f"{field}_{code}") or "" for code in LANGUAGE_CODES}


def briefing_to_dict(briefing) -> dict:
    """Serialise a briefing loaded with `Briefing.objects.with_contents()`."""
    return {
        "date": briefing.date.isoformat(),
        "status": briefing.status,
        "theme": translations(briefing, "theme"),
        "lead": translations(briefing, "lead"),
        "tldr": translations(briefing, "tldr"),
        "keywords": [
            {"slug": keyword.slug, "name": translations(keyword, "name")}
            for keyword in briefing.keywords.all()
        ],
        "deep_dives": [
            {
                "position": deep_dive.position,
                "title": translations(deep_dive, "title"),
                "what_happened": translations(deep_dive, "what_happened"),
                "why_it_matters": translations(deep_dive, "why_it_matters"),
                "practical_points": translations(deep_dive, "practical_points"),
                "takeaways": [
                    {"position": takeaway.position, "text": translations(takeaway, "text")}
                    for takeaway in deep_dive.takeaways.all()
                ],
            }
            for deep_dive in briefing.deep_dives.all()
        ],
        "read_more": [
            {
                "position": item.position,
                "title": translations(item, "title"),
                "summary": translations(item, "summary"),
                "url": item.url,
            }
            for item in briefing.read_more.all()
        ],
    }


def translated_values(data: dict):
    """Yield (label, {"ja": ..., "en": ...}) for every translated field of an issue dict, in order."""
    for field in ("theme", "lead", "tldr"):
        yield field, data[field]
    for deep_dive in data["deep_dives"]:
        prefix = f"deep_dives[{deep_dive['position']}]"
        for field in ("title", "what_happened", "why_it_matters", "practical_points"):
            yield f"{prefix}.{field}", deep_dive[field]
        for takeaway in deep_dive["takeaways"]:
            yield f"{prefix}.takeaways[{takeaway['position']}].text", takeaway["text"]
    for item in data["read_more"]:
        prefix = f"read_more[{item['position']}]"
        yield f"{prefix}.title", item["title"]
        yield f"{prefix}.summary", item["summary"]
    for keyword in data["keywords"]:
        yield f"keywords[{keyword['slug']}].name", keyword["name"]


def filled_field_counts(data: dict) -> dict[str, int]:
    """How many translated fields have text, per language."""
    counts = dict.fromkeys(LANGUAGE_CODES, 0)
    for _label, values in translated_values(data):
        for code in LANGUAGE_CODES:
            if values.get(code):
                counts[code] += 1
    return counts


def completeness(data: dict) -> dict[str, int]:
    """Percentage of written fields per language, out of the fields written in any language."""
    written = sum(1 for _label, values in translated_values(data) if any(values.values()))
    filled = filled_field_counts(data)
    return {code: round(100 * filled[code] / written) if written else 100 for code in filled}
