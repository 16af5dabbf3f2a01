"""Every link sent elsewhere is made from SITE_URL, whatever Host the first reader sent."""

import re

import pytest

from tests.factories import make_briefing

pytestmark = pytest.mark.django_db

SITE = "https://briefing.example.com"


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["briefing.example.com", "mirror.example.net"]
    make_briefing(keywords=["AI"])


@pytest.mark.parametrize(
    "path",
    [
        "/en/feed/",
        "/en/feed/atom/",
        "/sitemap.xml",
        "/robots.txt",
        "/api/v1/briefings/",
        "/api/v1/briefings/2026-05-19/",
        "/en/2026/05/19/",
    ],
)
def test_links_use_site_url_even_when_first_asked_under_another_host(client, site, path):
    first = client.get(path, HTTP_HOST="mirror.example.net")
    second = client.get(path, HTTP_HOST="briefing.example.com")

    for response in (first, second):
        assert response.status_code == 200
        body = response.content.decode()
        absolute = set(re.findall(r"https?://[^\s\"'<>]+", body))
        assert any(url.startswith(SITE + "/") for url in absolute), f"no link to the site in {path}"
        for elsewhere in ("mirror.example.net", "testserver", "127.0.0.1", "http://briefing"):
            assert elsewhere not in body
