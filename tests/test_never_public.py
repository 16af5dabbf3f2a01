"""A draft, an issue in review, a scheduled issue not yet due and an unknown issue are never
reachable through any public URL."""

import datetime
import json
import re

import pytest

from briefing.models import Briefing
from tests.factories import make_briefing

pytestmark = pytest.mark.django_db

# The frozen time of these tests: after every issue date below, so that no publication or
# modification time on a page can read like a hidden issue's date.
MOMENT = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
FUTURE = MOMENT + datetime.timedelta(days=1)
HIDDEN = {
    # date: (status, publish_at, marker text present in every field of that issue)
    datetime.date(2026, 5, 18): (Briefing.Status.DRAFT, None, "hiddendraft"),
    datetime.date(2026, 5, 20): (Briefing.Status.REVIEW, None, "hiddenreview"),
    datetime.date(2026, 5, 21): (Briefing.Status.PUBLISHED, FUTURE, "hiddenscheduled"),
}
UNKNOWN_DATE = datetime.date(2026, 5, 22)


@pytest.fixture
def site(frozen_clock, django_capture_on_commit_callbacks):
    frozen_clock.move_to(MOMENT)
    with django_capture_on_commit_callbacks(execute=True):
        make_briefing(datetime.date(2026, 5, 17), keywords=["Shared"], lead_en="visible issue")
        make_briefing(datetime.date(2026, 5, 19), keywords=["Shared"], lead_en="visible issue")
        for date, (status, publish_at, marker) in HIDDEN.items():
            make_briefing(
                date,
                status=status,
                publish_at=publish_at,
                keywords=["Shared", marker],
                theme_ja=marker,
                theme_en=marker,
                lead_en=f"{marker} visible issue",
                tldr_ja=marker,
                tldr_en=marker,
            )


def date_forms(date: datetime.date) -> list[str]:
    return [date.isoformat(), f"{date:%Y/%m/%d}", f"{date:%Y-%m-%d}"]


def public_urls() -> list[str]:
    urls = ["/sitemap.xml", "/robots.txt", "/api/v1/briefings/"]
    for lang in ("ja", "en"):
        urls += [
            f"/{lang}/",
            f"/{lang}/archive/",
            f"/{lang}/archive/2026/",
            f"/{lang}/archive/2026/05/",
            f"/{lang}/keywords/shared/",
            f"/{lang}/search/?q=visible",
            f"/{lang}/search/?q=hidden",
            f"/{lang}/feed/",
            f"/{lang}/feed/atom/",
            f"/{lang}/2026/05/17/",
            f"/{lang}/2026/05/19/",
            f"/{lang}/2026/05/19/both/",
            f"/{lang}/2026/05/17/both/",
        ]
    return urls


def hidden_urls() -> list[str]:
    urls = []
    for date in [*HIDDEN, UNKNOWN_DATE]:
        urls.append(f"/api/v1/briefings/{date.isoformat()}/")
        for lang in ("ja", "en"):
            urls += [f"/{lang}/{date:%Y/%m/%d}/", f"/{lang}/{date:%Y/%m/%d}/both/"]
    for _status, _publish_at, marker in HIDDEN.values():
        urls += [f"/ja/keywords/{marker}/", f"/en/keywords/{marker}/"]
    return urls


def test_no_public_endpoint_shows_an_unpublished_or_unknown_issue(client, site):
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for date in [*HIDDEN, UNKNOWN_DATE]:
            for form in date_forms(date):
                assert form not in body, (url, form)
        for _status, _publish_at, marker in HIDDEN.values():
            assert marker not in body, (url, marker)


def test_the_visible_issues_are_there_so_the_walk_means_something(client, site):
    assert "2026-05-19" in client.get("/api/v1/briefings/").content.decode()
    assert "/en/2026/05/19/" in client.get("/en/feed/").content.decode()
    assert "/ja/2026/05/17/" in client.get("/sitemap.xml").content.decode()
    search = client.get("/en/search/?q=visible")
    assert [r["briefing"].date for r in search.context["results"]] == [
        datetime.date(2026, 5, 19),
        datetime.date(2026, 5, 17),
    ]
    # The previous/next links skip the hidden issues between the two visible ones.
    body = client.get("/en/2026/05/19/").content.decode()
    assert re.findall(r'rel="(prev|next)" href="([^"]+)"', body) == [("prev", "/en/2026/05/17/")]
    body = client.get("/en/2026/05/17/").content.decode()
    assert re.findall(r'rel="(prev|next)" href="([^"]+)"', body) == [("next", "/en/2026/05/19/")]


def test_every_direct_url_of_an_unpublished_or_unknown_issue_is_404(client, site):
    for url in hidden_urls():
        response = client.get(url)
        assert response.status_code == 404, url
        body = response.content.decode()
        for _status, _publish_at, marker in HIDDEN.values():
            assert f"{marker}</" not in body and json.dumps(marker) not in body, url


@pytest.mark.parametrize(
    "path",
    [
        "/ja/2026/02/30/",
        "/en/2026/02/30/both/",
        "/ja/2026/13/01/",
        "/ja/2026/00/10/",
        "/en/0000/01/01/",
        "/api/v1/briefings/2026-02-30/",
        "/api/v1/briefings/0000-01-01/",
        "/ja/archive/2026/00/",
    ],
)
def test_impossible_dates_are_404_never_500(client, site, path):
    assert client.get(path).status_code == 404
