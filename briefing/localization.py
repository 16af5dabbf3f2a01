"""Which language a reader sees, in one place.

modeltranslation's own fallback is off: a field not yet written in the reader's language shows
the other language's text *marked as such* (with its `lang` attribute and a visible note), never
a silent mix. A field empty in both languages is empty, and its section is left out.
"""

import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .content import LANGUAGE_CODES

# The note shown next to text in the other language, in the reader's language.
FALLBACK_NOTES = {
    "ja": _("Not yet translated — Japanese original"),
    "en": _("Not yet translated — English original"),
}
LANGUAGE_NAMES = dict(settings.LANGUAGES)

# Reading speed: Japanese readers take in about 500 characters a minute and English readers about
# 200 words a minute (common rules of thumb for long-form text), so Japanese is counted in
# characters and English in words.
JAPANESE_CHARACTERS_PER_MINUTE = 500
ENGLISH_WORDS_PER_MINUTE = 200


def reader_language() -> str:
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


def other_languages(lang: str) -> list[str]:
    return [code for code in LANGUAGE_CODES if code != lang]


@dataclass(frozen=True)
class Localized:
    text: str
    lang: str
    is_fallback: bool

    def __bool__(self):
        return bool(self.text)

    def __str__(self):
        return self.text

    @property
    def note(self):
        return FALLBACK_NOTES[self.lang] if self.is_fallback else ""


def localized(obj, field: str, lang: str | None = None) -> Localized:
    """The field in `lang` (the reader's language by default), else in another language."""
    lang = lang or reader_language()
    for code in [lang, *other_languages(lang)]:
        text = getattr(obj, f"{field}_{code}") or ""
        if text.strip():
            return Localized(text, code, code != lang)
    return Localized("", lang, False)


def _minutes(text: str, lang: str) -> float:
    if lang == "ja":
        return len(re.sub(r"\s", "", text)) / JAPANESE_CHARACTERS_PER_MINUTE
    return len(text.split()) / ENGLISH_WORDS_PER_MINUTE


def minutes_to_read(all_values, lang: str) -> int:
    """Minutes to read an issue as shown in `lang` (fallback text counted in its own language),
    from its translated values ({"ja": ..., "en": ...} for each field, as `translated_values`
    gives them)."""
    total = 0.0
    order = [lang, *other_languages(lang)]
    for values in all_values:
        for code in order:
            if values.get(code, "").strip():
                total += _minutes(values[code], code)
                break
    return max(1, math.ceil(total))
