import datetime
import io
import re

import pytest
from django.core.management import call_command

from briefing.models import Briefing, SearchDocument
from tests.factories import make_briefing

pytestmark = pytest.mark.django_db


@pytest.fixture
def issues(django_capture_on_commit_callbacks):
    # Search documents are written once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        make_briefing(
            datetime.date(2026, 5, 18),
            lead_ja="実用的な量子化ワークフロー: FP8 対 GPTQ の比較。",
            lead_en="A practical Quantization workflow compared.",
        )
        make_briefing(
            datetime.date(2026, 5, 19),
            tldr_ja="多言語の安全評価が拡大している。",
            tldr_en="Multilingual safety evaluation grows.",
        )
        make_briefing(
            datetime.date(2026, 5, 20),
            status=Briefing.Status.DRAFT,
            lead_ja="下書きの量子化の話。",
            lead_en="A draft about quantization.",
        )


def found_dates(response):
    return [result["briefing"].date.isoformat() for result in response.context["results"]]


def test_it_keeps_one_search_document_per_issue_in_step_with_edits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        briefing = make_briefing(keywords=["Safety"])
    document = SearchDocument.objects.get(briefing=briefing)
    assert "ディープダイブ1" in document.text_ja
    assert "Safety（日本語）" in document.text_ja
    assert "Takeaway 2" in document.text_en

    with django_capture_on_commit_callbacks(execute=True):
        takeaway = briefing.deep_dives.get().takeaways.get(position=2)
        takeaway.text_en = "Rewritten takeaway"
        takeaway.save()

    document.refresh_from_db()
    assert "Rewritten takeaway" in document.text_en
    assert "rewritten takeaway" in document.body


@pytest.mark.parametrize("query", ["量子化", "安全評価"])
def test_a_japanese_query_matches_inside_longer_text(client, issues, query):
    response = client.get("/ja/search/", {"q": query})

    assert response.status_code == 200
    expected = {"量子化": ["2026-05-18"], "安全評価": ["2026-05-19"]}[query]
    assert found_dates(response) == expected


@pytest.mark.parametrize("query", ["quantization", "QUANTIZATION", "Quantization"])
def test_english_is_case_insensitive(client, issues, query):
    response = client.get("/en/search/", {"q": query})

    assert found_dates(response) == ["2026-05-18"]


def test_full_width_and_half_width_forms_match_alike(client, issues):
    response = client.get("/ja/search/", {"q": "ＦＰ８"})

    assert found_dates(response) == ["2026-05-18"]


def test_text_in_either_language_finds_the_issue_from_both_sites(client, issues):
    assert found_dates(client.get("/en/search/", {"q": "安全評価"})) == ["2026-05-19"]
    assert found_dates(client.get("/ja/search/", {"q": "safety evaluation"})) == ["2026-05-19"]


def test_results_show_date_theme_and_a_highlighted_snippet_in_the_readers_language(client, issues):
    body = client.get("/en/search/", {"q": "quantization"}).content.decode()

    assert "Monday, May 18, 2026" in body
    assert "Theme 05/18" in body
    assert "A practical <mark>Quantization</mark> workflow compared." in body
    assert "1 issue found" in body


def test_the_snippet_falls_back_to_the_other_language_with_its_lang(client, issues):
    body = client.get("/en/search/", {"q": "量子化"}).content.decode()

    assert '<p class="snippet" lang="ja">実用的な<mark>量子化</mark>ワークフロー' in body


def test_an_empty_query_gets_a_friendly_page(client, issues):
    response = client.get("/en/search/", {"q": "   "})

    assert response.status_code == 200
    assert "Type a word or phrase" in response.content.decode()
    assert "results" not in response.context


def test_an_over_long_query_gets_a_friendly_page(client, issues):
    response = client.get("/ja/search/", {"q": "量" * 101})

    assert response.status_code == 200
    assert "100" in response.content.decode()
    assert response.context["problem"] == "too_long"
    # The box keeps what fits in it, to be shortened and sent again.
    assert f'name="q" value="{"量" * 100}" maxlength="100"' in response.content.decode()


def test_no_match_says_so(client, issues):
    response = client.get("/en/search/", {"q": "blockchain"})

    assert response.status_code == 200
    assert "No issue mentions “blockchain”." in response.content.decode()


def test_like_wildcards_in_the_query_are_literal(client, issues):
    assert found_dates(client.get("/en/search/", {"q": "%"})) == []
    assert found_dates(client.get("/en/search/", {"q": "_"})) == []


def test_the_search_page_is_not_indexed(client, issues):
    body = client.get("/en/search/", {"q": "safety"}).content.decode()

    assert '<meta name="robots" content="noindex">' in body


@pytest.mark.parametrize("deep_dives", [1, 5])
def test_search_runs_a_fixed_number_of_queries(
    client, django_capture_on_commit_callbacks, django_assert_num_queries, deep_dives
):
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(1, 4):
            make_briefing(datetime.date(2026, 5, day), deep_dives=deep_dives)
    client.get("/en/")  # the cache's content generation is in place

    # The content generation's number (the page cache); one page of results, documents
    # joined, with the total counted in the same query.
    with django_assert_num_queries(2):
        response = client.get("/en/search/", {"q": "takeaway"})
    assert len(response.context["results"]) == 3


@pytest.fixture
def many_issues(django_capture_on_commit_callbacks):
    # 25 matching issues (2026-04-01 to 2026-04-25) and one that does not match.
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(1, 26):
            make_briefing(datetime.date(2026, 4, day), lead_en="About quantization.")
        make_briefing(datetime.date(2026, 4, 26), lead_en="About something else.")


def test_results_are_paged_newest_first_with_the_total_on_every_page(client, many_issues):
    first = client.get("/en/search/", {"q": "quantization"})
    second = client.get("/en/search/", {"q": "quantization", "page": 2})

    assert found_dates(first)[:2] == ["2026-04-25", "2026-04-24"]
    assert len(found_dates(first)) == 20
    assert found_dates(second) == [f"2026-04-{day:02d}" for day in range(5, 0, -1)]
    for response in (first, second):
        assert response.context["page"].paginator.count == 25
        assert "25 issues found" in response.content.decode()
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize("page", ["3", "0", "x", "1.5"])
def test_a_results_page_that_does_not_exist_is_404(client, many_issues, page):
    assert client.get("/en/search/", {"q": "quantization", "page": page}).status_code == 404


def test_a_search_without_results_on_a_later_page_is_404(client, many_issues):
    assert client.get("/en/search/", {"q": "blockchain", "page": 2}).status_code == 404
    assert client.get("/en/search/", {"q": "blockchain", "page": 1}).status_code == 200


def test_the_rebuild_command_catches_up_with_changes_that_bypass_signals(client):
    make_briefing()
    Briefing.objects.update(lead_en="Written with a bulk update")
    assert client.get("/en/search/", {"q": "bulk update"}).context["results"] == []

    output = io.StringIO()
    call_command("resync", stdout=output)

    assert output.getvalue() == "Resynchronised 1 issues (1 translation-state records changed).\n"
    assert found_dates(client.get("/en/search/", {"q": "bulk update"})) == ["2026-05-19"]


# --- Several words, normalisation, snippets ------------------------------------------------


@pytest.fixture
def retrieval(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_briefing(
            datetime.date(2026, 5, 18),
            lead_en=(
                "Agents are judged on many things. Retrieval quality decides most of them, "
                "and long context helps less than expected. Recall matters when answers "
                "hide in long documents, which is where most teams fail today."
            ),
            lead_ja="ｶﾀｶﾅのﾃﾞｰﾀﾍﾞｰｽ検索を改善する。",
        )
        make_briefing(datetime.date(2026, 5, 19), lead_en="Retrieval alone, without the other.")


def test_several_words_match_all_of_them_in_any_order(client, retrieval):
    assert found_dates(client.get("/en/search/", {"q": "recall retrieval"})) == ["2026-05-18"]
    assert found_dates(client.get("/en/search/", {"q": "RETRIEVAL   Recall"})) == ["2026-05-18"]
    assert found_dates(client.get("/en/search/", {"q": "retrieval"})) == [
        "2026-05-19",
        "2026-05-18",
    ]
    assert found_dates(client.get("/en/search/", {"q": "recall blockchain"})) == []


def test_half_width_katakana_matches_full_width_and_shows_a_snippet(client, retrieval):
    body = client.get("/ja/search/", {"q": "データベース"}).content.decode()

    assert '<p class="snippet" lang="ja"><mark>ﾃﾞｰﾀﾍﾞｰｽ</mark>' not in body
    assert '<p class="snippet" lang="ja">ｶﾀｶﾅの<mark>ﾃﾞｰﾀﾍﾞｰｽ</mark>検索を改善する。</p>' in body


def test_the_snippet_highlights_every_hit_and_cuts_at_sentence_or_word_boundaries(
    client, retrieval
):
    body = client.get("/en/search/", {"q": "recall retrieval"}).content.decode()
    snippet = re.search(r'<p class="snippet" lang="en">(.*?)</p>', body, re.S).group(1)

    # From the field's start (the first hit is near it) to a space, never inside a word.
    assert snippet == (
        "Agents are judged on many things. <mark>Retrieval</mark> quality decides most of "
        "them, and long context helps less than expected. <mark>Recall</mark> matters when "
        "answers hide in long documents, which is…"
    )


def test_a_snippet_far_into_a_field_starts_at_a_sentence(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_briefing(
            lead_en="Padding words come first here, many of them, to push the match along. "
            "Then the sentence with the keyword quantization starts, and runs on further.",
            lead_ja="前置きの文章がここにあります。それから長い説明が続きます。量子化の話はここから始まり、さらに続く。",
        )

    en = client.get("/en/search/", {"q": "quantization"}).content.decode()
    ja = client.get("/ja/search/", {"q": "量子化"}).content.decode()

    assert (
        '<p class="snippet" lang="en">…Then the sentence with the keyword '
        "<mark>quantization</mark> starts, and runs on further.</p>"
    ) in en
    assert (
        '<p class="snippet" lang="ja">前置きの文章がここにあります。それから長い説明が続きます。'
        "<mark>量子化</mark>の話はここから始まり、さらに続く。</p>"
    ) in ja
