import datetime
import json

import pytest
import reversion
from django.core.management import CommandError
from reversion.models import Version

from briefing.models import Briefing, DeepDive, Keyword, Takeaway
from briefing.serialization import briefing_to_dict
from editorial.interchange.importing import save_briefing_data
from editorial.models import TranslationState
from editorial.translation.state import mark_still_correct, rebuild_states
from editorial.translation.status import (
    MISSING,
    OUTDATED,
    UP_TO_DATE,
    briefing_status,
    load_with_status,
    summarize,
)
from tests.factories import SEED, make_briefing, run_command

pytestmark = pytest.mark.django_db


def status_of(briefing, path):
    (item,) = [f for f in briefing_status(briefing) if f.path == path]
    return item.status


def test_the_seed_as_imported_misses_16_english_and_12_japanese_fields():
    run_command("import_briefing", str(SEED))

    (briefing,) = load_with_status()
    summary = summarize(briefing.translated_fields)
    assert summary["en"]["missing"] == 16
    assert summary["ja"]["missing"] == 12
    assert summary["en"]["outdated"] == 0
    assert summary["ja"]["outdated"] == 0


def test_the_command_prints_counts_and_completeness_for_the_seed():
    run_command("import_briefing", str(SEED))

    rows = json.loads(run_command("translation_status", "2026-05-19", "--json"))

    assert [row["date"] for row in rows] == ["2026-05-19"]
    languages = rows[0]["languages"]
    assert (languages["en"]["missing"], languages["ja"]["missing"]) == (16, 12)
    written = len([f for f in load_with_status()[0].translated_fields if any(f.texts.values())])
    assert languages["en"]["completeness"] == round(100 * (written - 16) / written)
    text = run_command("translation_status", "2026-05-19")
    assert text.startswith("2026-05-19  ja: 12 missing, 0 outdated, ")
    assert "en: 16 missing, 0 outdated, " in text


def test_the_command_lists_every_briefing_newest_first_without_a_date():
    make_briefing(datetime.date(2026, 5, 18))
    make_briefing(datetime.date(2026, 5, 19), lead_en="")

    lines = run_command("translation_status").splitlines()

    assert [line[:10] for line in lines] == ["2026-05-19", "2026-05-18"]
    assert "en: 1 missing, 0 outdated" in lines[0]
    assert "en: 0 missing, 0 outdated, 100% complete" in lines[1]


def test_the_command_refuses_an_unknown_or_malformed_date():
    with pytest.raises(CommandError, match="No briefing for 2026-05-19"):
        run_command("translation_status", "2026-05-19")
    with pytest.raises(CommandError, match="is not a date"):
        run_command("translation_status", "19/05/2026")


def test_fields_come_in_reading_order():
    briefing = make_briefing(deep_dives=2, takeaways=1, read_more=1, keywords=["Safety"])

    paths = [f.path for f in briefing_status(briefing)]

    assert paths == [
        "theme",
        "lead",
        "tldr",
        "deep_dives/1/title",
        "deep_dives/1/what_happened",
        "deep_dives/1/why_it_matters",
        "deep_dives/1/practical_points",
        "deep_dives/1/takeaways/1/text",
        "deep_dives/2/title",
        "deep_dives/2/what_happened",
        "deep_dives/2/why_it_matters",
        "deep_dives/2/practical_points",
        "deep_dives/2/takeaways/1/text",
        "read_more/3/title",
        "read_more/3/summary",
        "keywords/safety/name",
    ]


def test_a_source_changed_by_a_model_save_makes_the_translation_outdated():
    briefing = make_briefing(lead_ja="元のリード。", lead_en="The original lead.")
    assert status_of(briefing, "lead") == {"ja": UP_TO_DATE, "en": UP_TO_DATE}

    briefing.lead_ja = "新しいリード。"
    briefing.save()

    assert status_of(briefing, "lead") == {"ja": UP_TO_DATE, "en": OUTDATED}
    (item,) = [f for f in briefing_status(briefing) if f.path == "lead"]
    assert item.written_against["en"] == "元のリード。"


def test_rewriting_the_translation_brings_it_up_to_date():
    briefing = make_briefing()
    briefing.lead_ja = "新しいリード。"
    briefing.save()

    briefing.lead_en = "The new lead."
    briefing.save()

    assert status_of(briefing, "lead") == {"ja": UP_TO_DATE, "en": UP_TO_DATE}


def test_an_original_is_not_outdated_when_its_translation_arrives_or_is_polished():
    briefing = make_briefing(lead_ja="リード。", lead_en="")
    assert status_of(briefing, "lead") == {"ja": UP_TO_DATE, "en": MISSING}

    briefing.lead_en = "Lead."
    briefing.save()
    briefing.lead_en = "The lead."
    briefing.save()

    assert status_of(briefing, "lead") == {"ja": UP_TO_DATE, "en": UP_TO_DATE}


def test_saving_only_other_columns_keeps_the_status():
    briefing = make_briefing()
    briefing.lead_ja = "変更。"
    briefing.save()

    briefing.status = Briefing.Status.DRAFT
    briefing.save(update_fields=["status"])

    assert status_of(briefing, "lead")["en"] == OUTDATED


def test_mark_still_correct_makes_an_outdated_translation_up_to_date():
    briefing = make_briefing()
    briefing.lead_ja = "リード文（句読点だけ修正）"
    briefing.save()

    mark_still_correct(briefing, "lead", "en")

    assert status_of(briefing, "lead") == {"ja": UP_TO_DATE, "en": UP_TO_DATE}


def test_a_replacing_import_marks_translations_of_changed_sources_outdated():
    briefing = make_briefing(deep_dives=2, takeaways=2)
    data = briefing_to_dict(Briefing.objects.with_contents().get())
    data["deep_dives"][1]["title"]["ja"] = "書き直したタイトル"
    data["deep_dives"][0]["takeaways"][1]["text"]["en"] = "A rewritten takeaway."

    save_briefing_data(data, replace=True)

    statuses = {f.path: f.status for f in briefing_status(briefing)}
    assert statuses["deep_dives/2/title"] == {"ja": UP_TO_DATE, "en": OUTDATED}
    assert statuses["deep_dives/1/takeaways/2/text"] == {"ja": OUTDATED, "en": UP_TO_DATE}
    assert statuses["deep_dives/1/title"] == {"ja": UP_TO_DATE, "en": UP_TO_DATE}
    outdated = [path for path, s in statuses.items() if OUTDATED in s.values()]
    assert outdated == ["deep_dives/1/takeaways/2/text", "deep_dives/2/title"]


def test_a_replacing_import_that_drops_parts_drops_their_records():
    briefing = make_briefing(deep_dives=2, takeaways=2)
    data = briefing_to_dict(Briefing.objects.with_contents().get())
    del data["deep_dives"][1]
    del data["deep_dives"][0]["takeaways"][1]

    save_briefing_data(data, replace=True)

    assert DeepDive.objects.count() == 1
    assert Takeaway.objects.count() == 1
    object_ids = set(TranslationState.objects.values_list("object_id", flat=True))
    assert {d.pk for d in DeepDive.objects.all()} <= object_ids
    assert TranslationState.objects.count() == 2 * len(briefing_status(briefing))


def test_the_import_command_with_replace_keeps_outdated_detection(tmp_path):
    run_command("import_briefing", str(SEED))
    briefing = Briefing.objects.get()
    deep_dive = briefing.deep_dives.get(position=2)
    deep_dive.title_en = "Multilingual safety evaluation grows"
    deep_dive.save()
    exported = run_command("export_briefing", "2026-05-19", "--format", "text", "--lang", "both")
    old_title = "多言語安全評価が拡大し、12の指標言語のベンチマークが集中"
    assert exported.count(old_title) == 1
    path = tmp_path / "edited.txt"
    path.write_text(exported.replace(old_title, "多言語の安全性評価が12のインド系言語に広がる"))

    run_command("import_briefing", str(path), "--replace")

    assert status_of(briefing, "deep_dives/2/title") == {"ja": UP_TO_DATE, "en": OUTDATED}
    summary = summarize(briefing_status(briefing))
    assert (summary["en"]["outdated"], summary["ja"]["outdated"]) == (1, 0)
    assert (summary["en"]["missing"], summary["ja"]["missing"]) == (15, 12)


def test_a_reversion_restore_updates_the_records_like_any_save():
    # Registration belongs to the history feature; register here only if it has not.
    registered_here = not reversion.is_registered(Briefing)
    if registered_here:
        reversion.register(Briefing)
    try:
        briefing = make_briefing(lead_ja="元のリード。", lead_en="The original lead.")
        with reversion.create_revision():
            briefing.save()
        briefing.lead_ja = "書き換えたリード。"
        briefing.save()
        assert status_of(briefing, "lead")["en"] == OUTDATED
        briefing.lead_en = "The rewritten lead."
        briefing.save()
        assert status_of(briefing, "lead") == {"ja": UP_TO_DATE, "en": UP_TO_DATE}

        Version.objects.get_for_object(briefing).last().revert()

        restored = Briefing.objects.get()
        assert (restored.lead_ja, restored.lead_en) == ("元のリード。", "The original lead.")
        assert status_of(briefing, "lead") == {"ja": UP_TO_DATE, "en": UP_TO_DATE}

    finally:
        if registered_here:
            reversion.unregister(Briefing)


def test_rebuild_states_records_texts_written_without_signals():
    briefing = make_briefing()
    briefing.lead_ja = "新しいリード。"
    briefing.save()
    Briefing.objects.filter(pk=briefing.pk).update(lead_en="The new lead.")
    assert status_of(briefing, "lead")["en"] == OUTDATED  # the records do not know yet

    changed = rebuild_states(briefing)

    assert changed == 2  # the English record, and the Japanese one it caught up with
    assert status_of(briefing, "lead") == {"ja": UP_TO_DATE, "en": UP_TO_DATE}


def test_deleting_an_object_deletes_its_records():
    briefing = make_briefing(keywords=["Safety"])
    keyword = Keyword.objects.get()

    keyword.delete()
    briefing.delete()

    assert TranslationState.objects.count() == 0


def test_status_of_several_briefings_takes_a_fixed_number_of_queries(django_assert_num_queries):
    make_briefing(datetime.date(2026, 5, 17), deep_dives=1, keywords=["A"])
    with django_assert_num_queries(6):
        load_with_status()
    make_briefing(datetime.date(2026, 5, 18), deep_dives=5, keywords=["B", "C"])
    make_briefing(datetime.date(2026, 5, 19), deep_dives=3)
    with django_assert_num_queries(6):
        briefings = load_with_status()
    assert [len(b.translated_fields) for b in briefings] == [
        3 + 3 * 6 + 2,
        3 + 5 * 6 + 2 + 2,
        3 + 6 + 2 + 1,
    ]
