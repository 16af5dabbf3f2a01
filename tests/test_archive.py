import datetime
import re

import pytest

from briefing.cache import current_generation
from briefing.models import Briefing, Keyword
from briefing.views import ISSUES_PER_PAGE
from tests.factories import make_briefing

pytestmark = pytest.mark.django_db


def listed(response):
    return [briefing.date.isoformat() for briefing in response.context["page"].object_list]


def test_the_archive_lists_published_issues_newest_first_by_month(client):
    make_briefing(datetime.date(2026, 4, 30))
    make_briefing(datetime.date(2026, 5, 18))
    make_briefing(datetime.date(2026, 5, 19))
    make_briefing(datetime.date(2026, 5, 20), status=Briefing.Status.DRAFT)

    response = client.get("/ja/archive/")

    assert response.status_code == 200
    assert listed(response) == ["2026-05-19", "2026-05-18", "2026-04-30"]
    body = response.content.decode()
    assert body.index("<h2>2026年5月</h2>") < body.index("<h2>2026年4月</h2>")
    assert "2026年5月19日 (火)" in body
    assert "テーマ 05/19" in body
    assert '<p class="issue-card__summary">要約です。</p>' in body


def test_the_archive_is_paginated(client):
    start = datetime.date(2026, 1, 1)
    for offset in range(ISSUES_PER_PAGE + 1):
        make_briefing(start + datetime.timedelta(days=offset), deep_dives=0, read_more=0)

    first = client.get("/en/archive/")
    second = client.get("/en/archive/", {"page": 2})

    assert len(listed(first)) == ISSUES_PER_PAGE
    assert listed(second) == ["2026-01-01"]
    assert 'rel="next" href="?page=2"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    assert client.get("/en/archive/", {"page": 3}).status_code == 404
    assert client.get("/en/archive/", {"page": "x"}).status_code == 404


def test_the_archive_of_a_year_and_of_a_month(client):
    make_briefing(datetime.date(2025, 12, 31))
    make_briefing(datetime.date(2026, 4, 30))
    make_briefing(datetime.date(2026, 5, 19))

    assert listed(client.get("/en/archive/2026/")) == ["2026-05-19", "2026-04-30"]
    assert listed(client.get("/en/archive/2026/04/")) == ["2026-04-30"]
    assert "May 2026" in client.get("/en/archive/2026/05/").content.decode()
    assert client.get("/en/archive/2024/").status_code == 404
    assert client.get("/en/archive/2026/13/").status_code == 404


@pytest.mark.parametrize("path", ["/en/archive/0000/", "/ja/archive/0000/05/", "/en/0000/05/19/"])
def test_year_zero_is_404_not_a_server_error(client, path):
    make_briefing(datetime.date(2026, 5, 19))

    assert client.get(path).status_code == 404


def test_the_archive_without_issues_says_so(client):
    response = client.get("/en/archive/")

    assert response.status_code == 200
    assert "No issue has been published yet." in response.content.decode()


def test_a_keyword_page_lists_its_published_issues_in_the_readers_language(client):
    make_briefing(datetime.date(2026, 5, 18), keywords=["Safety"])
    make_briefing(datetime.date(2026, 5, 19), keywords=["Safety", "Agents"])
    make_briefing(datetime.date(2026, 5, 20), keywords=["Safety"], status=Briefing.Status.DRAFT)

    response = client.get("/ja/keywords/safety/")

    assert response.status_code == 200
    assert listed(response) == ["2026-05-19", "2026-05-18"]
    body = response.content.decode()
    assert "<h1>Safety（日本語）</h1>" in body
    assert body.count("<h1") == 1


def test_a_japanese_keyword_slug_works(client):
    briefing = make_briefing()
    keyword = Keyword.objects.create(slug="量子化", name_ja="量子化", name_en="Quantization")
    briefing.keywords.add(keyword)

    body = client.get("/ja/2026/05/19/").content.decode()
    assert 'href="/ja/keywords/%E9%87%8F%E5%AD%90%E5%8C%96/"' in body
    response = client.get("/en/keywords/量子化/")
    assert response.status_code == 200
    assert "<h1>Quantization</h1>" in response.content.decode()


def test_a_keyword_of_unpublished_issues_only_or_unknown_is_404(client):
    make_briefing(keywords=["Hidden"], status=Briefing.Status.DRAFT)

    assert client.get("/en/keywords/hidden/").status_code == 404
    assert client.get("/en/keywords/nothing/").status_code == 404


@pytest.mark.parametrize("deep_dives", [1, 5])
def test_the_archive_and_keyword_pages_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, deep_dives
):
    for day in range(1, 4):
        make_briefing(datetime.date(2026, 5, day), deep_dives=deep_dives, keywords=["A", "B"])
    current_generation()

    # The content generation's number (the page cache); months, count, page.
    with django_assert_num_queries(4):
        assert len(listed(client.get("/en/archive/"))) == 3
    # The generation's number; keyword, count, page.
    with django_assert_num_queries(4):
        assert len(listed(client.get("/en/keywords/a/"))) == 3


def test_a_card_shows_the_theme_and_the_first_sentence_only(client):
    make_briefing(
        tldr_en="Benchmarks are under the lens. Agents ship. Markets wait.",
        tldr_ja="ベンチマークが問われる。エージェントが出荷される。",
    )

    en = client.get("/en/archive/").content.decode()
    ja = client.get("/ja/archive/").content.decode()

    assert '<p class="issue-card__summary">Benchmarks are under the lens.</p>' in en
    assert "Agents ship" not in en
    assert '<p class="issue-card__summary">ベンチマークが問われる。</p>' in ja


def test_the_navigation_shows_every_year_and_the_months_of_one_with_counts(client):
    make_briefing(datetime.date(2017, 3, 1))
    make_briefing(datetime.date(2026, 4, 30))
    make_briefing(datetime.date(2026, 5, 18))
    make_briefing(datetime.date(2026, 5, 19))

    body = client.get("/en/archive/").content.decode()
    months = re.findall(r'archive-nav__months">(.*?)</ul>', body, re.S)[0]
    assert re.findall(r'<a href="(/en/archive/\d+/)"', body) == [
        "/en/archive/2026/",
        "/en/archive/2017/",
    ]
    assert re.findall(
        r'href="([^"]+)">([^<]+) <span class="archive-nav__count">\((\d+)\)', months
    ) == [
        ("/en/archive/2026/04/", "April 2026", "1"),
        ("/en/archive/2026/05/", "May 2026", "2"),
    ]
    old = client.get("/en/archive/2017/").content.decode()
    assert re.findall(r'archive-nav__months">.*?href="([^"]+)"', old, re.S) == [
        "/en/archive/2017/03/"
    ]


def test_a_month_shows_all_its_issues_on_one_page(client):
    for day in range(1, 32):
        make_briefing(datetime.date(2026, 5, day), deep_dives=0, read_more=0)

    response = client.get("/en/archive/2026/05/")

    assert len(listed(response)) == 31
    assert "Page 1 of" not in response.content.decode()


def test_jump_to_a_date_with_an_issue_goes_to_it(client):
    make_briefing(datetime.date(2026, 5, 19))

    response = client.get("/en/archive/date/", {"date": "2026-05-19"})

    assert (response.status_code, response["Location"]) == (302, "/en/2026/05/19/")


@pytest.mark.parametrize(
    ("wanted", "nearest"),
    [
        ("2026-05-21", ["/en/2026/05/19/", "/en/2026/05/25/"]),  # two days after, four before
        ("2026-05-23", ["/en/2026/05/25/", "/en/2026/05/19/"]),
        ("2026-05-22", ["/en/2026/05/19/", "/en/2026/05/25/"]),  # as near to both: the earlier
        ("2026-05-20", ["/en/2026/05/19/", "/en/2026/05/25/"]),  # a draft's date
        ("1999-01-01", ["/en/2026/05/10/"]),
        ("2099-01-01", ["/en/2026/05/25/"]),
    ],
)
def test_jump_to_a_date_without_an_issue_says_so_and_offers_the_nearest(client, wanted, nearest):
    make_briefing(datetime.date(2026, 5, 10))
    make_briefing(datetime.date(2026, 5, 19))
    make_briefing(datetime.date(2026, 5, 20), status=Briefing.Status.DRAFT)
    make_briefing(datetime.date(2026, 5, 25))

    response = client.get("/en/archive/date/", {"date": wanted})

    assert response.status_code == 200
    body = response.content.decode()
    day = datetime.date.fromisoformat(wanted)
    assert f"There is no issue of {day:%A}, {day:%B} {day.day}, {day.year}. The nearest:" in body
    [listed] = re.findall(r'<ul class="nearest">(.*?)</ul>', body, re.S)
    assert re.findall(r'<li><a href="([^"]+)">', listed) == nearest


def test_the_nearest_issues_page_is_in_japanese_under_ja(client):
    make_briefing(datetime.date(2026, 5, 19))

    body = client.get("/ja/archive/date/", {"date": "2026-05-20"}).content.decode()

    assert "2026年5月20日 (水)の号はありません。近い号：" in body


@pytest.mark.parametrize("value", ["", "yesterday", "2026-02-30", "x" * 500])
def test_jump_to_something_that_is_not_a_date_is_a_clear_400(client, value):
    make_briefing()

    response = client.get("/en/archive/date/", {"date": value})

    assert response.status_code == 400
    assert "is not a date" in response.content.decode()


def test_the_jump_form_works_without_javascript(client):
    make_briefing()

    body = client.get("/en/archive/").content.decode()

    assert '<form class="jump" action="/en/archive/date/" method="get">' in body
    assert '<input id="jump-date" type="date" name="date" required>' in body


def test_keyword_slugs_are_case_insensitive(client):
    make_briefing(keywords=["Safety"])

    response = client.get("/en/keywords/SAFETY/")

    assert (response.status_code, response["Location"]) == (301, "/en/keywords/safety/")
    assert client.get("/en/keywords/Safety/").status_code == 301


def test_a_keyword_page_gives_its_count_and_a_description(client):
    make_briefing(datetime.date(2026, 5, 18), keywords=["Safety"])
    make_briefing(datetime.date(2026, 5, 19), keywords=["Safety"])

    body = client.get("/en/keywords/safety/").content.decode()

    assert '<p class="listing__count">2 issues</p>' in body
    assert (
        '<meta name="description" content="2 issues of the Daily Briefing about Safety.">' in body
    )


def test_the_keyword_index_lists_published_keywords_with_counts(client, django_assert_num_queries):
    make_briefing(datetime.date(2026, 5, 18), keywords=["Safety", "Agents"])
    make_briefing(datetime.date(2026, 5, 19), keywords=["Safety"])
    make_briefing(datetime.date(2026, 5, 20), keywords=["Hidden"], status=Briefing.Status.DRAFT)
    current_generation()

    with django_assert_num_queries(2):  # the content generation's number, the keywords
        body = client.get("/en/keywords/").content.decode()

    assert re.findall(
        r'<li><a href="([^"]+)">([^<]+)</a> <span class="keyword-index__count">([^<]+)</span>', body
    ) == [
        ("/en/keywords/agents/", "Agents", "1 issue"),
        ("/en/keywords/safety/", "Safety", "2 issues"),
    ]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "No published issue has keywords yet."),
        ("ja", "公開された号にはまだキーワードがありません。"),
    ],
)
def test_the_keyword_index_without_keywords_says_so(client, lang, text):
    make_briefing(keywords=[])  # published, without keywords

    body = client.get(f"/{lang}/keywords/").content.decode()

    assert f"<p>{text}</p>" in body
    assert "No issue has been published yet." not in body


def test_previous_and_next_show_the_neighbours_themes(client):
    make_briefing(datetime.date(2026, 5, 18))
    make_briefing(datetime.date(2026, 5, 19))
    make_briefing(datetime.date(2026, 5, 20), theme_en="")

    body = client.get("/en/2026/05/19/").content.decode()

    assert re.findall(r'rel="(prev|next)".*?</a>', body) == ["prev", "next"]
    assert '<span class="issue-nav__theme">Theme 05/18</span>' in body
    assert "Theme 05/20" not in body
