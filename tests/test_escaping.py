"""Whatever an editor writes is shown as text everywhere: HTML, attributes, JSON-LD, feeds."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from briefing.models import Keyword, Takeaway
from editorial.roles import EDITORS
from tests.factories import make_briefing, make_user

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


ESCAPED_EVIL = (
    "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&quot; "
    "onmouseover=&quot;alert(&#x27;y&#x27;)&quot; &amp; &lt;b&gt;"
)


@pytest.fixture
def evil_in_japanese_only(django_capture_on_commit_callbacks):
    """Hostile text written in Japanese alone: the English page shows it as the fallback."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_briefing(theme_ja=EVIL, theme_en="", lead_ja=EVIL, lead_en="")


def test_text_shown_in_the_other_language_is_escaped_too(client, evil_in_japanese_only):
    body = client.get("/en/2026/05/19/").content.decode()

    assert "<script>alert" not in body
    assert "<b>" not in body
    # The theme (a line) and the lead (paragraphs), each in its fallback markup.
    assert f'<span lang="ja">{ESCAPED_EVIL}</span>' in body
    assert f'<div lang="ja"><p>{ESCAPED_EVIL}</p></div>' in body


def test_a_search_for_markup_in_a_document_shows_it_escaped(client, evil_issue):
    response = client.get("/en/search/", {"q": '<script>alert("x")'})

    [result] = response.context["results"]
    assert result["snippet"].html == (
        "&lt;/script&gt;<mark>&lt;script&gt;alert(&quot;x&quot;)</mark>&lt;/script&gt;&quot; "
        "onmouseover=&quot;alert(&#x27;y&#x27;)&quot; &amp; &lt;b&gt;"
    )
    body = response.content.decode()
    assert f'<p class="snippet" lang="en">{result["snippet"].html}</p>' in body
    assert "<script>alert" not in body


def test_the_admin_shows_editor_text_escaped_in_its_own_markup(client, evil_in_japanese_only):
    Takeaway.objects.filter(position=1).update(text_ja=EVIL)
    client.force_login(make_user("erika", role=EDITORS))

    listing = client.get("/en/admin/briefing/briefing/").content.decode()
    issue = client.get(f"/en/admin/briefing/briefing/{evil_in_japanese_only.pk}/change/")

    # The list shows a theme written only in Japanese as such; the issue page holds each
    # takeaway in its own text box, nested in its deep dive.
    assert f'<span class="editorial-other-language">{ESCAPED_EVIL}</span>' in listing
    assert re.search(
        rf'<textarea name="deep_dives-0-takeaways-0-text_ja"[^>]*>\s*{re.escape(ESCAPED_EVIL)}</textarea>',
        issue.content.decode(),
    )
    assert "<script>alert" not in listing + issue.content.decode()
