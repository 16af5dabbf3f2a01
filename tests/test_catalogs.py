"""The committed translation catalogs: every interface string has its Japanese, and the compiled
.mo files (which Django reads; a fresh machine has no gettext tools to rebuild them) say exactly
what the .po files say."""

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
JAPANESE = LOCALE / "ja" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")


def key(entry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def compiled(entries) -> dict:
    """What a catalog translates, keyed by context and msgid, as msgfmt compiles it."""
    return {
        key(entry): (entry.msgstr, dict(sorted(entry.msgstr_plural.items())))
        for entry in entries
        if entry.msgid and (entry.msgstr or any(entry.msgstr_plural.values()))
    }


def test_every_japanese_entry_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(JAPANESE))
    untranslated = {key(entry) for entry in po.untranslated_entries()}
    fuzzy = {key(entry) for entry in po.fuzzy_entries()}
    # No exception: Django's own lookups (such as "DATETIME_FORMAT") are translated by
    # Django's catalogs, not ours.
    assert untranslated == set()
    assert fuzzy == set()


def test_each_japanese_translation_keeps_the_placeholders_of_its_source():
    po = polib.pofile(str(JAPANESE))
    wrong = []
    for entry in po.translated_entries():
        expected = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for msgstr in [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values():
            if set(PLACEHOLDER.findall(msgstr)) != expected:
                wrong.append((entry.msgid, msgstr))
    assert wrong == []


@pytest.mark.parametrize(
    "po_path", sorted(LOCALE.glob("*/LC_MESSAGES/django.po")), ids=lambda p: p.parts[-3]
)
def test_the_compiled_catalog_is_in_step_with_its_po_file(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run compilemessages"
    po = polib.pofile(str(po_path))
    # msgfmt leaves out fuzzy and obsolete entries, as Django would ignore them.
    expected = compiled(entry for entry in po if not entry.obsolete and not entry.fuzzy)
    assert compiled(polib.mofile(str(mo_path))) == expected
