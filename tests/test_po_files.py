from pathlib import Path

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.template.defaultfilters import filesizeformat

from briefing.models import Briefing, DeepDive, Takeaway
from briefing.serialization import briefing_to_dict
from editorial.roles import TRANSLATORS
from editorial.translation.po import MAX_PO_BYTES
from editorial.translation.status import OUTDATED, UP_TO_DATE, briefing_status
from tests.factories import SEED, make_briefing, make_user, run_command

pytestmark = pytest.mark.django_db


def snapshot():
    return briefing_to_dict(Briefing.objects.with_contents().get())


def test_the_export_has_one_entry_per_field_with_a_stable_context(tmp_path):
    briefing = make_briefing(deep_dives=1, takeaways=1, read_more=1, keywords=["Safety"])
    briefing.lead_ja = "新しいリード。"
    briefing.save()
    Takeaway.objects.update(text_en="")
    path = tmp_path / "en.po"

    output = run_command("export_translations", "2026-05-19", "--to", "en", str(path))

    po = polib.pofile(str(path))
    assert po.metadata["Language"] == "en"
    assert po.metadata["X-Briefing-Date"] == "2026-05-19"
    assert po.metadata["X-Source-Language"] == "ja"
    assert [e.msgctxt for e in po] == [
        "2026-05-19/theme",
        "2026-05-19/lead",
        "2026-05-19/tldr",
        "2026-05-19/deep_dives/1/title",
        "2026-05-19/deep_dives/1/what_happened",
        "2026-05-19/deep_dives/1/why_it_matters",
        "2026-05-19/deep_dives/1/practical_points",
        "2026-05-19/deep_dives/1/takeaways/1/text",
        "2026-05-19/read_more/2/title",
        "2026-05-19/read_more/2/summary",
        "2026-05-19/keywords/safety/name",
    ]
    lead = po.find("新しいリード。", msgctxt="2026-05-19/lead")
    assert (lead.msgstr, lead.flags, lead.previous_msgid) == ("The lead.", ["fuzzy"], "リード文。")
    assert [e.msgctxt for e in po.untranslated_entries()] == [
        "2026-05-19/deep_dives/1/takeaways/1/text"
    ]
    assert (
        output == f"Wrote 11 entries for 2026-05-19 into en to {path} (1 untranslated, 1 fuzzy).\n"
    )


def test_a_round_trip_fills_translations_and_refuses_changed_sources(tmp_path):
    run_command("import_briefing", str(SEED))
    path = tmp_path / "en.po"
    run_command("export_translations", "2026-05-19", "--to", "en", str(path))
    po = polib.pofile(str(path))
    assert len(po.untranslated_entries()) == 16
    for entry in po.untranslated_entries():
        entry.msgstr = f"EN: {entry.msgctxt}"
    po.save()
    # Meanwhile an editor rewrites the source of one entry.
    deep_dive = DeepDive.objects.get(position=1)
    deep_dive.title_ja = "安全性ベンチマークの研究が、自らに目を向ける"
    deep_dive.save()

    output = run_command("import_translations", str(path))

    deep_dive.refresh_from_db()
    assert deep_dive.title_en == ""
    assert "refused: 2026-05-19/deep_dives/1/title (the source changed since the export)" in output
    assert output.splitlines()[-1] == "2026-05-19, en: 15 changed, 1 refused."
    assert "changed: 2026-05-19/theme" in output
    briefing = Briefing.objects.get()
    assert briefing.theme_en == "EN: 2026-05-19/theme"
    # The sources are untouched.
    assert briefing.theme_ja.startswith("安全とアクセスコライド")
    missing_en = [f.path for f in briefing_status(briefing) if f.status["en"] == "missing"]
    assert missing_en == ["deep_dives/1/title"]


def test_a_translation_follows_its_part_when_parts_were_reordered_after_the_export(tmp_path):
    run_command("import_briefing", str(SEED))
    path = tmp_path / "en.po"
    run_command("export_translations", "2026-05-19", "--to", "en", str(path))
    po = polib.pofile(str(path))
    first = DeepDive.objects.get(position=1)
    po.find(first.title_ja, msgctxt="2026-05-19/deep_dives/1/title").msgstr = "The first's title"
    po.save()
    # Meanwhile an editor swaps deep dives 1 and 2, without changing a word.
    second = DeepDive.objects.get(position=2)
    DeepDive.objects.filter(pk=first.pk).update(position=99)
    DeepDive.objects.filter(pk=second.pk).update(position=1)
    DeepDive.objects.filter(pk=first.pk).update(position=2)

    output = run_command("import_translations", str(path))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, first.title_en, second.title_en) == (2, "The first's title", "")
    assert "changed: 2026-05-19/deep_dives/2/title" in output
    assert "refused" not in output.replace(", 0 refused.", "")
    assert output.splitlines()[-1] == "2026-05-19, en: 1 changed, 0 refused."


def test_an_entry_whose_source_two_fields_now_hold_is_refused(tmp_path):
    make_briefing(deep_dives=3)
    path = tmp_path / "en.po"
    run_command("export_translations", "2026-05-19", "--to", "en", str(path))
    po = polib.pofile(str(path))
    po.find("ディープダイブ1", msgctxt="2026-05-19/deep_dives/1/title").msgstr = "Which one?"
    po.save()
    # Its own field rewritten, and two others now hold its source: no one place it belongs.
    DeepDive.objects.filter(position=1).update(title_ja="書き直し")
    DeepDive.objects.exclude(position=1).update(title_ja="ディープダイブ1")

    output = run_command("import_translations", str(path))

    assert "refused: 2026-05-19/deep_dives/1/title (the source changed since the export)" in output
    assert "Which one?" not in DeepDive.objects.values_list("title_en", flat=True)


def test_import_never_writes_the_source_language(tmp_path):
    make_briefing()
    path = tmp_path / "en.po"
    run_command("export_translations", "2026-05-19", "--to", "en", str(path))
    po = polib.pofile(str(path))
    entry = po.find("リード文。", msgctxt="2026-05-19/lead")
    entry.msgstr = "A new lead."
    po.append(polib.POEntry(msgctxt="2026-05-19/date", msgid="2026-05-19", msgstr="2027-01-01"))
    po.append(polib.POEntry(msgctxt="2026-05-19/read_more/2/url", msgid="x", msgstr="https://evil"))
    po.save()

    output = run_command("import_translations", str(path))

    briefing = Briefing.objects.get()
    assert (briefing.lead_ja, briefing.lead_en) == ("リード文。", "A new lead.")
    assert briefing.date.isoformat() == "2026-05-19"
    assert briefing.read_more.get().url == "https://example.com/1"
    assert "refused: 2026-05-19/date (no such field in this issue)" in output
    assert "refused: 2026-05-19/read_more/2/url (no such field in this issue)" in output
    assert output.splitlines()[-1] == "2026-05-19, en: 1 changed, 2 refused."


def test_removing_the_fuzzy_flag_marks_an_outdated_translation_still_correct(tmp_path):
    briefing = make_briefing()
    briefing.lead_ja = "リード文（修正）。"
    briefing.save()
    path = tmp_path / "en.po"
    run_command("export_translations", "2026-05-19", "--to", "en", str(path))
    po = polib.pofile(str(path))
    po.find("リード文（修正）。", msgctxt="2026-05-19/lead").flags.remove("fuzzy")
    po.save()

    output = run_command("import_translations", str(path))

    assert "marked still correct: 2026-05-19/lead" in output
    (lead,) = [f for f in briefing_status(briefing) if f.path == "lead"]
    assert lead.status["en"] == UP_TO_DATE


def test_a_fuzzy_entry_is_not_applied(tmp_path):
    briefing = make_briefing()
    briefing.lead_ja = "リード文（修正）。"
    briefing.save()
    path = tmp_path / "en.po"
    run_command("export_translations", "2026-05-19", "--to", "en", str(path))
    po = polib.pofile(str(path))
    po.find("リード文（修正）。", msgctxt="2026-05-19/lead").msgstr = "Unsure lead."
    po.save()

    output = run_command("import_translations", str(path))

    assert "skipped: 2026-05-19/lead (marked fuzzy)" in output
    assert Briefing.objects.get().lead_en == "The lead."
    (lead,) = [f for f in briefing_status(briefing) if f.path == "lead"]
    assert lead.status["en"] == OUTDATED


def test_a_malformed_file_is_a_clear_error_and_saves_nothing(tmp_path):
    make_briefing()
    before = snapshot()
    path = tmp_path / "broken.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n"X-Briefing-Date: 2026-05-19\\n"\n\n'
        'msgctxt "2026-05-19/lead"\nmsgid "リード文。"\nmsgstr "Changed"\n\n'
        'msgctxt "2026-05-19/theme"\nmsgid "テーマ 05/19"\nmsgstr "x"\nthis is not PO\n'
    )

    with pytest.raises(CommandError) as refused:
        run_command("import_translations", str(path))

    assert str(refused.value) == (
        f"{path}: Not a valid PO file: syntax error on line 13. Nothing was saved."
    )

    assert snapshot() == before


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ('"X-Briefing-Date: 2026-05-19\\n"', "names no target language"),
        ('"Language: en\\n"', "names no issue date"),
        ('"Language: en\\n"\n"X-Briefing-Date: 2026-05-20\\n"', "no briefing for 2026-05-20"),
    ],
)
def test_a_file_without_usable_metadata_is_refused(tmp_path, header, message):
    make_briefing()
    path = tmp_path / "en.po"
    path.write_text(f'msgid ""\nmsgstr ""\n{header}\n')

    with pytest.raises(CommandError, match=message):
        run_command("import_translations", str(path))


def test_a_translation_too_long_for_its_field_is_refused(tmp_path):
    make_briefing()
    path = tmp_path / "en.po"
    run_command("export_translations", "2026-05-19", "--to", "en", str(path))
    po = polib.pofile(str(path))
    po.find("テーマ 05/19", msgctxt="2026-05-19/theme").msgstr = "x" * 301
    po.save()

    output = run_command("import_translations", str(path))

    assert "refused: 2026-05-19/theme (longer than 300 characters)" in output
    assert Briefing.objects.get().theme_en == "Theme 05/19"


def test_a_non_utf8_or_missing_file_is_a_clear_error(tmp_path):
    path = tmp_path / "latin1.po"
    path.write_bytes('msgid "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run_command("import_translations", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        run_command("import_translations", str(tmp_path / "nope.po"))


def test_a_file_over_the_limit_is_refused_unread(tmp_path, monkeypatch):
    path = tmp_path / "en.po"
    path.write_bytes(b"#" * (MAX_PO_BYTES + 1))
    read = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or b"")

    with pytest.raises(CommandError) as refused:
        run_command("import_translations", str(path))

    assert str(refused.value) == (
        f"{path}: The file is {MAX_PO_BYTES + 1:,} bytes; the limit is {MAX_PO_BYTES:,} bytes "
        f"({filesizeformat(MAX_PO_BYTES)}). Nothing was saved."
    )
    assert read == []


def test_export_of_an_unknown_date_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="There is no briefing for 2026-05-19"):
        run_command("export_translations", "2026-05-19", "--to", "en", str(tmp_path / "x.po"))


def test_many_untranslated_entries_are_reported_as_one_count(client):
    make_briefing(deep_dives=2)
    client.force_login(make_user("toru", role=TRANSLATORS))
    editor = "/en/admin/translations/2026-05-19/ja/"
    po = polib.pofile(client.get(editor + "po/").content.decode())
    for entry in po:
        entry.msgstr = ""
    upload = SimpleUploadedFile("ja.po", str(po).encode(), "text/x-gettext-translation")

    response = client.post(editor + "po/upload/", {"file": upload}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "2026-05-19, ja: 0 changed, 0 refused.",
        f"skipped: {len(po)} entries (not translated)",
    ]
