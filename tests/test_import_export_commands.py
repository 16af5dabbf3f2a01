import json

import pytest
from django.core.management import CommandError
from django.utils import translation

from briefing.models import Briefing, DeepDive, ReadMore, Takeaway
from briefing.serialization import briefing_to_dict
from editorial.interchange.importing import save_briefing_data
from editorial.interchange.textformat import parse_briefing_text
from tests.factories import SEED, make_briefing, run_command

pytestmark = pytest.mark.django_db


def table_counts():
    return [m.objects.count() for m in (Briefing, DeepDive, Takeaway, ReadMore)]


def test_it_imports_the_seed_as_a_draft_with_each_text_in_its_language():
    output = run_command("import_briefing", str(SEED))

    briefing = Briefing.objects.get()
    assert briefing.date.isoformat() == "2026-05-19"
    assert briefing.status == Briefing.Status.DRAFT
    assert briefing.theme_ja.startswith("安全とアクセスコライド")
    assert briefing.theme_en == ""
    deep_dives = list(briefing.deep_dives.all())
    assert [d.position for d in deep_dives] == [1, 2, 3]
    for deep_dive in deep_dives:
        for field in ("title", "what_happened", "why_it_matters"):
            assert getattr(deep_dive, f"{field}_ja") != ""
            assert getattr(deep_dive, f"{field}_en") == ""
        assert deep_dive.practical_points_ja == ""
        assert deep_dive.practical_points_en.startswith(("If you", "For multilingual"))
    takeaways = Takeaway.objects.filter(deep_dive__briefing=briefing)
    assert takeaways.count() == 9
    assert [t.text_ja for t in takeaways] == [""] * 9
    assert all(t.text_en for t in takeaways)
    read_more = list(briefing.read_more.all())
    assert [item.position for item in read_more] == [4, 5]
    assert (
        read_more[0].title_ja
        == "実用的な量子化ワークフロー: FP8 対 GPTQ 対 SmoothQuant (開発トレードオフ)"
    )
    assert read_more[1].summary_ja.startswith("管理された研究では")
    assert [item.title_en for item in read_more] == ["", ""]
    assert briefing.keywords.count() == 0
    assert output == (
        "Imported 2026-05-19 (Draft): 3 deep dives, 9 takeaways, 2 read-more items, "
        "0 keywords; fields filled: ja 16, en 12.\n"
    )


def test_publish_makes_the_imported_issue_public():
    run_command("import_briefing", str(SEED), "--publish")

    assert list(Briefing.objects.published().values_list("date", flat=True)) == [
        Briefing.objects.get().date
    ]


def test_it_refuses_an_existing_date_without_replace_and_changes_nothing():
    run_command("import_briefing", str(SEED))
    Briefing.objects.update(theme_en="Kept")

    with pytest.raises(CommandError, match="already exists. Use --replace to overwrite it."):
        run_command("import_briefing", str(SEED))

    assert Briefing.objects.get().theme_en == "Kept"
    assert table_counts() == [1, 3, 9, 2]


def test_replace_overwrites_in_place():
    run_command("import_briefing", str(SEED))
    original = Briefing.objects.get()
    DeepDive.objects.filter(position=1).update(title_ja="古いタイトル")

    run_command("import_briefing", str(SEED), "--replace")

    briefing = Briefing.objects.get()
    assert briefing.pk == original.pk
    assert briefing.deep_dives.get(position=1).title_ja.startswith("安全基準の研究は")
    assert table_counts() == [1, 3, 9, 2]


@pytest.mark.parametrize(
    ("text", "line_number"),
    [
        ("Some text\n2026-05-19\n", 1),
        ("2026-05-19\n\nKey Takeaways\n  • 01 Loose takeaway\n", 3),
        ("2026-05-19\n\n2026-05-20\n", 3),
        ("2026年2月30日\n", 1),
        ("2026-05-19\n\n02 Deep Dive\n\nTitle\n", 3),
    ],
)
def test_bad_input_names_the_line_and_saves_nothing(tmp_path, text, line_number):
    make_briefing()
    before = table_counts()
    path = tmp_path / "bad.txt"
    path.write_text(text)

    with pytest.raises(CommandError) as excinfo:
        run_command("import_briefing", str(path), "--replace")

    assert f"line {line_number}" in str(excinfo.value)
    assert "Nothing was saved" in str(excinfo.value)
    assert table_counts() == before


@pytest.mark.parametrize("active_language", ["ja", "en"])
def test_keywords_named_in_one_language_are_saved_whatever_language_is_active(active_language):
    # The admin's import runs in the editor's language, the command in none.
    data = parse_briefing_text("2026-05-19\n\nKeywords\nsafety, 安全, 量子化 (quantization)\n")

    with translation.override(active_language):
        save_briefing_data(data)

    keywords = Briefing.objects.get().keywords.all()
    assert [(k.slug, k.name_ja, k.name_en) for k in keywords] == [
        ("quantization", "量子化", "quantization"),
        ("safety", None, "safety"),
        ("安全", "安全", None),
    ]


def test_a_failure_after_parsing_rolls_everything_back(tmp_path):
    text = SEED.read_text().replace("05.\n", "04.\n")  # two read-more items numbered 04
    path = tmp_path / "dup.txt"
    path.write_text(text)

    with pytest.raises(CommandError):
        run_command("import_briefing", str(path))

    assert table_counts() == [0, 0, 0, 0]


def test_a_nul_character_is_refused_on_every_database_and_nothing_is_saved(tmp_path):
    # PostgreSQL cannot store NUL in text; SQLite could, so both must refuse it the same way.
    path = tmp_path / "nul.txt"
    path.write_text("2026-05-19\n\n01 Deep Dive\nA title\nWhat Happened\nBroken\x00text\n")

    with pytest.raises(CommandError) as caught:
        run_command("import_briefing", str(path))

    assert str(caught.value) == (
        f"{path}: Deep dive 01: what_happened_en: It contains a NUL character (U+0000), "
        "which cannot be stored. Nothing was saved."
    )
    assert table_counts() == [0, 0, 0, 0]


def test_non_utf8_input_is_a_clear_error(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("2026-05-19\n\nTL;DR\n\nCafé".encode("latin-1"))

    with pytest.raises(CommandError, match="UTF-8"):
        run_command("import_briefing", str(path))
    assert table_counts() == [0, 0, 0, 0]


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run_command("import_briefing", str(tmp_path / "nope.txt"))


def test_json_export_has_the_shared_shape():
    make_briefing(deep_dives=1, takeaways=1, read_more=1, keywords=["Safety"], theme_en="")

    data = json.loads(run_command("export_briefing", "2026-05-19", "--format", "json"))

    assert data == {
        "date": "2026-05-19",
        "status": "published",
        "theme": {"ja": "テーマ 05/19", "en": ""},
        "lead": {"ja": "リード文。", "en": "The lead."},
        "tldr": {"ja": "要約です。", "en": "The summary."},
        "keywords": [{"slug": "safety", "name": {"ja": "Safety（日本語）", "en": "Safety"}}],
        "deep_dives": [
            {
                "position": 1,
                "title": {"ja": "ディープダイブ1", "en": "Deep dive 1"},
                "what_happened": {"ja": "出来事。", "en": "What happened."},
                "why_it_matters": {"ja": "重要性。", "en": "Why it matters."},
                "practical_points": {"ja": "実践。", "en": "Practical points."},
                "sources": [],
                "takeaways": [{"position": 1, "text": {"ja": "ポイント1", "en": "Takeaway 1"}}],
            }
        ],
        "read_more": [
            {
                "position": 2,
                "title": {"ja": "関連記事1", "en": "Related 1"},
                "summary": {"ja": "概要。", "en": "Summary."},
                "url": "https://example.com/1",
            }
        ],
    }


def test_bilingual_text_export_imports_back_to_the_same_content(tmp_path):
    run_command("import_briefing", str(SEED))
    DeepDive.objects.filter(position=2).update(title_en="Multilingual safety evaluation grows")
    original = briefing_to_dict(Briefing.objects.with_contents().get())

    exported = run_command("export_briefing", "2026-05-19", "--format", "text", "--lang", "both")
    Briefing.objects.all().delete()
    path = tmp_path / "export.txt"
    path.write_text(exported)
    run_command("import_briefing", str(path))

    assert briefing_to_dict(Briefing.objects.with_contents().get()) == original


def test_export_of_an_unknown_date_is_a_clear_error():
    with pytest.raises(CommandError, match="There is no briefing for 2026-05-19"):
        run_command("export_briefing", "2026-05-19")


def test_export_of_a_malformed_date_is_a_clear_error():
    with pytest.raises(CommandError, match="is not a date"):
        run_command("export_briefing", "2026-13-40")
