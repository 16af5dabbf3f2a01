import datetime
import xml.etree.ElementTree as ET

import pytest

from briefing.models import Briefing
from tests.factories import make_briefing

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_the_sitemap_lists_published_pages_in_both_languages_with_alternates(client):
    make_briefing(datetime.date(2026, 5, 19), keywords=["Safety"])
    make_briefing(datetime.date(2026, 5, 20), keywords=["Hidden"], status=Briefing.Status.DRAFT)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    urls = ET.fromstring(response.content).findall(f"{SM}url")
    locations = [url.findtext(f"{SM}loc") for url in urls]
    assert locations == [
        "http://127.0.0.1:8000/ja/",
        "http://127.0.0.1:8000/en/",
        "http://127.0.0.1:8000/ja/archive/",
        "http://127.0.0.1:8000/en/archive/",
        "http://127.0.0.1:8000/ja/keywords/",
        "http://127.0.0.1:8000/en/keywords/",
        "http://127.0.0.1:8000/ja/2026/05/19/",
        "http://127.0.0.1:8000/en/2026/05/19/",
        "http://127.0.0.1:8000/ja/keywords/safety/",
        "http://127.0.0.1:8000/en/keywords/safety/",
    ]
    issue = urls[7]
    alternates = {link.get("hreflang"): link.get("href") for link in issue.findall(f"{XHTML}link")}
    assert alternates == {
        "ja": "http://127.0.0.1:8000/ja/2026/05/19/",
        "en": "http://127.0.0.1:8000/en/2026/05/19/",
        # Without a prefix: redirected by Accept-Language.
        "x-default": "http://127.0.0.1:8000/2026/05/19/",
    }


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in response.content.decode()
    assert "Disallow: /ja/admin/" in response.content.decode()
