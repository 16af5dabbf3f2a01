"""Drafts stay private, keywords included: keywords are shared between issues, so a name
written for a draft waits for its publication before any public page shows it."""

import datetime

import pytest

from briefing.models import Briefing, Keyword, SearchDocument
from briefing.serialization import briefing_to_dict
from editorial import workflow
from editorial.interchange.importing import save_briefing_data
from tests.factories import make_briefing

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
