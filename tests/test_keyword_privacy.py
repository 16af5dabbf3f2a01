"""Drafts stay private, keywords included: keywords are shared between issues, so a name
written for a draft (or a scheduled issue) waits until it is live before any public page
shows it, whichever way it was written: import, the translator editor or a PO file."""

import datetime

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from briefing.models import Briefing, Keyword, SearchDocument
from briefing.serialization import briefing_to_dict
from editorial import workflow
from editorial.interchange.importing import save_briefing_data
from editorial.roles import EDITORS, TRANSLATORS
from editorial.tasks import apply_due_keyword_names
from tests.factories import NOW, make_briefing, make_user

pytestmark = pytest.mark.django_db

OLD, NEW = "Safety（日本語）", "下書きの新しい名前"


def public_names(client) -> dict:
    """Where the keyword's Japanese name shows: issue A's page, the keyword page, the API and
    A's search document."""
    issue = client.get("/ja/2026/05/18/").content.decode()
    keyword_page = client.get("/ja/keywords/safety/").content.decode()
    api = client.get("/api/v1/briefings/2026-05-18/").json()["keywords"]
    document = SearchDocument.objects.get(briefing__date=datetime.date(2026, 5, 18)).text_ja
    return {
        name: [name in issue, name in keyword_page, api[0]["name"]["ja"] == name, name in document]
        for name in (OLD, NEW)
    }


@pytest.fixture
def draft_renaming_the_keyword(django_capture_on_commit_callbacks):
    """Issue A published with keyword K; draft B imported with K's Japanese name rewritten."""
    with django_capture_on_commit_callbacks(execute=True):
        published = make_briefing(datetime.date(2026, 5, 18), keywords=["Safety"])
        data = briefing_to_dict(Briefing.objects.with_contents().get(pk=published.pk))
        data |= {"date": "2026-05-19", "status": "draft"}
        data["keywords"] = [{"slug": "safety", "name": {"ja": NEW, "en": "Safety"}}]
        draft = save_briefing_data(data, actor="test")
    return draft


def test_a_draft_import_leaves_the_public_keyword_name_alone(client, draft_renaming_the_keyword):
    assert public_names(client) == {OLD: [True, True, True, True], NEW: [False] * 4}
    assert Keyword.objects.get(slug="safety").name_ja == OLD


def test_reimporting_the_draft_still_leaves_it_alone(client, draft_renaming_the_keyword):
    data = briefing_to_dict(Briefing.objects.with_contents().get(date="2026-05-19"))
    data["keywords"] = [{"slug": "safety", "name": {"ja": NEW + "2", "en": "Safety"}}]
    save_briefing_data(data, replace=True, actor="test")

    assert Keyword.objects.get(slug="safety").name_ja == OLD
    assert list(draft_renaming_the_keyword.pending_keyword_names.values_list("name")) == [
        (NEW + "2",)
    ]


def test_the_draft_name_goes_public_with_the_draft(
    client, draft_renaming_the_keyword, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft_renaming_the_keyword)

    assert public_names(client) == {NEW: [True, True, True, True], OLD: [False] * 4}
    assert not draft_renaming_the_keyword.pending_keyword_names.exists()


def test_a_keyword_no_public_issue_shows_is_named_at_once(django_capture_on_commit_callbacks):
    make_briefing(datetime.date(2026, 5, 18), status=Briefing.Status.DRAFT, keywords=["Safety"])
    data = briefing_to_dict(Briefing.objects.with_contents().get(date="2026-05-18"))
    data["keywords"] = [{"slug": "safety", "name": {"ja": NEW, "en": "Safety"}}]

    save_briefing_data(data, replace=True, actor="test")

    assert Keyword.objects.get(slug="safety").name_ja == NEW


# The translator's ways of renaming: the editor and a PO file. Issue A (2026-05-18) is live with
# keyword K; draft B (2026-05-19) shows K too. A translator writes K's Japanese name for B.

B_EDITOR = "/en/admin/translations/2026-05-19/ja/"
K_NAME = "keywords/safety/name"


@pytest.fixture
def draft_sharing_the_keyword(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_briefing(datetime.date(2026, 5, 18), keywords=["Safety"])
        draft = make_briefing(status=Briefing.Status.DRAFT, keywords=["Safety"])
    client.force_login(make_user("toru", role=TRANSLATORS))
    return draft


def editor_form(client) -> dict:
    form = client.get(B_EDITOR).context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_a_draft_renaming_through_the_translator_editor_leaves_the_public_name_alone(
    client, draft_sharing_the_keyword, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(B_EDITOR, editor_form(client) | {K_NAME: NEW})

    assert response.status_code == 302
    assert public_names(client) == {OLD: [True, True, True, True], NEW: [False] * 4}
    assert list(draft_sharing_the_keyword.pending_keyword_names.values_list("name")) == [(NEW,)]

    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft_sharing_the_keyword)

    assert public_names(client) == {NEW: [True, True, True, True], OLD: [False] * 4}


def test_a_draft_renaming_through_a_po_file_leaves_the_public_name_alone(
    client, draft_sharing_the_keyword, django_capture_on_commit_callbacks
):
    po = polib.pofile(client.get(B_EDITOR + "po/").content.decode())
    po.find("Safety", msgctxt=f"2026-05-19/{K_NAME}").msgstr = NEW
    upload = SimpleUploadedFile("ja.po", str(po).encode(), "text/x-gettext-translation")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(B_EDITOR + "po/upload/", {"file": upload})

    assert response.status_code == 302
    assert public_names(client) == {OLD: [True, True, True, True], NEW: [False] * 4}
    assert list(draft_sharing_the_keyword.pending_keyword_names.values_list("name")) == [(NEW,)]

    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft_sharing_the_keyword)

    assert public_names(client) == {NEW: [True, True, True, True], OLD: [False] * 4}


# Scheduled issues: published, but readers cannot see them until their time.


def test_a_scheduled_issues_keyword_is_protected_like_a_live_ones(frozen_clock):
    # Its page goes out at its time with nobody looking again: a draft must not rename it.
    scheduled = make_briefing(
        datetime.date(2026, 5, 20), publish_at=NOW + datetime.timedelta(days=1), keywords=["Safety"]
    )
    data = briefing_to_dict(Briefing.objects.with_contents().get(pk=scheduled.pk))
    data |= {"date": "2026-05-19", "status": "draft"}
    data["keywords"] = [{"slug": "safety", "name": {"ja": NEW, "en": "Safety"}}]

    draft = save_briefing_data(data, actor="test")

    assert Keyword.objects.get(slug="safety").name_ja == OLD
    assert list(draft.pending_keyword_names.values_list("name")) == [(NEW,)]


def test_a_scheduled_drafts_names_wait_until_it_is_live(
    client, frozen_clock, draft_renaming_the_keyword, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.schedule(draft_renaming_the_keyword, NOW + datetime.timedelta(hours=2))
        apply_due_keyword_names()

    assert public_names(client) == {OLD: [True, True, True, True], NEW: [False] * 4}

    frozen_clock.move_to(NOW + datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        apply_due_keyword_names()

    assert public_names(client) == {NEW: [True, True, True, True], OLD: [False] * 4}
    assert not draft_renaming_the_keyword.pending_keyword_names.exists()


def test_renaming_through_a_scheduled_issue_waits_until_it_is_live(
    client, frozen_clock, draft_sharing_the_keyword, django_capture_on_commit_callbacks
):
    workflow.schedule(draft_sharing_the_keyword, NOW + datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(B_EDITOR, editor_form(client) | {K_NAME: NEW})

    assert public_names(client) == {OLD: [True, True, True, True], NEW: [False] * 4}

    frozen_clock.move_to(NOW + datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        apply_due_keyword_names()

    assert public_names(client) == {NEW: [True, True, True, True], OLD: [False] * 4}


def test_the_beat_applies_due_keyword_names_each_minute(settings):
    assert settings.CELERY_BEAT_SCHEDULE["apply-due-keyword-names"] == {
        "task": "editorial.tasks.apply_due_keyword_names",
        "schedule": 60.0,
    }
    assert apply_due_keyword_names.name == "editorial.tasks.apply_due_keyword_names"


def test_the_editor_shows_a_waiting_name_as_the_translators_and_says_why(
    client, draft_sharing_the_keyword
):
    response = client.post(B_EDITOR, editor_form(client) | {K_NAME: NEW}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Saved: 0 fields changed, 0 marked still correct.",
        "1 keyword name is kept for this issue and shown when it is published: published "
        "issues share the keyword and keep its current name until then.",
    ]
    # Reopened, the editor shows the translator's name, and the one readers see beside it.
    assert response.context["form"][K_NAME].value() == NEW
    assert (
        f"Kept for this issue, shown when it is published. Until then published issues show "
        f"“{OLD}”." in response.content.decode()
    )
    # Saving the page again as it is keeps the waiting name as it was, without a message.
    again = client.post(B_EDITOR, editor_form(client), follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "Saved: 0 fields changed, 0 marked still correct."
    ]
    assert list(draft_sharing_the_keyword.pending_keyword_names.values_list("name")) == [(NEW,)]


def test_writing_the_public_name_back_leaves_nothing_waiting(client, draft_sharing_the_keyword):
    client.post(B_EDITOR, editor_form(client) | {K_NAME: NEW})

    client.post(B_EDITOR, editor_form(client) | {K_NAME: OLD})

    assert not draft_sharing_the_keyword.pending_keyword_names.exists()
    assert client.get(B_EDITOR).context["form"][K_NAME].value() == OLD
    assert Keyword.objects.get(slug="safety").name_ja == OLD


def test_a_po_file_reports_the_names_kept_for_publication(client, draft_sharing_the_keyword):
    po = polib.pofile(client.get(B_EDITOR + "po/").content.decode())
    po.find("Safety", msgctxt=f"2026-05-19/{K_NAME}").msgstr = NEW
    upload = SimpleUploadedFile("ja.po", str(po).encode(), "text/x-gettext-translation")

    response = client.post(B_EDITOR + "po/upload/", {"file": upload}, follow=True)

    lines = [str(m) for m in response.context["messages"]]
    assert f"kept for this issue, shown when it is published: 2026-05-19/{K_NAME}" in lines
    assert response.context["form"][K_NAME].value() == NEW


def test_the_drafts_preview_shows_the_name_kept_for_it_and_the_public_page_does_not(
    client, draft_sharing_the_keyword
):
    client.post(B_EDITOR, editor_form(client) | {K_NAME: NEW})
    client.force_login(make_user("eri", role=EDITORS))

    preview = client.get("/ja/editorial/preview/2026-05-19/").content.decode()
    parallel = client.get("/ja/editorial/preview/2026-05-19/parallel/").content.decode()

    assert (NEW in preview, OLD in preview) == (True, False)
    assert (NEW in parallel, OLD in parallel) == (True, False)
    assert public_names(client) == {OLD: [True, True, True, True], NEW: [False] * 4}
    assert Keyword.objects.get(slug="safety").name_ja == OLD
