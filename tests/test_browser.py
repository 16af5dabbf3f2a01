"""Editors, translators and readers do their work in a real browser (Chromium via Playwright).

Runs against pytest-django's live server. `make test` runs these where Debian's chromium is
installed at /usr/bin/chromium and skips them with the reason elsewhere; CI sets
BROWSER_TESTS_REQUIRED=1, which turns a missing chromium into a failure. Every step saves a
screenshot under test-artifacts/browser/.
"""

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.db import connections

from briefing.models import Briefing
from editorial.interchange.importing import save_briefing_data
from editorial.interchange.textformat import parse_briefing_text
from editorial.roles import EDITORS, ROLE_PERMISSIONS, TRANSLATORS
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's bundled browser cannot be downloaded here; Debian's build is launched instead,
# with everything that would reach the network or need a GPU switched off.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "editorial" / "demo" / "daily-briefing-2026-05-19.txt"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# Generous for a loaded CI machine; a step that passes never waits for it.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser():
    """One Chromium for all the browser tests (starting it is most of a test's cost).

    Module-scoped, not session-scoped, although it works the same (all browser tests are in
    this module): Playwright's sync API leaves an asyncio event loop running in this thread
    until it stops, and that must not reach the tests of other modules (see below).
    """
    if not CHROMIUM.exists():
        reason = (
            f"real-browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
        if os.environ.get("BROWSER_TESTS_REQUIRED"):
            pytest.fail(f"BROWSER_TESTS_REQUIRED is set, but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # With an event loop running in the thread, Django's async-safety check refuses every ORM
    # call the tests make between browser steps (SynchronousOnlyOperation). Nothing here runs
    # concurrently with those calls (the browser only talks to the live server's own thread),
    # so the check can safely be switched off while the loop runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Also while a loop runs, asgiref's thread-local storage of Django's connections switches
    # to a context variable: the tests would open second connections that pytest-django does
    # not manage (on PostgreSQL, one still open when the test database is dropped). So the
    # loop's context is given the thread's own connections.
    thread_connections = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    try:
        for alias, connection in thread_connections.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def roles():
    """The groups Editors and Translators (editorial.roles), as their data migration makes them.

    A live server needs a transactional test, whose flush empties every table; permissions
    and content types come back after it (post_migrate), the groups only this way.
    (`serialized_rollback` would restore them, but its flush leaves out the content types and
    permissions that later transactional tests expect.)
    """
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in (dotted.split(".") for dotted in permissions)
        )


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser profile (no cookies) per test, on the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


class Screenshots:
    """Numbered screenshots of each step: test-artifacts/browser/<test>/<NN>-<step>.png."""

    def __init__(self, page, name):
        self.page, self.folder, self.count = page, ARTIFACTS / name, 0
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()

    def __call__(self, step):
        self.count += 1
        self.page.screenshot(path=self.folder / f"{self.count:02d}-{step}.png", full_page=True)


@pytest.fixture
def shot(page, request):
    return Screenshots(page, request.node.name)


def import_seed(*, publish):
    return save_briefing_data(parse_briefing_text(SEED.read_bytes()), publish=publish)


def log_in(page, path, username):
    """Through the admin's login form, as a person would; ends on `path`."""
    page.goto(path)
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{path}")


def numbering(briefing):
    """The numbers of the deep dives, of their takeaways, and of the read-more items."""
    deep_dives = briefing.deep_dives.order_by("position")
    return (
        [deep_dive.position for deep_dive in deep_dives],
        [
            list(d.takeaways.order_by("position").values_list("position", flat=True))
            for d in deep_dives
        ],
        list(briefing.read_more.order_by("position").values_list("position", flat=True)),
    )


def text_of(page, selector):
    return " ".join(page.locator(selector).inner_text().split())


# Editors.


def test_editor_imports_the_seed_text_fixes_a_typo_and_publishes(page, shot, live_server):
    make_user("editor", role=EDITORS)

    log_in(page, "/ja/admin/briefing/briefing/", "editor")
    shot("briefing-list")
    page.click("a.editorial-import")
    page.wait_for_url("**/ja/editorial/import/")
    assert text_of(page, "h1") == "テキストから取り込む"
    page.set_input_files("#id_file", SEED)
    shot("import-form")
    page.click("input[name=preview]")

    assert text_of(page, "#content-main h2 >> nth=0") == (
        "保存する前に 2026-05-19 の読み取り結果を確認してください"
    )
    theme_row = page.locator(".editorial-parsed tbody tr").first
    assert theme_row.locator("td[lang=ja]").inner_text() == "安全とアクセスコライド"
    assert theme_row.locator("td[lang=en]").inner_text() == "—"
    shot("import-check")
    assert Briefing.objects.count() == 0  # nothing saved before the editor says so
    page.click("input[name=save]")
    page.wait_for_url(re.compile(r"/ja/admin/briefing/briefing/\d+/change/$"))
    assert text_of(page, ".messagelist .success") == "2026-05-19 を「下書き」として取り込みました。"
    assert text_of(page, ".editorial-state") == "下書き"
    shot("imported-draft")
    assert page.is_visible("#id_theme_ja")
    assert page.input_value("#id_theme_ja") == "安全とアクセスコライド"

    numbers = numbering(Briefing.objects.get())
    assert numbers == ([1, 2, 3], [[1, 2, 3]] * 3, [4, 5])

    # The theme's katakana "コライド" was meant as "の衝突".
    page.fill("#id_theme_ja", "安全とアクセスの衝突")
    shot("typo-fixed")
    page.click("input[name=_publish]")
    # Saved; before publishing, the page lists what readers will see untranslated.
    page.wait_for_url("**/workflow/publish/")
    shot("publish-confirmation")
    gaps = page.locator(".editorial-gap h3").all_inner_texts()
    assert gaps == ["日本語: 未翻訳 (12)", "英語: 未翻訳 (16)"]
    page.click("#content-main input[type=submit]")
    page.wait_for_url("**/ja/admin/briefing/briefing/*/change/")
    shot("published")
    assert text_of(page, ".messagelist .success").startswith("2026-05-19 を公開しました。")
    page.goto("/ja/admin/briefing/briefing/")
    row = page.locator("#result_list tbody tr")
    assert text_of(page, "#result_list tbody tr .field-theme_any") == "安全とアクセスの衝突"
    assert row.locator(".editorial-state").inner_text() == "公開中"
    briefing = Briefing.objects.get()
    assert (briefing.status, briefing.theme_ja) == ("published", "安全とアクセスの衝突")
    # The page's script sent every row's index as its number; the numbers stay.
    assert numbering(briefing) == numbers

    page.goto("/ja/2026/05/19/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert text_of(page, ".issue-kicker") == "2026年5月19日 (火)"
    assert text_of(page, "h1") == "安全とアクセスの衝突"
    assert page.locator(".deep-dive").count() == 3
    shot("public-issue")


# Readers.


def test_reader_switches_language_reads_side_by_side_searches_and_follows_the_feed(
    page, shot, live_server, settings
):
    settings.SITE_URL = live_server.url  # the feed's links are made from it
    import_seed(publish=True)

    page.goto("/ja/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert text_of(page, ".issue-kicker") == "2026年5月19日 (火)"
    assert text_of(page, "h1") == "安全とアクセスコライド"
    shot("latest-issue-in-japanese")

    # The issue's own page, then the same issue in English.
    page.click("a[href='/ja/archive/']")
    page.click("a[href='/ja/2026/05/19/']")
    assert page.url == f"{live_server.url}/ja/2026/05/19/"
    shot("issue-in-japanese")
    switch = page.locator("a.language-switch")
    assert switch.inner_text() == "English"
    assert switch.get_attribute("lang") == "en"
    switch.click()
    page.wait_for_url("**/en/2026/05/19/")
    assert page.url == f"{live_server.url}/en/2026/05/19/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert text_of(page, ".issue-kicker") == "Tuesday, May 19, 2026"
    shot("issue-in-english")

    # The theme is written only in Japanese: the headline in Japanese, with its language; the
    # lead below it is a block, marked as not yet translated.
    assert page.locator("h1 span[lang=ja]").inner_text() == "安全とアクセスコライド"
    assert text_of(page, ".lede .fallback-note") == "Not yet translated — Japanese original"
    assert text_of(page, ".translation-notice").startswith("43% of this issue is in English")
    # Practical points exist only in English and show unmarked.
    assert page.locator("#deep-dive-1 .practical .fallback-note").count() == 0

    page.click("text=Read in Japanese and English side by side")
    page.wait_for_url("**/en/2026/05/19/both/")
    shot("parallel-view")
    assert page.locator(".pair--labels .pair__side").all_inner_texts() == ["日本語", "ENGLISH"]
    theme_pair = page.locator(".pair:not(.pair--labels)").first.locator(".pair__side")
    assert theme_pair.evaluate_all("nodes => nodes.map(n => n.lang)") == ["ja", "en"]
    # The per-row language names are for phones; at this width the column labels show.
    assert theme_pair.all_inner_texts() == [
        "安全とアクセスコライド",
        "Not yet written in this language",
    ]

    page.fill("#site-search-q", "量子化")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/en/search/?q=*")
    assert page.url == f"{live_server.url}/en/search/?q=%E9%87%8F%E5%AD%90%E5%8C%96"
    assert page.input_value("#search-q") == "量子化"
    assert text_of(page, ".search-count") == "1 issue found"
    result = page.locator(".issue-list .issue-card a")
    assert result.get_attribute("href") == "/en/2026/05/19/"
    assert "量子化" in page.locator(".issue-list .snippet").inner_text()
    shot("search-results")

    feed_link = page.locator("footer a", has_text="RSS")
    assert feed_link.get_attribute("href") == "/en/feed/"
    with page.expect_response("**/en/feed/") as response_info:
        feed_link.click()
    response = response_info.value
    shot("feed")
    assert response.status == 200
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    channel = ET.fromstring(response.body()).find("channel")
    assert channel.findtext("title") == "Daily Briefing"
    (item,) = channel.findall("item")
    # The theme is not in English yet: the English feed's title is the date alone.
    assert item.findtext("title") == "Tuesday, May 19, 2026"
    assert item.findtext("link") == f"{live_server.url}/en/2026/05/19/"


# Translators.


def field_for(page, label):
    """The translation row of the field labelled `label` (a field of the issue itself)."""
    return page.locator(".translation-row", has=page.locator("h3", has_text=label)).first


def test_translator_fills_missing_english_and_sees_outdated_after_an_edit(page, shot, live_server):
    briefing = import_seed(publish=False)
    make_user("translator", role=TRANSLATORS)

    log_in(page, "/en/admin/translations/", "translator")
    shot("queue")
    row = page.locator(".translation-queue tbody tr", has=page.locator("th", has_text="2026-05-19"))
    english = row.locator("td.translation-counts").nth(1)
    assert page.locator(".translation-queue thead th").all_text_contents() == [
        "Date",
        "Theme",
        "Status",
        "Japanese",
        "English",
    ]
    assert " ".join(english.inner_text().split()) == "43% complete 16 missing Translate"

    english.locator("a", has_text="Translate").click()
    page.wait_for_url("**/en/admin/translations/2026-05-19/en/")
    assert text_of(page, ".translation-summary") == (
        "From Japanese into English. 43% complete: 16 missing, 0 outdated. Translate the other way"
    )
    shot("editor-before")

    theme = field_for(page, "Theme")
    assert theme.locator(".source-text").get_attribute("lang") == "ja"
    assert theme.locator(".source-text").inner_text() == "安全とアクセスコライド"
    assert theme.locator(".badge").inner_text() == "missing"
    theme.locator(".translation-input").fill("Safety and access collide")
    tldr = field_for(page, "TL;DR")
    assert tldr.locator(".translation-input").get_attribute("lang") == "en"
    tldr.locator(".translation-input").fill(
        "Two threads make today's issue: (1) safety evaluation asks which benchmarks shape "
        "research and whether they can be reproduced; (2) AI capabilities are packaged into "
        "broader features of mainstream assistant workflows."
    )
    shot("editor-filled")
    page.locator(".submit-row input[type=submit]").first.click()
    page.wait_for_load_state()

    assert text_of(page, ".messagelist") == "Saved: 2 fields changed, 0 marked still correct."
    assert text_of(page, ".translation-summary") == (
        "From Japanese into English. 50% complete: 14 missing, 0 outdated. Translate the other way"
    )
    assert field_for(page, "Theme").locator(".badge").inner_text() == "up to date"
    shot("editor-saved")

    # Later the editor rewrites the Japanese theme: the English one is now outdated.
    briefing.refresh_from_db()
    briefing.theme_ja = "安全とアクセスの衝突"
    briefing.save()

    page.reload()
    assert text_of(page, ".translation-summary") == (
        "From Japanese into English. 46% complete: 14 missing, 1 outdated. Translate the other way"
    )
    theme = field_for(page, "Theme")
    assert theme.locator(".badge").inner_text() == "outdated"
    assert theme.locator(".translation-input").input_value() == "Safety and access collide"
    assert theme.locator(".source-diff ins").all_inner_texts() == ["の衝突"]
    assert theme.locator(".source-diff del").all_inner_texts() == ["コライド"]
    shot("editor-outdated")

    page.goto("/en/admin/translations/")
    english = (
        page.locator(".translation-queue tbody tr").first.locator("td.translation-counts").nth(1)
    )
    assert " ".join(english.inner_text().split()) == "46% complete 14 missing 1 outdated Translate"
    shot("queue-after")
    assert Briefing.objects.get().theme_en == "Safety and access collide"


# The reading pages: screenshots at phone and desktop widths in both themes, axe-core, and no
# horizontal scroll whatever the content.

READING_PAGES = {
    "issue-ja": "/ja/2026/05/19/",
    "issue-en": "/en/2026/05/19/",
    "parallel": "/en/2026/05/19/both/",
    "archive": "/en/archive/",
    "keyword": "/ja/keywords/safety/",
    "keyword-index": "/en/keywords/",
    "search": "/en/search/?q=benchmark+safety",
}


def reading_archive():
    """The demo issue (partly translated) and two plain issues with a keyword, all public."""
    import datetime

    from tests.factories import make_briefing

    with time_machine.travel(datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC), tick=False):
        import_seed(publish=True)
    make_briefing(datetime.date(2026, 5, 18), keywords=["Safety"], tldr_en="Benchmarks and safety.")
    make_briefing(datetime.date(2026, 4, 30), keywords=["Safety"])


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']}: {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
    ]


def horizontal_overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reading_pages_at_phone_and_desktop_widths_pass_axe(browser, live_server, scheme):
    reading_archive()
    folder = ARTIFACTS / f"reading-{scheme}"
    folder.mkdir(parents=True, exist_ok=True)
    problems = {}
    for width in (360, 1280):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": 900},
            color_scheme=scheme,
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        for name, path in READING_PAGES.items():
            response = page.goto(path)
            assert response.status == 200, path
            page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
            assert horizontal_overflow(page) == 0, f"{path} scrolls sideways at {width} px"
            if violations := axe_violations(page):
                problems[f"{path} at {width} px"] = violations
        if width == 360:
            # On a phone the parallel view names each side's language, row by row.
            page.goto(READING_PAGES["parallel"])
            labels = page.locator(".pair:not(.pair--labels) .pair__lang")
            assert labels.first.is_visible()
            assert labels.evaluate_all("nodes => nodes.slice(0, 2).map(n => n.innerText)") == [
                "日本語",
                "English",
            ]
        context.close()
    assert problems == {}


def test_print_has_a_masthead_and_no_screen_furniture(page, live_server):
    reading_archive()
    page.goto("/en/2026/05/19/")
    page.emulate_media(media="print")

    assert page.locator(".print-masthead").is_visible()
    assert " ".join(page.locator(".print-masthead").inner_text().split()) == (
        "Daily Briefing · Tuesday, May 19, 2026 · http://127.0.0.1:8000/en/2026/05/19/"
    )
    for furniture in (".site-header", ".site-footer", ".issue-nav", ".fallback-note", ".contents"):
        assert page.locator(furniture).first.is_hidden(), furniture
    takeaway = page.locator(".takeaways li").first
    assert takeaway.evaluate("node => getComputedStyle(node).breakInside") == "avoid"
    deep_dive = page.locator(".deep-dive").first
    assert deep_dive.evaluate("node => getComputedStyle(node).breakInside") == "auto"


def test_no_page_scrolls_sideways_at_320_px_even_with_a_6000_character_word(browser, live_server):
    import datetime

    from briefing.models import DeepDive
    from tests.factories import make_briefing

    word = "x" * 6000
    # Titles and links have a length limit (300 and 500 characters): as long as they may be.
    short_word, link = "y" * 300, "https://example.com/" + "a" * 480
    briefing = make_briefing(
        datetime.date(2026, 5, 19),
        deep_dives=2,
        read_more=1,
        keywords=["Safety"],
        theme_en=short_word,
        lead_en=word,
        tldr_en=word,
        lead_ja="あ" * 6000,
    )
    DeepDive.objects.filter(briefing=briefing).update(
        title_en=short_word,
        what_happened_en=word,
        sources=[{"url": "https://example.com/" + "a" * 6000, "title": ""}],
    )
    briefing.read_more.update(url=link, title_en="", summary_en=word)
    from briefing.search import rebuild_search_documents

    rebuild_search_documents([briefing.pk])
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 700})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    wide = {}
    for path in [
        "/en/2026/05/19/",
        "/ja/2026/05/19/",
        "/en/2026/05/19/both/",
        "/en/archive/",
        "/en/archive/2026/05/",
        "/en/keywords/safety/",
        "/en/keywords/",
        f"/en/search/?q={'x' * 90}",
        "/en/no/such/page/",
    ]:
        page.goto(path)
        if overflow := horizontal_overflow(page):
            wide[path] = overflow
    page.screenshot(path=ARTIFACTS / "overflow-320-search.png")
    context.close()
    assert wide == {}
