import pytest
from django.utils import translation

from editorial.translation.checks import check
from editorial.translation.memory import Term


@pytest.fixture(autouse=True)
def _english():
    """Warnings speak the interface language; these tests read them in English."""
    with translation.override("en"):
        yield


def test_warnings_are_in_the_interface_language():
    with translation.override("ja"):
        assert check("Benchmarks", "Benchmarks", "en", "ja") == ["訳文が原文と同じです。"]


def test_a_faithful_translation_has_no_warnings():
    assert (
        check(
            "IndicSafeは、12の南アジアの言語で6,000のプロンプトを使います。",
            "IndicSafe uses 6,000 prompts in 12 South Asian languages.",
            "ja",
            "en",
        )
        == []
    )


def test_numbers_and_percentages_missing_from_the_translation_are_flagged():
    warnings = check(
        "売上は１２％増え、3.5億ドルに達した。",
        "Sales rose by 12 percent to $350 million.",
        "ja",
        "en",
    )
    assert warnings == ["Numbers in the source missing from the translation: 12%, 3.5"]


def test_links_missing_from_the_translation_are_flagged():
    warnings = check(
        "Details: https://example.com/report and more.",
        "詳細はレポートを参照。",
        "en",
        "ja",
    )
    assert warnings == [
        "Links in the source missing from the translation: https://example.com/report"
    ]


def test_latin_product_names_missing_from_the_translation_are_flagged():
    assert check("ClaudeとSandboxAQが提携", "Anthropic partners with a startup", "ja", "en") == [
        "Names in the source missing from the translation: Claude, SandboxAQ"
    ]
    # In English, ordinary capitalised words are not names to keep.
    assert check("The arXiv paper on GPT-4", "その論文について", "en", "ja") == [
        "Names in the source missing from the translation: arXiv, GPT-4"
    ]


def test_a_translation_identical_to_the_source_is_flagged():
    assert check("Benchmarks", "Benchmarks", "en", "ja") == [
        "The translation is identical to the source."
    ]


def test_punctuation_of_the_wrong_script_is_flagged():
    assert check("安全評価が拡大。", "安全評価が拡大.", "ja", "ja") == [
        "Japanese text ends with ASCII punctuation."
    ]
    assert check("安全評価が拡大。", "Safety evaluation grows。", "ja", "en") == [
        "English text contains full-width punctuation."
    ]


def test_a_length_far_outside_the_usual_ratio_is_flagged():
    source = "ベンチマークの実行が困難であるか、または適切に維持されていない場合、チームはそれをスキップします。"
    assert check(source, "Hard.", "ja", "en") == [
        "The translation is 0.1× the length of the source (usual: 1.0–6.0×)."
    ]
    translation = "If a benchmark is hard to run or poorly maintained, teams skip it."
    assert check(source, translation, "ja", "en") == []


def test_a_dropped_glossary_term_is_flagged():
    terms = [Term("安全性評価", "safety evaluation")]
    assert check("安全性評価が拡大", "Safety evaluation expands", "ja", "en", terms) == []
    assert check("安全性評価が拡大", "Testing expands", "ja", "en", terms) == [
        "Glossary terms not used: 安全性評価 → safety evaluation"
    ]


def test_empty_texts_are_not_checked():
    assert check("", "Something", "ja", "en") == []
    assert check("何か", "", "ja", "en") == []
