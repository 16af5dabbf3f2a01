import datetime
import json

import pytest
from django.db import models
from django.urls import reverse, set_script_prefix
from django.utils import translation

from briefing.models import Briefing
from tests.factories import NOW, make_briefing

pytestmark = pytest.mark.django_db

LANGUAGE_AUTONYMS = {"ja": "日本語", "en": "English"}


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
def test_a_scheduled_issue_is_404_until_its_time(client, lang, frozen_clock):
    due = NOW + datetime.timedelta(hours=1)
    make_briefing(publish_at=due)

    assert client.get(f"/{lang}/2026/05/19/").status_code == 404
    frozen_clock.move_to(due - datetime.timedelta(seconds=1))
    assert client.get(f"/{lang}/2026/05/19/").status_code == 404
    frozen_clock.move_to(due)
    assert client.get(f"/{lang}/2026/05/19/").status_code == 200


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


# --- The full issue ------------------------------------------------------------------------

import re  # noqa: E402

from django.test import RequestFactory  # noqa: E402

from briefing.cache import current_generation  # noqa: E402
from briefing.models import DeepDive, Keyword, ReadMore  # noqa: E402
from briefing.views import render_issue, render_parallel  # noqa: E402


@pytest.mark.parametrize(
    ("lang", "date_text"), [("ja", "2026年5月19日 (火)"), ("en", "Tuesday, May 19, 2026")]
)
def test_the_date_reads_naturally_in_each_language(client, lang, date_text):
    make_briefing()

    body = client.get(f"/{lang}/2026/05/19/").content.decode()

    assert f'<p class="issue-kicker"><time datetime="2026-05-19">{date_text}</time></p>' in body


def test_the_theme_is_the_headline_and_the_date_its_kicker(client):
    make_briefing()

    body = client.get("/en/2026/05/19/").content.decode()

    assert re.findall(r"<h1[^>]*>(.*?)</h1>", body) == ["Theme 05/19"]
    assert body.index('class="issue-kicker"') < body.index("<h1")


def test_without_a_theme_the_date_is_the_headline(client):
    make_briefing(theme_ja="", theme_en="")

    body = client.get("/en/2026/05/19/").content.decode()

    assert re.findall(r"<h1[^>]*>(.*?)</h1>", body) == [
        '<time datetime="2026-05-19">Tuesday, May 19, 2026</time>'
    ]


@pytest.mark.parametrize(
    ("lang", "headings"),
    [
        (
            "ja",
            [
                "ディープダイブ 01",
                "何が起きたか",
                "なぜ重要か",
                "重要なポイント",
                "実践ポイント",
                "もっと読む",
                "キーワード",
            ],
        ),
        (
            "en",
            [
                "Deep Dive 01",
                "What Happened",
                "Why It Matters",
                "Key Takeaways",
                "Practical Points",
                "Read More",
                "Keywords",
            ],
        ),
    ],
)
def test_section_headings_are_in_the_readers_language(client, lang, headings):
    make_briefing(keywords=["Safety"])

    body = client.get(f"/{lang}/2026/05/19/").content.decode()

    for heading in headings:
        assert heading in body
    assert body.count("<h1") == 1


def test_numbers_shown_follow_the_order_not_the_stored_positions(client):
    # Stored positions with gaps (as after deleting parts) only order: the reader sees
    # deep dives 01…N, read-more items from N+1, takeaways 01… within their deep dive.
    briefing = make_briefing(deep_dives=3, takeaways=2, read_more=2)
    for deep_dive in briefing.deep_dives.order_by("-position"):
        deep_dive.position *= 10
        deep_dive.save()
        for takeaway in deep_dive.takeaways.order_by("-position"):
            takeaway.position += 4
            takeaway.save()
    briefing.read_more.update(position=models.F("position") + 50)

    body = client.get("/en/2026/05/19/").content.decode()

    assert re.findall(r"Deep Dive (\d\d)</span>", body) == ["01", "02", "03"]
    assert re.findall(r'contents__number" aria-hidden="true">(\d\d)', body) == [
        "01",
        "02",
        "03",
        "04",
    ]
    assert re.findall(r'takeaways__number" aria-hidden="true">(\d\d)', body) == ["01", "02"] * 3
    assert re.findall(r'read-more__number" aria-hidden="true">(\d\d)', body) == ["04", "05"]
    assert '<a href="https://example.com/2" rel="noopener">Related 2</a>' in body
    assert '<p class="site-name">example.com</p>' in body


def test_in_this_issue_links_to_each_deep_dive_and_the_read_more(client):
    make_briefing(deep_dives=2, read_more=1)

    body = client.get("/en/2026/05/19/").content.decode()

    assert re.findall(r'<li><a href="(#[^"]+)"><span class="contents__number"', body) == [
        "#deep-dive-1",
        "#deep-dive-2",
        "#read-more-heading",
    ]
    assert 'id="deep-dive-2"' in body


def test_keywords_link_to_their_pages_in_the_readers_language(client):
    make_briefing(keywords=["Safety"])

    assert (
        '<a href="/ja/keywords/safety/">Safety（日本語）</a>'
        in client.get("/ja/2026/05/19/").content.decode()
    )
    assert (
        '<a href="/en/keywords/safety/">Safety</a>'
        in client.get("/en/2026/05/19/").content.decode()
    )


def test_previous_and_next_link_only_to_published_issues(client, frozen_clock):
    make_briefing(datetime.date(2026, 5, 10))
    make_briefing(datetime.date(2026, 5, 18), status=Briefing.Status.DRAFT)
    make_briefing(datetime.date(2026, 5, 19))
    make_briefing(datetime.date(2026, 5, 20), publish_at=NOW + datetime.timedelta(days=1))
    make_briefing(datetime.date(2026, 5, 25))

    body = client.get("/en/2026/05/19/").content.decode()

    assert re.findall(r'rel="(prev|next)" href="([^"]+)"', body) == [
        ("prev", "/en/2026/05/10/"),
        ("next", "/en/2026/05/25/"),
    ]


def test_the_first_issue_has_no_previous_link_and_the_latest_no_next(client):
    make_briefing()

    body = client.get("/en/2026/05/19/").content.decode()

    assert 'rel="prev"' not in body
    assert 'rel="next"' not in body


def test_the_reading_time_counts_japanese_characters_and_english_words(client):
    # 2,000 Japanese characters at 500 a minute; 800 English words at 200 a minute.
    make_briefing(
        deep_dives=0,
        read_more=0,
        lead_ja="あ" * 2000,
        lead_en=" ".join(["word"] * 800),
        theme_ja="",
        theme_en="",
        tldr_ja="",
        tldr_en="",
    )

    assert "約4分で読めます" in client.get("/ja/2026/05/19/").content.decode()
    assert "4 minute read" in client.get("/en/2026/05/19/").content.decode()


def test_a_field_missing_in_the_readers_language_shows_the_other_marked_with_its_lang(client):
    make_briefing(theme_en="", lead_en="", deep_dives=1, keywords=["Safety"])
    DeepDive.objects.update(title_ja="")
    Keyword.objects.update(name_en="")

    body = client.get("/en/2026/05/19/").content.decode()

    # A block carries one small marker; a headline, a link or a pill only its lang.
    assert '<h1 class="issue-theme"><span lang="ja">テーマ 05/19</span></h1>' in body
    assert (
        '<div class="fallback"><p class="fallback-note">Not yet translated — Japanese original'
        '</p><div lang="ja"><p>リード文。</p></div></div>'
    ) in body
    assert '<a href="/en/keywords/safety/"><span lang="ja">Safety（日本語）</span></a>' in body
    assert body.count('class="fallback-note"') == 1

    ja_body = client.get("/ja/2026/05/19/").content.decode()
    assert '<span class="deep-dive__title"><span lang="en">Deep dive 1</span></span>' in ja_body
    assert ja_body.count('class="fallback-note"') == 0


def test_one_notice_says_how_much_is_in_the_readers_language_and_offers_both(client):
    # 9 fields written (theme, lead, TL;DR, 4 of the deep dive, 2 takeaways), all in
    # Japanese; English lacks 4 of them: 5/9 is 56%.
    make_briefing(theme_en="", lead_en="", tldr_en="", deep_dives=1, read_more=0)
    DeepDive.objects.update(title_en="")

    en = client.get("/en/2026/05/19/").content.decode()
    ja = client.get("/ja/2026/05/19/").content.decode()

    assert re.findall(r'<p class="translation-notice">(.*?)\s*<a href="([^"]+)">', en) == [
        (
            "56% of this issue is in English so far; the rest is shown in its original "
            "language, marked as such.",
            "/en/2026/05/19/both/",
        )
    ]
    assert "translation-notice" not in ja


def test_metadata_is_in_the_pages_language_only(client):
    make_briefing(theme_en="", tldr_en="", keywords=["Safety"])
    Keyword.objects.update(name_en="")

    body = client.get("/en/2026/05/19/").content.decode()

    assert "<title>Tuesday, May 19, 2026 — Daily Briefing</title>" in body
    assert '<meta property="og:title" content="Daily Briefing, Tuesday, May 19, 2026">' in body
    assert '<meta name="description" content="Daily Briefing, Tuesday, May 19, 2026">' in body
    ld = json.loads(re.search(r'application/ld\+json">(.*?)</script>', body).group(1))
    assert (ld["headline"], ld["description"], ld["keywords"], ld["inLanguage"]) == (
        "Daily Briefing, Tuesday, May 19, 2026",
        "Daily Briefing, Tuesday, May 19, 2026",
        [],
        "en",
    )
    assert "テーマ" not in body.split("<body>")[0]


def test_a_section_empty_in_both_languages_is_left_out(client):
    make_briefing(tldr_ja="", tldr_en="", read_more=1)
    DeepDive.objects.update(why_it_matters_ja="", why_it_matters_en="")
    ReadMore.objects.update(title_ja="", title_en="", summary_ja="", summary_en="")

    body = client.get("/en/2026/05/19/").content.decode()

    assert "TL;DR" not in body
    assert "Why It Matters" not in body
    assert "Read More" not in body
    assert "What Happened" in body


def test_a_javascript_link_is_never_a_link(client):
    make_briefing(read_more=1)
    ReadMore.objects.update(url="javascript:alert(1)")

    body = client.get("/en/2026/05/19/").content.decode()

    assert "javascript:" not in body
    assert "Related 1" in body


@pytest.mark.parametrize(
    ("path", "other"),
    [
        (
            "/ja/2026/05/19/",
            '<a class="language-switch" href="/en/2026/05/19/" hreflang="en" lang="en" rel="alternate">English</a>',
        ),
        (
            "/en/2026/05/19/both/",
            '<a class="language-switch" href="/ja/2026/05/19/both/" hreflang="ja" lang="ja" rel="alternate">日本語</a>',
        ),
        (
            "/en/archive/?page=1",
            '<a class="language-switch" href="/ja/archive/?page=1" hreflang="ja" lang="ja" rel="alternate">日本語</a>',
        ),
    ],
)
def test_the_language_switcher_leads_to_the_same_page(client, path, other):
    make_briefing()

    assert other in client.get(path).content.decode()


def test_the_header_and_footer_link_to_the_readers_language(client):
    # Those links are reversed once per language and process (reading.site_url): a page in
    # one language must never get the other's.
    make_briefing()

    for lang in ("ja", "en", "ja"):
        body = client.get(f"/{lang}/2026/05/19/").content.decode()
        for name in ("latest", "archive", "search", "feed", "feed_atom"):
            with translation.override(lang):
                url = reverse(f"briefing:{name}")
            assert f'href="{url}"' in body
        assert f'action="/{lang}/search/"' in body
        assert f'href="/{lang}/subscribe/"' in body


def test_the_header_links_follow_the_address_the_site_is_served_under(client):
    # The head's links and the header are rendered once per language and script prefix
    # (base.html's fragment cache, briefing.links): a site served under /news/ gets its own.
    make_briefing()
    client.get("/en/2026/05/19/")

    # What Django's WSGI handler does for SCRIPT_NAME (the test client does not).
    set_script_prefix("/news/")
    try:
        body = client.get("/en/2026/05/19/", SCRIPT_NAME="/news").content.decode()
    finally:
        set_script_prefix("/")

    assert '<a href="/news/en/archive/">Archive</a>' in body
    assert 'href="/news/en/feed/"' in body
    assert 'href="/en/archive/"' not in body


def test_alternates_name_both_languages_and_a_default(client):
    make_briefing()

    body = client.get("/en/2026/05/19/").content.decode()

    assert (
        '<link rel="alternate" hreflang="ja" href="http://127.0.0.1:8000/ja/2026/05/19/">' in body
    )
    assert (
        '<link rel="alternate" hreflang="en" href="http://127.0.0.1:8000/en/2026/05/19/">' in body
    )
    assert (
        '<link rel="alternate" hreflang="x-default" href="http://127.0.0.1:8000/2026/05/19/">'
        in body
    )
    assert '<html lang="en">' in body


def test_sharing_tags_describe_the_issue(client):
    make_briefing()

    body = client.get("/en/2026/05/19/").content.decode()

    assert "<title>Theme 05/19 · Tuesday, May 19, 2026 — Daily Briefing</title>" in body
    assert '<meta name="description" content="The summary.">' in body
    assert '<link rel="canonical" href="http://127.0.0.1:8000/en/2026/05/19/">' in body
    assert '<meta property="og:title" content="Theme 05/19">' in body
    assert '<meta property="og:url" content="http://127.0.0.1:8000/en/2026/05/19/">' in body
    assert '<meta name="twitter:card" content="summary_large_image">' in body
    assert (
        '<meta property="og:image" content="http://127.0.0.1:8000/static/briefing/share.png">'
        in body
    )
    assert '"@type": "NewsArticle"' in body
    assert '"inLanguage": "en"' in body


def test_the_bare_root_redirects_by_accept_language_and_japanese_otherwise(client):
    assert client.get("/", headers={"accept-language": "en-US,en;q=0.9"})["Location"] == "/en/"
    assert client.get("/", headers={"accept-language": "fr"})["Location"] == "/ja/"
    assert client.get("/")["Location"] == "/ja/"


def test_no_inline_styles_or_scripts(client):
    make_briefing(keywords=["Safety"])

    for path in ["/en/2026/05/19/", "/ja/2026/05/19/both/", "/en/archive/", "/en/search/?q=x"]:
        body = client.get(path).content.decode()
        assert "<style" not in body
        assert "style=" not in body
        assert re.findall(r"<script(?![^>]*application/ld\+json)", body) == []
        assert re.findall(r"\son[a-z]+=", body) == []


# --- Parallel view -------------------------------------------------------------------------


def test_the_parallel_view_shows_every_field_in_both_languages_with_lang(client):
    make_briefing(theme_en="")

    response = client.get("/en/2026/05/19/both/")

    assert response.status_code == 200
    body = response.content.decode()

    def side(number, lang, content):
        return (
            f'<div class="pair__side pair__side--{number}" lang="{lang}">'
            f'<span class="pair__lang" aria-hidden="true">{LANGUAGE_AUTONYMS[lang]}</span>'
            f"{content}</div>"
        )

    assert side(1, "ja", "<p>リード文。</p>") in body
    assert side(2, "en", "<p>The lead.</p>") in body
    assert side(1, "ja", "ポイント1") in body
    assert side(2, "en", "Takeaway 1") in body
    # The missing English theme is said so, in the interface's language, never an empty column.
    assert (
        side(2, "en", '<span class="missing" lang="en">Not yet written in this language</span>')
        in body
    )
    # Deep-dive titles are headings.
    assert re.search(
        r'<h2 class="pair pair--heading" id="deep-dive-1-heading">.*?'
        r'<span class="pair__side pair__side--1" lang="ja">ディープダイブ1</span>.*?'
        r'<span class="pair__side pair__side--2" lang="en">Deep dive 1</span></h2>',
        body,
        re.S,
    )
    assert body.count("<h1") == 1


def test_the_parallel_view_notes_a_missing_text_in_the_interface_language(client):
    make_briefing(lead_ja="")

    body = client.get("/ja/2026/05/19/both/").content.decode()

    assert '<p class="missing" lang="ja">この言語ではまだ書かれていません</p>' in body


def test_the_parallel_view_is_canonical_to_the_issue_and_stays_parallel(client):
    make_briefing(datetime.date(2026, 5, 18))
    make_briefing()

    body = client.get("/en/2026/05/19/both/").content.decode()

    assert '<link rel="canonical" href="http://127.0.0.1:8000/en/2026/05/19/">' in body
    assert re.findall(r'rel="(prev|next)" href="([^"]+)"', body) == [
        ("prev", "/en/2026/05/18/both/")
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(
    "status", [Briefing.Status.DRAFT, Briefing.Status.REVIEW], ids=["draft", "review"]
)
def test_the_parallel_view_of_an_unpublished_issue_is_404(client, lang, status):
    make_briefing(status=status)

    assert client.get(f"/{lang}/2026/05/19/both/").status_code == 404


# --- Query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("deep_dives", [1, 5])
@pytest.mark.parametrize("path", ["/ja/", "/ja/2026/05/19/", "/en/2026/05/19/both/"])
def test_an_issue_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, deep_dives, path
):
    make_briefing(datetime.date(2026, 5, 18))
    make_briefing(deep_dives=deep_dives, takeaways=3, read_more=4, keywords=["A", "B", "C"])
    current_generation()

    # The content generation's number (the page cache); the issue with the previous/next
    # dates, keywords, deep dives, takeaways, read-more items.
    with django_assert_num_queries(6):
        response = client.get(path)
    assert len(response.context["briefing"].deep_dives.all()) == deep_dives


# --- Preview (used by the editorial preview view) ------------------------------------------


@pytest.mark.parametrize("render", [render_issue, render_parallel])
@pytest.mark.parametrize(
    ("lang", "banner"), [("ja", "プレビュー（未公開）"), ("en", "Preview — not published")]
)
def test_a_preview_is_marked_private_and_unindexed(render, lang, banner):
    make_briefing(datetime.date(2026, 5, 18))
    draft = make_briefing(status=Briefing.Status.DRAFT)
    make_briefing(datetime.date(2026, 5, 20), status=Briefing.Status.REVIEW)

    with translation.override(lang):
        response = render(RequestFactory().get("/preview/"), draft, preview=True)

    body = response.content.decode()
    assert banner in body
    assert '<meta name="robots" content="noindex">' in body
    assert response.headers["Cache-Control"] == "private, no-store"
    suffix = "both/" if render is render_parallel else ""
    assert re.findall(r'rel="(prev|next)" href="([^"]+)"', body) == [
        ("prev", f"/{lang}/2026/05/18/{suffix}")
    ]


def test_without_preview_there_is_no_banner(client):
    make_briefing()

    body = client.get("/en/2026/05/19/").content.decode()

    assert "Preview" not in body
    assert "noindex" not in body


def test_the_x_default_address_redirects_by_accept_language(client):
    make_briefing()

    response = client.get("/2026/05/19/", headers={"accept-language": "en"})

    assert response.status_code == 302
    assert response["Location"] == "/en/2026/05/19/"


def test_a_missing_page_is_a_friendly_404_in_the_readers_language(client):
    response = client.get("/ja/2026/05/19/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "ページが見つかりません" in body
    assert '<meta name="robots" content="noindex">' in body
    assert '<a href="/ja/archive/">アーカイブを見る</a>' in body


def _swap_numbers(first, second):
    """The first becomes number 2 and the second number 1, the first going through 9 on the
    way: numbers are unique within their parent."""
    first.position, second.position = 9, 1
    first.save()
    second.save()
    first.position = 2
    first.save()


def test_parts_are_shown_in_number_order_whatever_order_they_were_written_in(client):
    # The page reads each kind of part ordered by number alone (briefing.issue_page.PART_QUERIES).
    briefing = make_briefing(deep_dives=2, takeaways=2, read_more=2)
    first, second = briefing.deep_dives.order_by("position")
    _swap_numbers(first, second)
    for deep_dive in (first, second):
        _swap_numbers(*deep_dive.takeaways.order_by("position"))
    current_generation()

    body = client.get("/en/2026/05/19/").content.decode()

    titles = re.findall(r'<span class="deep-dive__title">([^<]*)</span>', body)
    assert titles == ["Deep dive 2", "Deep dive 1"]
    takeaways = re.findall(r'<span class="takeaways__text">([^<]*)</span>', body)
    assert takeaways == ["Takeaway 2", "Takeaway 1"] * 2
