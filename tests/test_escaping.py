"""Whatever an editor writes is shown as text everywhere: HTML, attributes, JSON-LD, feeds."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from briefing.models import Keyword
from tests.factories import make_briefing

pytestmark = pytest.mark.django_db

EVIL = """</script><script>alert("x")</script>" onmouseover="alert('y')" & <b>"""


@pytest.fixture
def evil_issue(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        briefing = make_briefing(
            theme_ja=EVIL, theme_en=EVIL, lead_en=EVIL, tldr_ja=EVIL, tldr_en=EVIL
        )
        keyword = Keyword.objects.create(slug="evil", name_ja=EVIL, name_en=EVIL)
        briefing.keywords.add(keyword)
        deep_dive = briefing.deep_dives.get()
        deep_dive.title_en = EVIL
        deep_dive.what_happened_en = EVIL
        deep_dive.save()
    return briefing


@pytest.mark.parametrize(
    "path",
    [
        "/en/2026/05/19/",
        "/ja/2026/05/19/",
        "/en/2026/05/19/both/",
        "/en/archive/",
        "/en/keywords/evil/",
        "/en/search/?q=alert",
        '/en/search/?q="><script>alert(1)</script>',
    ],
)
def test_html_pages_escape_editor_text(client, evil_issue, path):
    body = client.get(path).content.decode()

    assert "<script>alert" not in body
    assert "<b>" not in body
    assert 'onmouseover="' not in body
    assert "&lt;script&gt;alert(" in body


def test_meta_tags_keep_quotes_inside_the_attribute(client, evil_issue):
    body = client.get("/en/2026/05/19/").content.decode()

    description = re.search(r'<meta name="description" content="([^"]*)">', body)
    og_title = re.search(r'<meta property="og:title" content="([^"]*)">', body)
    assert description is not None and og_title is not None
    assert "&quot; onmouseover=&quot;alert(&#x27;y&#x27;)&quot;" in og_title.group(1)
    assert "<title>&lt;/script&gt;" in body


def test_json_ld_cannot_end_its_script_element_and_keeps_the_text(client, evil_issue):
    body = client.get("/en/2026/05/19/").content.decode()

    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert len(scripts) == 1
    assert "<" not in scripts[0] and ">" not in scripts[0]
    data = json.loads(scripts[0])
    assert data["headline"] == EVIL
    assert data["description"] == EVIL
    assert data["keywords"] == [EVIL]


def test_feeds_carry_the_text_as_text(client, evil_issue):
    rss = ET.fromstring(client.get("/en/feed/").content)
    item = rss.find("channel").find("item")
    assert item.findtext("title") == f"Tuesday, May 19, 2026 · {EVIL}"
    # The description is HTML for feed readers: the editor's markup arrives escaped.
    description = item.findtext("description")
    assert "<script>" not in description and "<b>" not in description
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in description

    atom = ET.fromstring(client.get("/en/feed/atom/").content)
    entry = atom.find("{http://www.w3.org/2005/Atom}entry")
    summary = entry.findtext("{http://www.w3.org/2005/Atom}summary")
    assert "<script>" not in summary and "&lt;b&gt;" in summary


def test_the_api_returns_the_text_unchanged_as_json(client, evil_issue):
    response = client.get("/api/v1/briefings/2026-05-19/")

    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["theme"] == {"ja": EVIL, "en": EVIL}


def test_a_search_snippet_escapes_everything_but_its_mark(client, evil_issue):
    body = client.get("/en/search/", {"q": "alert"}).content.decode()

    snippet = re.search(r'<p class="snippet" lang="en">(.*?)</p>', body, re.S).group(1)
    assert "<mark>alert</mark>" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0
