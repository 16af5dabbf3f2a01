import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from briefing.models import Briefing
from editorial import workflow
from editorial.roles import EDITORS, TRANSLATORS
from editorial.workflow import State, WorkflowError
from tests.admin_forms import change_form_data
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the interface's English messages."""
    with translation.override("en"):
        yield


TOKYO = datetime.timezone(datetime.timedelta(hours=9))
NOW = datetime.datetime(2026, 5, 19, 9, 0, tzinfo=TOKYO)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def editor(client):
    user = make_user("erika", role=EDITORS)
    client.force_login(user)
    return user


def draft(**kwargs):
    return make_briefing(status=Briefing.Status.DRAFT, **kwargs)


def public_dates():
    return [b.date.isoformat() for b in Briefing.objects.published()]


def test_it_moves_a_draft_to_review():
    briefing = workflow.submit_for_review(draft())
    assert Briefing.objects.get(pk=briefing.pk).status == Briefing.Status.REVIEW
    assert workflow.state_of(briefing) == State.REVIEW
    assert public_dates() == []


def test_it_submits_only_drafts_for_review():
    with pytest.raises(WorkflowError, match="Only a draft"):
        workflow.submit_for_review(make_briefing())


@pytest.mark.parametrize("status", [Briefing.Status.DRAFT, Briefing.Status.REVIEW])
def test_it_publishes_now(status):
    briefing = workflow.publish_now(make_briefing(status=status))
    briefing.refresh_from_db()
    assert (briefing.status, briefing.publish_at) == (Briefing.Status.PUBLISHED, NOW)
    assert workflow.state_of(briefing) == State.LIVE
    assert public_dates() == ["2026-05-19"]


def test_it_does_not_publish_a_live_issue_twice():
    with pytest.raises(WorkflowError, match="already live"):
        workflow.publish_now(make_briefing())


def test_it_publishes_a_scheduled_issue_at_once_when_asked():
    briefing = workflow.schedule(draft(), NOW + datetime.timedelta(days=1))
    workflow.publish_now(briefing)
    assert public_dates() == ["2026-05-19"]


def test_it_makes_a_scheduled_issue_public_when_its_time_comes(frozen_clock):
    at = datetime.datetime(2026, 5, 20, 6, 0, tzinfo=TOKYO)
    briefing = workflow.schedule(draft(), at)
    assert workflow.state_of(briefing) == State.SCHEDULED
    assert public_dates() == []

    frozen_clock.move_to(at - datetime.timedelta(seconds=1))
    assert public_dates() == []
    assert workflow.state_of(Briefing.objects.get()) == State.SCHEDULED

    frozen_clock.move_to(at)
    assert public_dates() == ["2026-05-19"]
    assert workflow.state_of(Briefing.objects.get()) == State.LIVE


def test_it_refuses_a_schedule_in_the_past():
    with pytest.raises(WorkflowError, match="future"):
        workflow.schedule(draft(), NOW)
    assert Briefing.objects.get().status == Briefing.Status.DRAFT


@pytest.mark.parametrize("status", [Briefing.Status.REVIEW, Briefing.Status.PUBLISHED])
def test_it_unpublishes_back_to_draft(status):
    briefing = workflow.unpublish(make_briefing(status=status))
    briefing.refresh_from_db()
    assert (briefing.status, briefing.publish_at) == (Briefing.Status.DRAFT, None)
    assert public_dates() == []


def test_it_does_not_unpublish_a_draft():
    with pytest.raises(WorkflowError, match="already a draft"):
        workflow.unpublish(draft())


def test_it_filters_issues_by_state():
    make_briefing(datetime.date(2026, 5, 15), status=Briefing.Status.DRAFT)
    make_briefing(datetime.date(2026, 5, 16), status=Briefing.Status.REVIEW)
    make_briefing(datetime.date(2026, 5, 17))
    make_briefing(datetime.date(2026, 5, 18), publish_at=NOW + datetime.timedelta(hours=1))

    def dates(state):
        return [
            b.date.day for b in workflow.filter_by_state(Briefing.objects.order_by("date"), state)
        ]

    assert dates(State.DRAFT) == [15]
    assert dates(State.REVIEW) == [16]
    assert dates(State.LIVE) == [17]
    assert dates(State.SCHEDULED) == [18]


def test_it_starts_the_next_issue_with_the_same_numbering_and_no_text():
    briefing = make_briefing(deep_dives=3, takeaways=2, read_more=2, keywords=["AI"])

    following = workflow.start_next_issue(briefing)

    assert following.date == datetime.date(2026, 5, 20)
    assert following.status == Briefing.Status.DRAFT
    assert (following.theme_ja, following.theme_en, following.lead_ja) == ("", "", "")
    assert [
        (d.position, d.title_ja, d.title_en, [(t.position, t.text_ja) for t in d.takeaways.all()])
        for d in following.deep_dives.all()
    ] == [(n, "", "", [(1, ""), (2, "")]) for n in (1, 2, 3)]
    assert list(following.read_more.values_list("position", "title_ja", "url")) == [
        (4, "", ""),
        (5, "", ""),
    ]
    assert following.keywords.count() == 0


def test_it_does_not_start_an_issue_that_exists():
    briefing = make_briefing()
    make_briefing(datetime.date(2026, 5, 20))
    with pytest.raises(WorkflowError, match="2026-05-20"):
        workflow.start_next_issue(briefing)


def test_it_lists_missing_translations_by_language():
    briefing = make_briefing(theme_en="", deep_dives=1, takeaways=1, read_more=0)
    briefing.deep_dives.get().takeaways.update(text_ja="")
    assert workflow.missing_translations_of(briefing) == {
        "ja": ["Deep dive 01 · Key takeaway 01"],
        "en": ["Theme"],
    }


def post_action(client, action, *briefings, **extra):
    return client.post(
        reverse("admin:briefing_briefing_changelist"),
        {"action": action, "_selected_action": [str(b.pk) for b in briefings], **extra},
    )


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_it_runs_each_transition_as_an_admin_action(client, editor):
    briefing = draft()

    post_action(client, "submit_for_review", briefing)
    assert Briefing.objects.get().status == Briefing.Status.REVIEW

    post_action(client, "publish_now", briefing)
    assert public_dates() == ["2026-05-19"]

    post_action(client, "unpublish", briefing)
    assert Briefing.objects.get().status == Briefing.Status.DRAFT


def test_it_schedules_from_the_list(client, editor):
    briefing = draft()

    page = post_action(client, "schedule", briefing)
    assert page.status_code == 200
    assert page.context["form"]["publish_at"].value() == datetime.datetime(
        2026, 5, 20, 6, 0, tzinfo=TOKYO
    )

    response = post_action(
        client, "schedule", briefing, apply="1", publish_at_0="2026-05-20", publish_at_1="06:00"
    )

    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.publish_at == datetime.datetime(2026, 5, 20, 6, 0, tzinfo=TOKYO)
    assert workflow.state_of(briefing) == State.SCHEDULED


def test_it_refuses_to_schedule_in_the_past_from_the_list(client, editor):
    briefing = draft()
    response = post_action(
        client, "schedule", briefing, apply="1", publish_at_0="2026-05-19", publish_at_1="08:00"
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"publish_at": ["Choose a time in the future."]}
    assert Briefing.objects.get().status == Briefing.Status.DRAFT


def test_it_warns_when_publishing_with_missing_translations(client, editor):
    briefing = draft(theme_en="", lead_en="")
    response = post_action(client, "publish_now", briefing)
    assert public_dates() == ["2026-05-19"]
    assert messages_of(response)[-1] == (
        "2026-05-19 is published with 2 fields missing in English: Theme, Lead"
    )


def test_it_warns_when_publishing_from_the_form(client, editor):
    briefing = draft(tldr_ja="")
    data = change_form_data(
        client.get(reverse("admin:briefing_briefing_change", args=[briefing.pk]))
    )
    data |= {"status": "published", "publish_at_0": "", "publish_at_1": ""}

    response = client.post(reverse("admin:briefing_briefing_change", args=[briefing.pk]), data)

    assert response.status_code == 302
    briefing.refresh_from_db()
    assert (briefing.status, briefing.publish_at) == (Briefing.Status.PUBLISHED, timezone.now())
    assert "2026-05-19 is published with 1 field missing in Japanese: TL;DR" in messages_of(
        response
    )


def test_it_starts_the_next_issue_from_the_list(client, editor):
    briefing = make_briefing(deep_dives=2)
    response = post_action(client, "start_next_issue", briefing)
    following = Briefing.objects.get(date=datetime.date(2026, 5, 20))
    assert response["Location"] == reverse("admin:briefing_briefing_change", args=[following.pk])
    assert following.deep_dives.count() == 2


def change_url(briefing):
    return reverse("admin:briefing_briefing_change", args=[briefing.pk])


@pytest.mark.parametrize(
    ("button", "status"),
    [("_submit_for_review", "review"), ("_publish_now", "published")],
)
def test_it_saves_and_moves_the_issue_on_with_one_button(client, editor, button, status):
    briefing = draft()
    data = change_form_data(client.get(change_url(briefing)))

    response = client.post(change_url(briefing), data | {"theme_en": "Edited", button: "1"})

    assert response.status_code == 302
    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.status) == ("Edited", status)


def test_it_offers_the_buttons_that_fit_the_state(client, editor):
    response = client.get(change_url(draft()))
    assert [name for name, _label in response.context["workflow_buttons"]] == [
        "_submit_for_review",
        "_publish_now",
    ]
    live = make_briefing(datetime.date(2026, 5, 18))
    response = client.get(change_url(live))
    assert [name for name, _label in response.context["workflow_buttons"]] == ["_unpublish"]


@pytest.mark.parametrize(
    ("button", "status"),
    [
        # Each button on an issue it would move on if it were allowed.
        ("_publish_now", Briefing.Status.DRAFT),
        ("_submit_for_review", Briefing.Status.DRAFT),
        ("_unpublish", Briefing.Status.PUBLISHED),
    ],
)
def test_it_refuses_a_translators_workflow_button_and_saves_nothing(client, button, status):
    briefing = make_briefing(status=status)
    client.force_login(make_user("toru", role=TRANSLATORS))
    data = change_form_data(client.get(change_url(briefing)))
    assert client.get(change_url(briefing)).context["workflow_buttons"] == []

    response = client.post(change_url(briefing), data | {"theme_en": "Edited", button: "1"})

    assert response.status_code == 403
    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.status) == ("Theme 05/19", status)


def test_it_schedules_from_the_form_with_a_future_time(client, editor):
    briefing = draft()
    data = change_form_data(client.get(change_url(briefing)))
    data |= {"status": "published", "publish_at_0": "2026-05-20", "publish_at_1": "06:00:00"}

    assert client.post(change_url(briefing), data).status_code == 302

    briefing.refresh_from_db()
    assert workflow.state_of(briefing) == State.SCHEDULED
    assert public_dates() == []


def test_it_lets_a_superuser_publish(client):
    client.force_login(make_user("root", staff=True, superuser=True))
    post_action(client, "publish_now", draft())
    assert public_dates() == ["2026-05-19"]
