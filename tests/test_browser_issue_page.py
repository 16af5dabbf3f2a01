"""The issue's page in a real browser: reordering, nested takeaways, two editors at once, and
restoring a version of a live issue (Chromium via Playwright, screenshots under
test-artifacts/browser/). Shares the browser and fixtures of tests/test_browser.py."""

import pytest

from briefing.models import Briefing, DeepDive, Takeaway
from editorial import history
from editorial.roles import EDITORS
from tests import test_browser as shared
from tests.factories import make_user
from tests.test_browser import import_seed, log_in, text_of

# The fixtures of tests/test_browser.py, used here by name.
browser, page, roles, shot = shared.browser, shared.page, shared.roles, shared.shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def issue_url(briefing):
    return f"/en/admin/briefing/briefing/{briefing.pk}/change/"


def deep_dive_titles():
    return list(DeepDive.objects.order_by("position").values_list("title_ja", flat=True))


def drag(page, source, target):
    """Drag by the mouse, in small steps, as jQuery UI's sortable needs."""
    start, end = source.bounding_box(), target.bounding_box()
    x, y = start["x"] + 20, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - 10, steps=5)
    page.mouse.move(end["x"] + 20, end["y"] - 20, steps=40)
    page.mouse.move(end["x"] + 20, end["y"] - 10, steps=5)
    page.mouse.up()


def test_editor_reorders_by_dragging_and_keyboard_and_edits_a_nested_takeaway(page, shot):
    make_user("editor", role=EDITORS)
    briefing = import_seed(publish=False)
    titles = deep_dive_titles()
    log_in(page, issue_url(briefing), "editor")
    shot("issue-page")

    # Drag the second deep dive above the first.
    # Tall enough to hold both deep dives' headings: the mouse moves within the window.
    page.set_viewport_size({"width": 1280, "height": 3200})
    drag(page, page.locator("#deep_dives-1 > h3"), page.locator("#deep_dives-0 > h3"))
    shot("dragged")
    assert page.input_value("#id_deep_dives-1-position") == "1"
    assert page.input_value("#id_deep_dives-0-position") == "2"

    # With the keyboard: the third deep dive's "move up" button, pressed with Enter.
    page.focus("#deep_dives-2 .editorial-move-up >> nth=0")
    page.keyboard.press("Enter")
    assert page.input_value("#id_deep_dives-2-position") == "2"
    # A key takeaway, edited where it stands, inside its deep dive.
    page.fill("#id_deep_dives-0-takeaways-0-text_en", "Edited in place.")
    shot("takeaway-edited")
    page.click("input[name=_continue]")
    page.wait_for_url(f"**{issue_url(briefing)}")
    shot("saved")

    assert deep_dive_titles() == [titles[1], titles[2], titles[0], *titles[3:]]
    first_dive = DeepDive.objects.get(title_ja=titles[0])
    assert first_dive.takeaways.order_by("position").first().text_en == "Edited in place."


def test_a_page_shown_again_after_a_failed_save_keeps_its_numbers(page, shot):
    """On submit the admin's script sends each row's index from 0 as its number; a page shown
    again with an error must not show those indexes."""
    make_user("editor", role=EDITORS)
    briefing = import_seed(publish=False)
    log_in(page, issue_url(briefing), "editor")

    page.fill("#id_read_more-0-url", "not a link")
    page.click("input[name=_continue]")
    page.wait_for_selector(".editorial-error-summary")
    shot("shown-again")

    numbers = page.eval_on_selector_all(
        "input.editorial-number:not([name*=__prefix__])",
        "inputs => inputs.map(input => [input.name, input.value])",
    )
    assert {name: value for name, value in numbers if "takeaways" not in name} == {
        "deep_dives-0-position": "1",
        "deep_dives-1-position": "2",
        "deep_dives-2-position": "3",
        "read_more-0-position": "4",
        "read_more-1-position": "5",
    }
    assert [value for name, value in numbers if name.startswith("deep_dives-0-takeaways")] == [
        "1",
        "2",
        "3",
    ]


def test_two_editors_merge_and_settle_a_field_both_changed(browser, live_server, shot):
    make_user("erika", role=EDITORS)
    make_user("kenji", role=EDITORS)
    briefing = import_seed(publish=False)
    pages = {}
    for name in ("erika", "kenji"):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        pages[name] = context.new_page()
        log_in(pages[name], issue_url(briefing), name)
    erika, kenji = pages["erika"], pages["kenji"]

    # Different fields: both saves survive.
    erika.fill("#id_theme_en", "Erika's theme")
    erika.click("input[name=_continue]")
    erika.wait_for_url(f"**{issue_url(briefing)}")
    kenji.fill("#id_lead_en", "Kenji's lead")
    kenji.click("input[name=_continue]")
    kenji.wait_for_url(f"**{issue_url(briefing)}")
    kenji.screenshot(path=shot.folder / "01-merged.png", full_page=True)
    assert "merged with theirs" in text_of(kenji, ".messagelist")
    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.lead_en) == ("Erika's theme", "Kenji's lead")

    # The same field: Kenji sees theirs, his and the original, and keeps his.
    erika.fill("#id_tldr_en", "Erika's summary")
    kenji.fill("#id_tldr_en", "Kenji's summary")
    erika.click("input[name=_continue]")
    erika.wait_for_url(f"**{issue_url(briefing)}")
    kenji.click("input[name=_continue]")
    kenji.wait_for_selector(".editorial-conflict")
    kenji.screenshot(path=shot.folder / "02-conflict.png", full_page=True)
    assert text_of(kenji, ".editorial-conflict-theirs") == "Erika's summary"
    assert text_of(kenji, ".editorial-conflict-mine") == "Kenji's summary"
    kenji.check(".editorial-conflict input[value=mine]")
    kenji.click("input[name=_continue]")
    kenji.wait_for_selector(".messagelist .success")
    kenji.screenshot(path=shot.folder / "03-settled.png", full_page=True)
    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.lead_en, briefing.tldr_en) == (
        "Erika's theme",
        "Kenji's lead",
        "Kenji's summary",
    )
    for other in pages.values():
        other.context.close()


def test_restoring_a_version_of_a_live_issue_keeps_it_live(page, shot):
    make_user("editor", role=EDITORS)
    briefing = import_seed(publish=True)
    first = history.issue_versions(briefing.pk).first()
    theme = Briefing.objects.get().theme_en
    log_in(page, issue_url(briefing), "editor")
    page.fill("#id_theme_en", "A theme that goes back")
    page.click("input[name=_continue]")
    page.wait_for_url(f"**{issue_url(briefing)}")
    assert Briefing.objects.get().theme_en == "A theme that goes back"

    page.goto(f"/en/admin/briefing/briefing/{briefing.pk}/history/")
    shot("history")
    page.goto(f"/en/admin/briefing/briefing/{briefing.pk}/history/{first.pk}/")
    shot("restore-page")
    assert "stays so" in text_of(page, "#content-main")
    page.click("#content-main input[type=submit]")
    page.wait_for_url(f"**{issue_url(briefing)}")
    shot("restored")
    assert "The issue stays Live" in text_of(page, ".messagelist")

    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.status) == (theme, "published")
    response = page.goto("/en/2026/05/19/")
    assert response.status == 200
    assert theme in page.content()
    assert Takeaway.objects.exists()


def test_leaving_with_unsaved_changes_asks_first_and_saving_does_not(browser, live_server):
    make_user("editor", role=EDITORS)
    briefing = import_seed(publish=False)
    context = browser.new_context(base_url=live_server.url)
    asked = []

    def answer(dialog):
        # "Stay on the page": the edit must not be lost by a stray click.
        asked.append(dialog.type)
        dialog.dismiss()

    try:
        untouched = context.new_page()
        log_in(untouched, issue_url(briefing), "editor")
        untouched.on("dialog", answer)
        untouched.close(run_before_unload=True)

        edited = context.new_page()
        edited.on("dialog", answer)
        edited.goto(issue_url(briefing))
        edited.fill("#id_theme_en", "A theme not saved yet")
        edited.close(run_before_unload=True)
        edited.wait_for_timeout(500)
        # Only the edited page asked; the untouched one closed at once.
        assert (asked, edited.is_closed(), untouched.is_closed()) == (["beforeunload"], False, True)

        # Saving is leaving on purpose: no question, and the text is kept.
        edited.click("input[name=_continue]")
        edited.wait_for_url(f"**{issue_url(briefing)}")
        assert asked == ["beforeunload"]
        assert Briefing.objects.get(pk=briefing.pk).theme_en == "A theme not saved yet"
    finally:
        context.close()
