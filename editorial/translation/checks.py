"""Quality checks on a translation: warnings for the translator, never a reason to refuse it."""

import re
import unicodedata

from django.utils.translation import gettext as _

# Digits inside a name ("GPT-4", "H100") belong to the name check, not the number check.
NUMBER = re.compile(r"(?<![A-Za-z0-9])(?<![A-Za-z]-)\d+(?:[.,]\d+)*%?")
URL = re.compile(r"https?://[^\s<>\"'、。）)]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.+][A-Za-z0-9]+)*\+*")
ASCII_END = (".", ",", "!", "?", ":", ";")
FULL_WIDTH_PUNCTUATION = "。、！？：；，．「」"

# Character-length ratio translation/source outside which a translation is probably cut short
# or padded. Japanese packs about 2–3 times as much per character as English, so English runs
# about 2.5× the Japanese length (ja→en) and Japanese about 0.4× the English (en→ja); the bands
# are wide because headlines and lists vary a lot. Short texts are not checked.
LENGTH_RATIO = {("ja", "en"): (1.0, 6.0), ("en", "ja"): (0.15, 1.0)}
MIN_LENGTH_FOR_RATIO = 20


def _normalize(text: str) -> str:
    # Full-width digits, ％ and letters count as their ASCII forms.
    return unicodedata.normalize("NFKC", text)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in NUMBER.findall(_normalize(text))}


def _product_names(text: str, source: str) -> list[str]:
    words = LATIN_WORD.findall(_normalize(text))
    if source == "ja":
        # In Japanese text, Latin script is names, products and acronyms.
        candidates = words
    else:
        # In English, only what is not ordinary capitalisation: "arXiv", "GPT-4", "LLM".
        candidates = [
            w
            for w in words
            if any(c.isdigit() for c in w)
            or sum(c.isupper() for c in w) >= 2
            or (w[0].islower() and any(c.isupper() for c in w))
        ]
    return list(dict.fromkeys(w for w in candidates if len(w) >= 2))


def check(source_text: str, translation: str, source: str, target: str, terms=()) -> list[str]:
    """Warnings about `translation` (in `target`) of `source_text` (in `source`)."""
    source_text, translation = source_text.strip(), translation.strip()
    if not source_text or not translation:
        return []
    warnings = []
    plain = _normalize(translation)
    missing_numbers = sorted(_numbers(source_text) - _numbers(translation))
    if missing_numbers:
        warnings.append(
            _("Numbers in the source missing from the translation: %(items)s")
            % {"items": ", ".join(missing_numbers)}
        )
    missing_urls = [u for u in URL.findall(source_text) if u not in translation]
    if missing_urls:
        warnings.append(
            _("Links in the source missing from the translation: %(items)s")
            % {"items": ", ".join(missing_urls)}
        )
    missing_names = [
        w for w in _product_names(source_text, source) if w.lower() not in plain.lower()
    ]
    if missing_names:
        warnings.append(
            _("Names in the source missing from the translation: %(items)s")
            % {"items": ", ".join(missing_names)}
        )
    if translation == source_text:
        warnings.append(_("The translation is identical to the source."))
    if target == "ja" and translation.endswith(ASCII_END):
        warnings.append(_("Japanese text ends with ASCII punctuation."))
    if target == "en" and any(c in translation for c in FULL_WIDTH_PUNCTUATION):
        warnings.append(_("English text contains full-width punctuation."))
    low, high = LENGTH_RATIO.get((source, target), (0, float("inf")))
    if len(source_text) >= MIN_LENGTH_FOR_RATIO:
        ratio = len(translation) / len(source_text)
        if not low <= ratio <= high:
            warnings.append(
                _(
                    "The translation is %(ratio).1f× the length of the source (usual: %(low)s–%(high)s×)."
                )
                % {"ratio": ratio, "low": low, "high": high}
            )
    dropped = [
        t
        for t in terms
        if t.source in source_text and t.translation.lower() not in translation.lower()
    ]
    if dropped:
        warnings.append(
            _("Glossary terms not used: %(items)s")
            % {"items": ", ".join(f"{t.source} → {t.translation}" for t in dropped)}
        )
    return warnings
