"""One term per concept: the Japanese catalog follows docs/glossary.md."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOG = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def glossary() -> list[tuple[list[str], str, list[str]]]:
    """(English terms, Japanese term, variants not to use) per row of the table."""
    rows = []
    for line in GLOSSARY.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("English", "---") or set(cells[0]) <= {"-"}:
            continue
        english = [re.sub(r"\s*\(.*\)", "", term).strip() for term in cells[0].split("/")]
        banned = [variant.strip() for variant in cells[2].split(",") if variant.strip()]
        rows.append((english, cells[1], banned))
    return rows


def entries():
    return [
        e for e in polib.pofile(str(CATALOG)) if not e.obsolete and (e.msgstr or e.msgstr_plural)
    ]


def translations(entry) -> list[str]:
    return [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())


def test_the_glossary_has_its_terms():
    terms = {english[0]: japanese for english, japanese, _banned in glossary()}
    assert terms["key takeaway"] == "重要なポイント"
    assert terms["practical points"] == "実践ポイント"
    assert len(terms) >= 20


# The names of an issue's parts and of history's steps: a message that names one in English
# names it with its Japanese term. (Workflow words such as "live" or "missing" also have
# everyday senses, so for them only the variants are checked.)
NAMED_EVERYWHERE = {
    "deep dive",
    "practical points",
    "keyword",
    "version",
    "restore",
    "recover",
    "two-factor login",
    "one-time code",
    "authenticator app",
}


@pytest.mark.parametrize(("english", "japanese", "banned"), glossary(), ids=lambda v: str(v))
def test_the_catalog_uses_the_glossarys_term(english, japanese, banned):
    wrong = []
    for entry in entries():
        for text in translations(entry):
            wrong += [(entry.msgid, text) for variant in banned if variant in text]
            named = english[0] in NAMED_EVERYWHERE and any(
                re.search(rf"\b{re.escape(term)}s?\b", entry.msgid, re.IGNORECASE)
                for term in english
            )
            if named and japanese not in text:
                wrong.append((entry.msgid, text))
    assert wrong == []
