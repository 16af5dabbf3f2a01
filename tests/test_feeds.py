import datetime
import xml.etree.ElementTree as ET

import pytest

from briefing.cache import current_generation
from briefing.models import Briefing
from tests.factories import NOW, make_briefing

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def issues(frozen_clock):
    make_briefing(datetime.date(2026, 5, 18))
    make_briefing(datetime.date(2026, 5, 19), tldr_en="")
    make_briefing(datetime.date(2026, 5, 20), status=Briefing.Status.DRAFT)
    make_briefing(datetime.date(2026, 5, 21), publish_at=NOW + datetime.timedelta(days=2))


def test_the_rss_feed_lists_published_issues_newest_first_in_its_language(client, issues):
    response = client.get("/en/feed/")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("language") == "en"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [
        "Tuesday, May 19, 2026 · Theme 05/19",
        "Monday, May 18, 2026 · Theme 05/18",
    ]
    assert [item.findtext("link") for item in items] == [
        "http://127.0.0.1:8000/en/2026/05/19/",
        "http://127.0.0.1:8000/en/2026/05/18/",
    ]
    # The English TL;DR is not written yet: the Japanese one stands in, with its language.
    descriptions = [item.findtext("description") for item in items]
    assert '<div lang="ja"><p>要約です。</p></div>' in descriptions[0]
    assert "<h3>TL;DR</h3><p>The summary.</p>" in descriptions[1]


def test_the_japanese_feed_is_in_japanese(client, issues):
    channel = ET.fromstring(client.get("/ja/feed/").content).find("channel")

    assert channel.findtext("title") == "デイリーブリーフィング"
    assert channel.findtext("language") == "ja"
    assert channel.find("item").findtext("title") == "2026年5月19日 (火) · テーマ 05/19"


def test_the_atom_feed_lists_the_same_issues(client, issues):
    response = client.get("/en/feed/atom/")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Tuesday, May 19, 2026 · Theme 05/19",
        "Monday, May 18, 2026 · Theme 05/18",
    ]
    assert "<p>The summary.</p>" in entries[1].findtext(f"{ATOM}summary")
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Daily Briefing"
    assert [entry.findtext(f"{ATOM}author/{ATOM}name") for entry in entries] == [
        "Daily Briefing",
        "Daily Briefing",
    ]


@pytest.mark.parametrize("deep_dives", [1, 5])
@pytest.mark.parametrize("path", ["/en/feed/", "/ja/feed/atom/"])
def test_feeds_run_a_fixed_number_of_queries(client, django_assert_num_queries, deep_dives, path):
    for day in range(1, 4):
        make_briefing(datetime.date(2026, 5, day), deep_dives=deep_dives, keywords=["A"])
    current_generation()

    # The content generation's number (the page cache); the issues, their deep dives,
    # takeaways and read-more items.
    with django_assert_num_queries(5):
        assert client.get(path).status_code == 200


def test_an_item_carries_the_whole_issue(client):
    briefing = make_briefing(deep_dives=2, takeaways=2, read_more=1)
    briefing.deep_dives.filter(position=1).update(
        sources=[{"url": "https://www.nikkei.com/a", "title": "Nikkei <b>"}]
    )

    item = ET.fromstring(client.get("/en/feed/").content).find("channel/item")
    html = item.findtext("description")

    for part in [
        "<h2>Theme 05/19</h2>",
        "<p>The lead.</p>",
        "<h3>TL;DR</h3>",
        "<h3>Deep Dive 01: Deep dive 1</h3>",
        "<h3>Deep Dive 02: Deep dive 2</h3>",
        "<h4>What Happened</h4>",
        "<h4>Key Takeaways</h4>\n<ol><li>Takeaway 1</li><li>Takeaway 2</li></ol>",
        "<h4>Practical Points</h4>",
        '<li><a href="https://www.nikkei.com/a">Nikkei &lt;b&gt;</a> (nikkei.com)</li>',
        '<h3>Read More</h3>\n<ol start="3"><li><a href="https://example.com/1">Related 1</a> '
        "(example.com)<p>Summary.</p></li></ol>",
    ]:
        assert part in html
    assert item.findtext("author") is None or "Daily Briefing" in item.findtext("author")


def test_an_item_title_is_in_the_feeds_language_only(client):
    make_briefing(theme_en="")

    item = ET.fromstring(client.get("/en/feed/").content).find("channel/item")

    assert item.findtext("title") == "Tuesday, May 19, 2026"
