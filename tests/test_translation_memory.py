import datetime

import pytest

from briefing.models import Keyword
from editorial.translation.memory import (
    Suggestion,
    Term,
    glossary,
    length_window,
    suggestions,
)
from editorial.translation.status import briefing_status
from tests.factories import make_briefing

pytestmark = pytest.mark.django_db

SOURCE = "安全基準の研究は、影響と再現性とコード品質に目を向けている。"


def fields_of(briefing, path):
    return [f for f in briefing_status(briefing) if f.path == path]


def test_an_identical_earlier_source_is_suggested_at_100():
    make_briefing(
        datetime.date(2026, 5, 18), lead_ja=SOURCE, lead_en="Safety research looks inward."
    )
    today = make_briefing(lead_ja=SOURCE, lead_en="")

    found = suggestions(fields_of(today, "lead"), "ja", "en")

    assert found == {"lead": [Suggestion(SOURCE, "Safety research looks inward.", 100)]}


def test_similar_sources_are_suggested_with_their_similarity_best_first():
    make_briefing(
        datetime.date(2026, 5, 16),
        lead_ja="安全基準の研究は、影響と再現性に目を向けている。",
        lead_en="Close translation.",
    )
    make_briefing(
        datetime.date(2026, 5, 17), lead_ja="今日の市場は静かだった。", lead_en="Unrelated."
    )
    make_briefing(
        datetime.date(2026, 5, 18),
        lead_ja="安全基準の研究は、影響と再現性とコード品質に目を向けた。",
        lead_en="Closer translation.",
    )
    today = make_briefing(lead_ja=SOURCE, lead_en="")

    (found,) = suggestions(fields_of(today, "lead"), "ja", "en").values()

    assert [(s.translation, s.similarity) for s in found] == [
        ("Closer translation.", 93),
        ("Close translation.", 88),
    ]


def test_only_the_same_kind_of_field_is_compared():
    make_briefing(datetime.date(2026, 5, 18), tldr_ja=SOURCE, tldr_en="A TL;DR.")
    today = make_briefing(lead_ja=SOURCE, lead_en="")

    assert suggestions(fields_of(today, "lead"), "ja", "en") == {"lead": []}


def test_suggestions_work_in_the_other_direction_too():
    make_briefing(datetime.date(2026, 5, 18), lead_ja="リードです。", lead_en="The same lead.")
    today = make_briefing(lead_ja="", lead_en="The same lead.")

    found = suggestions(fields_of(today, "lead"), "en", "ja")

    assert found == {"lead": [Suggestion("The same lead.", "リードです。", 100)]}


def test_the_length_window_is_exactly_what_can_reach_70_percent():
    assert length_window(35) == (18, 65)
    assert length_window(100) == (53, 186)


def test_known_keywords_in_the_source_make_the_glossary():
    Keyword.objects.create(slug="safety-eval", name_ja="安全評価", name_en="safety evaluation")
    Keyword.objects.create(slug="benchmark", name_ja="ベンチマーク", name_en="")
    Keyword.objects.create(slug="market", name_ja="市場", name_en="markets")

    terms = glossary(["多言語の安全評価が拡大", "ベンチマークの作業"], "ja", "en")

    assert terms == [Term("安全評価", "safety evaluation")]
    assert glossary(["Safety evaluation grows"], "en", "ja") == []
    assert glossary(["More safety evaluation"], "en", "ja") == [
        Term("safety evaluation", "安全評価")
    ]
