"""What changed between two versions of an issue, field by field, as text.

English is compared word by word, Japanese character by character (it has no spaces to split
words on); a part added or removed shows all its text as inserted or deleted.
"""

from dataclasses import dataclass

from django.utils.translation import get_language_info

from briefing.content import describe
from editorial.history import content_values
from editorial.translation.editor import diff_segments


@dataclass
class Change:
    label: str
    language: str  # a language's name, or "" for a field in no language (a link)
    segments: list  # [(tag, text)]: equal, delete, insert


def changes(older: dict, newer: dict) -> list[Change]:
    before, after = dict(content_values(older)), dict(content_values(newer))
    paths = [*after, *(path for path in before if path not in after)]
    found = []
    for path in paths:
        old, new = before.get(path) or {}, after.get(path) or {}
        for code in dict.fromkeys([*new, *old]):
            a, b = old.get(code, ""), new.get(code, "")
            if a == b:
                continue
            found.append(
                Change(
                    label=describe(path),
                    language=str(get_language_info(code)["name_translated"]) if code else "",
                    segments=diff_segments(a, b, code or "en"),
                )
            )
    return found
