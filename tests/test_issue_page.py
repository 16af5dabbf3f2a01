import datetime

import pytest

from briefing.models import Briefing
from tests.factories import make_briefing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_published_issue_renders_everything_in_the_readers_language(client, lang):
    make_briefing(deep_dives=2, takeaways=2, read_more=1, keywords=["Safety"])

    response = client.get(f"/{lang}/2026/05/19/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == lang
    body = response.content.decode()
    if lang == "ja":
        expected = ["テーマ 05/19", "リード文。", "要約です。", "ディープダイブ2", "ポイント2"]
    else:
        expected = ["Theme 05/19", "The lead.", "The summary.", "Deep dive 2", "Takeaway 2"]
    for text in expected:
        assert text in body
    assert "https://example.com/1" in body


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(
    "status", [Briefing.Status.DRAFT, Briefing.Status.REVIEW], ids=["draft", "review"]
)
def test_an_unpublished_issue_is_404(client, lang, status):
    make_briefing(status=status)

    assert client.get(f"/{lang}/2026/05/19/").status_code == 404


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_scheduled_issue_is_404_until_its_time(client, lang):
    make_briefing(publish_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))

    assert client.get(f"/{lang}/2026/05/19/").status_code == 404


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("path", ["2026/05/20/", "2026/02/30/", "2026/13/01/"])
def test_unknown_and_impossible_dates_are_404(client, lang, path):
    make_briefing()

    assert client.get(f"/{lang}/{path}").status_code == 404


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_home_page_shows_the_latest_published_issue(client, lang):
    make_briefing(datetime.date(2026, 5, 18))
    make_briefing(datetime.date(2026, 5, 19))
    make_briefing(datetime.date(2026, 5, 20), status=Briefing.Status.DRAFT)

    response = client.get(f"/{lang}/")

    assert response.status_code == 200
    assert response.context["briefing"].date == datetime.date(2026, 5, 19)


def test_the_home_page_without_issues_says_so(client):
    response = client.get("/en/")

    assert response.status_code == 404
    assert "No issue has been published yet." in response.content.decode()


def test_editor_text_is_escaped(client):
    make_briefing(theme_ja='<script>alert("x")</script>')

    body = client.get("/ja/2026/05/19/").content.decode()

    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
