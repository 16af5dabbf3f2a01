import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from briefing.cache import current_generation
from briefing.models import Briefing, DeepDive, Keyword, ReadMore, SearchDocument, Takeaway
from briefing.search import rebuild_search_documents, search
from briefing.serialization import briefing_to_dict
from editorial.models import TranslationState
from editorial.translation.state import rebuild_states, sync_states
from editorial.translation.status import briefing_status, summarize
from tests.factories import make_briefing

pytestmark = pytest.mark.django_db


def generate(*args) -> str:
    out = StringIO()
    call_command("generate_archive", "--days", "5", "--end-date", "2026-05-19", *args, stdout=out)
    return out.getvalue()


def export_all() -> str:
    briefings = Briefing.objects.with_contents().order_by("date")
    return json.dumps([briefing_to_dict(b) for b in briefings], ensure_ascii=False)


def test_it_generates_the_same_archive_from_the_same_seed():
    generate("--seed", "7")
    first = export_all()

    generate("--seed", "7", "--clear")

    assert export_all() == first
    generate("--seed", "8", "--clear")
    assert export_all() != first


def test_it_generates_one_published_issue_per_day_ending_at_the_given_date():
    output = generate()

    briefings = list(Briefing.objects.order_by("date"))
    assert [b.date.isoformat() for b in briefings] == [
        "2026-05-15",
        "2026-05-16",
        "2026-05-17",
        "2026-05-18",
        "2026-05-19",
    ]
    assert Briefing.objects.published().count() == 5
    assert output.startswith("Generated 5 issues (2026-05-15 to 2026-05-19): ")


def test_it_gives_each_issue_the_documented_shape():
    generate()

    for briefing in Briefing.objects.with_contents():
        deep_dives = list(briefing.deep_dives.all())
        assert 3 <= len(deep_dives) <= 5
        assert [d.position for d in deep_dives] == list(range(1, len(deep_dives) + 1))
        for deep_dive in deep_dives:
            assert [t.position for t in deep_dive.takeaways.all()] == [1, 2, 3]
        read_more = [item.position for item in briefing.read_more.all()]
        assert 2 <= len(read_more) <= 4
        assert read_more == list(range(len(deep_dives) + 1, len(deep_dives) + len(read_more) + 1))
        assert 3 <= briefing.keywords.count() <= 6
    assert Keyword.objects.count() == 350


def test_it_writes_text_of_realistic_length_in_both_languages():
    generate()

    deep_dives = DeepDive.objects.all()
    written = [d for d in deep_dives if d.why_it_matters_ja and d.why_it_matters_en]
    assert written
    for deep_dive in written:
        assert len(deep_dive.why_it_matters_ja) >= 80
        assert len(deep_dive.why_it_matters_en.split()) >= 30


def test_it_leaves_some_fields_missing_in_one_language_only():
    generate("--days", "60")

    missing_en = Takeaway.objects.filter(text_en="").exclude(text_ja="").count()
    missing_ja = DeepDive.objects.filter(title_ja="").exclude(title_en="").count()
    assert missing_en > 0
    assert missing_ja > 0
    # A field is never empty in both languages.
    assert Takeaway.objects.filter(text_en="", text_ja="").count() == 0
    assert ReadMore.objects.filter(title_en="", title_ja="").count() == 0


def test_it_contains_words_that_search_can_find_in_both_languages():
    generate("--days", "60")

    assert DeepDive.objects.filter(what_happened_ja__contains="量子化").exists()
    assert DeepDive.objects.filter(what_happened_ja__contains="安全評価").exists()
    assert DeepDive.objects.filter(what_happened_en__icontains="quantization").exists()


def test_it_refuses_to_write_over_existing_issues_without_clear():
    make_briefing(date=datetime.date(2026, 5, 17))

    with pytest.raises(CommandError, match="already exist"):
        generate()

    assert Briefing.objects.count() == 1


def test_clear_refuses_a_database_holding_issues_it_did_not_generate():
    make_briefing(date=datetime.date(2020, 1, 1))
    generate()

    with pytest.raises(CommandError) as refused:
        generate("--clear")

    assert str(refused.value) == (
        "--clear refused: this database holds 1 issues that generate_archive did not write "
        "(DATABASE_URL names a real database?). Nothing was deleted."
    )
    assert Briefing.objects.count() == 6
    assert Briefing.objects.filter(date=datetime.date(2020, 1, 1)).exists()


def test_it_builds_the_search_documents_that_signals_would_have_built():
    generate()

    built = list(SearchDocument.objects.order_by("pk").values("pk", "body", "text_ja", "text_en"))
    SearchDocument.objects.all().delete()
    rebuild_search_documents(Briefing.objects.values_list("pk", flat=True))

    assert len(built) == 5
    assert built == list(
        SearchDocument.objects.order_by("pk").values("pk", "body", "text_ja", "text_en")
    )
    assert [b.date.isoformat() for b in search("安全評価")] == ["2026-05-17"]
    assert [b.date.isoformat() for b in search("BENCHMARK")] == [
        "2026-05-19",
        "2026-05-18",
        "2026-05-16",
        "2026-05-15",
    ]


def test_it_starts_a_new_page_cache_generation(django_capture_on_commit_callbacks):
    before = current_generation().token

    with django_capture_on_commit_callbacks(execute=True):
        generate()

    assert current_generation().token != before


def state_rows():
    return sorted(
        TranslationState.objects.values_list(
            "content_type_id", "object_id", "field", "language", "text_hash", "source_hash"
        )
    )


def test_it_records_the_translation_status_that_signals_would_have_recorded():
    generate("--days", "20")
    built = state_rows()

    TranslationState.objects.all().delete()
    for briefing in Briefing.objects.all():
        rebuild_states(briefing)
    sync_states(list(Keyword.objects.all()))

    assert len(built) > 20 * 40
    assert built == state_rows()
    # The partly untranslated issues show in the translation queue, nothing is outdated.
    summaries = [summarize(briefing_status(b)) for b in Briefing.objects.with_contents()]
    assert any(s["en"]["missing"] for s in summaries)
    assert any(s["ja"]["missing"] for s in summaries)
    assert all(s[code]["outdated"] == 0 for s in summaries for code in ("ja", "en"))
