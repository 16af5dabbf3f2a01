"""The HTML email in a real browser (Chromium via Playwright): at 320 and 800 px, light and
dark. Screenshots go to test-artifacts/newsletter/ for a person to look at; the assertions
check what a reader would notice (no sideways scrolling, dark colours in dark mode, the two
languages side by side on a wide screen and one under the other on a phone)."""

from pathlib import Path

import pytest
from django.core.management import call_command

from briefing.models import Briefing
from newsletter.rendering import TOKEN_PLACEHOLDER, render_edition
from tests.test_browser import TIMEOUT_MS, browser  # noqa: F401 - the shared Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "newsletter"
BACKGROUNDS = {"light": "rgb(255, 255, 255)", "dark": "rgb(31, 30, 28)"}


@pytest.fixture
def demo_issue():
    call_command("load_demo_issue", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Briefing.objects.with_contents().get()


@pytest.mark.parametrize("language", ["ja", "en", "both"])
def test_the_email_reads_well_at_320_and_800_px_light_and_dark(browser, demo_issue, language):  # noqa: F811
    html = render_edition(demo_issue, language).html.replace(TOKEN_PLACEHOLDER, "token")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (320, 800):
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
            page.set_default_timeout(TIMEOUT_MS)
            try:
                page.set_content(html)
                page.screenshot(
                    path=ARTIFACTS / f"edition-{language}-{width}-{scheme}.png", full_page=True
                )
                where = f"{language} at {width}px, {scheme}"
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                assert scroll_width <= width, f"{where}: scrolls sideways ({scroll_width}px)"
                background = page.eval_on_selector(
                    ".container", "e => getComputedStyle(e).backgroundColor"
                )
                assert background == BACKGROUNDS[scheme], where
                if language == "both":
                    ja, en = page.query_selector_all(".pair__side")[:2]
                    ja_box, en_box = ja.bounding_box(), en.bounding_box()
                    if width == 800:
                        assert ja_box["y"] == en_box["y"] and ja_box["x"] < en_box["x"], where
                    else:
                        assert en_box["y"] >= ja_box["y"] + ja_box["height"], where
            finally:
                page.close()
