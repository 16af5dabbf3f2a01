import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from briefing.models import Briefing, Takeaway
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

    post_action(client, "publish_now", briefing, apply="1")
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


def test_it_lists_missing_translations_before_publishing_from_the_list(client, editor):
    briefing = draft(theme_en="", lead_en="", deep_dives=1, takeaways=3)
    Takeaway.objects.filter(position__in=[2, 3]).update(text_en="")

    page = post_action(client, "publish_now", briefing)

    assert page.status_code == 200
    assert public_dates() == []
    [(listed, gaps)] = page.context["briefings"]
    assert listed == briefing
    # Each field once, a takeaway by its own number too.
    assert gaps == [
        {
            "language": "English",
            "status": "missing",
            "fields": [
                "Theme",
                "Lead",
                "Deep dive 01 · Key takeaway 02",
                "Deep dive 01 · Key takeaway 03",
            ],
        }
    ]
    post_action(client, "publish_now", briefing, apply="1")
    assert public_dates() == ["2026-05-19"]


def test_it_starts_the_next_issue_from_the_list(client, editor):
    briefing = make_briefing(deep_dives=2)
    response = post_action(client, "start_next_issue", briefing)
    following = Briefing.objects.get(date=datetime.date(2026, 5, 20))
    assert response["Location"] == reverse("admin:briefing_briefing_change", args=[following.pk])
    assert following.deep_dives.count() == 2


def change_url(briefing):
    return reverse("admin:briefing_briefing_change", args=[briefing.pk])


def test_it_saves_and_sends_to_review_with_one_button(client, editor):
    briefing = draft()
    data = change_form_data(client.get(change_url(briefing)))

    response = client.post(
        change_url(briefing), data | {"theme_en": "Edited", "_submit_for_review": "1"}
    )

    assert response.status_code == 302
    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.status) == ("Edited", "review")
    assert workflow.open_review(briefing).requested_by == editor


def test_it_saves_then_asks_before_publishing(client, editor):
    briefing = draft()
    data = change_form_data(client.get(change_url(briefing)))

    response = client.post(change_url(briefing), data | {"theme_en": "Edited", "_publish": "1"})

    assert response["Location"] == step_url(briefing, "publish")
    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.status) == ("Edited", "draft")


def test_it_offers_the_buttons_and_steps_that_fit_the_state(client, editor):
    response = client.get(change_url(draft()))
    assert [name for name, _label in response.context["workflow_buttons"]] == [
        "_submit_for_review",
        "_publish",
    ]
    assert [label for label, _url in response.context["workflow_steps"]] == [
        "Send to review",
        "Publish or schedule",
    ]
    live = make_briefing(datetime.date(2026, 5, 18))
    response = client.get(change_url(live))
    assert response.context["workflow_buttons"] == []
    assert [label for label, _url in response.context["workflow_steps"]] == ["Unpublish"]


@pytest.mark.parametrize(
    ("button", "status"),
    [
        # Each button on an issue it would move on if it were allowed.
        ("_publish", Briefing.Status.DRAFT),
        ("_submit_for_review", Briefing.Status.DRAFT),
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


def step_url(briefing, step):
    return reverse("admin:briefing_briefing_workflow", args=[briefing.pk, step])


@pytest.mark.parametrize(
    ("step", "status", "data"),
    [
        # Each step on an issue it would move on if it were allowed.
        ("review", Briefing.Status.DRAFT, {"note": "Ready."}),
        ("publish", Briefing.Status.REVIEW, {"when": "now"}),
        ("return", Briefing.Status.REVIEW, {"reply": "Not yet."}),
        ("unpublish", Briefing.Status.PUBLISHED, {}),
    ],
)
def test_it_refuses_a_translators_workflow_step(client, step, status, data):
    briefing = make_briefing(status=status)
    before = (briefing.status, briefing.publish_at)
    client.force_login(make_user("toru", role=TRANSLATORS))

    assert client.get(step_url(briefing, step)).status_code == 403
    assert client.post(step_url(briefing, step), data).status_code == 403

    briefing.refresh_from_db()
    assert (briefing.status, briefing.publish_at) == before


def test_it_schedules_from_the_issue_page_in_the_named_time_zone(client, editor):
    briefing = draft()
    page = client.get(step_url(briefing, "publish"))
    assert page.context["form"]["publish_at"].help_text == "Time zone: Asia/Tokyo (JST)"

    response = client.post(
        step_url(briefing, "publish"),
        {"when": "later", "publish_at_0": "2026-06-02", "publish_at_1": "07:00"},
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Scheduled for 2026-06-02 07:00 JST."]
    briefing.refresh_from_db()
    assert workflow.state_of(briefing) == State.SCHEDULED
    assert briefing.publish_at == datetime.datetime(2026, 6, 2, 7, 0, tzinfo=TOKYO)
    assert public_dates() == []


def test_it_refuses_a_schedule_in_the_past_on_the_issue_page(client, editor):
    briefing = draft()
    response = client.post(
        step_url(briefing, "publish"),
        {"when": "later", "publish_at_0": "2026-05-19", "publish_at_1": "08:00"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"publish_at": ["Choose a time in the future."]}


def test_it_lists_missing_and_outdated_translations_before_publishing(client, editor):
    briefing = draft(tldr_en="")
    briefing.theme_ja = "新しいテーマ"  # the English theme was written against the old one
    briefing.save()

    page = client.get(step_url(briefing, "publish"))

    assert "<label>Publish at:</label>" in page.content.decode()
    # One button, whichever of its two choices (now, or at a time) the form holds.
    assert '<input type="submit" value="Publish or schedule" class="default">' in (
        page.content.decode()
    )
    assert page.context["gaps"] == [
        {"language": "English", "status": "missing", "fields": ["TL;DR"]},
        {"language": "English", "status": "outdated", "fields": ["Theme"]},
    ]
    assert public_dates() == []
    response = client.post(step_url(briefing, "publish"), {"when": "now"})
    assert messages_of(response) == ["Published 2026-05-19; it is live since 2026-05-19 09:00 JST."]
    assert public_dates() == ["2026-05-19"]


def test_it_sends_to_review_and_notifies_the_editors_who_may_publish(
    client, editor, mailoutbox, django_capture_on_commit_callbacks
):
    briefing = draft()
    chief = make_user("chief", role=EDITORS)
    chief.email = "chief@example.com"
    chief.save()
    translator = make_user("toru", role=TRANSLATORS)
    translator.email = "toru@example.com"
    translator.save()
    editor.email = "erika@example.com"  # who asks is not told
    editor.save()
    page = client.get(step_url(briefing, "review"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(briefing, "review"), {"note": "Please check deep dive 2."})

    assert "The editor who may publish is told by email." in page.content.decode()
    assert messages_of(response) == [
        "Sent 2026-05-19 to review; 1 editor who may publish was notified."
    ]
    review = workflow.open_review(briefing)
    assert (review.requested_by, review.note) == (editor, "Please check deep dive 2.")
    [mail] = mailoutbox
    assert mail.to == ["chief@example.com"]
    assert mail.subject == "Review requested: 2026-05-19"
    assert "erika sent the issue of 2026-05-19 to review." in mail.body
    assert "Please check deep dive 2." in mail.body


def test_it_returns_an_issue_with_a_comment_to_whoever_asked(
    client, editor, mailoutbox, django_capture_on_commit_callbacks
):
    writer = make_user("wanda", role=EDITORS)
    writer.email = "wanda@example.com"
    writer.save()
    briefing = draft()
    workflow.submit_for_review(briefing, writer)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(briefing, "return"), {"reply": "The lead needs a source."})

    assert messages_of(response) == ["Returned 2026-05-19 to draft; wanda was notified."]
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT
    review = briefing.review_requests.get()
    assert (review.outcome, review.decided_by, review.reply) == (
        "returned",
        editor,
        "The lead needs a source.",
    )
    [mail] = mailoutbox
    assert (mail.to, mail.subject) == (["wanda@example.com"], "Returned to draft: 2026-05-19")
    assert "The lead needs a source." in mail.body


@pytest.mark.parametrize(
    ("lang", "quoted"), [("en", "“Check the lead.”"), ("ja", "「Check the lead.」")]
)
def test_the_review_note_is_quoted_as_the_admins_language_quotes(client, editor, lang, quoted):
    briefing = draft()
    workflow.submit_for_review(briefing, editor, "Check the lead.")

    page = client.get(f"/{lang}/admin/briefing/briefing/{briefing.pk}/change/")

    assert quoted in page.content.decode()


def test_returning_ones_own_review_tells_nobody(
    client, editor, mailoutbox, django_capture_on_commit_callbacks
):
    editor.email = "erika@example.com"
    editor.save()
    briefing = draft()
    workflow.submit_for_review(briefing, editor)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(briefing, "return"), {"reply": "Not ready yet."})

    assert messages_of(response) == ["Returned 2026-05-19 to draft."]
    assert mailoutbox == []


def test_without_anyone_to_tell_the_review_page_says_so(client, editor):
    page = client.get(step_url(draft(), "review"))

    assert "No other editor who may publish has an email address: tell them yourself." in (
        page.content.decode()
    )


def test_it_closes_the_review_when_an_editor_approves_by_publishing(client, editor):
    briefing = draft()
    workflow.submit_for_review(briefing, make_user("wanda", role=EDITORS))
    client.post(step_url(briefing, "publish"), {"when": "now"})
    review = briefing.review_requests.get()
    assert (review.outcome, review.decided_by) == ("approved", editor)
    assert public_dates() == ["2026-05-19"]


def test_it_lets_a_superuser_publish(client):
    client.force_login(make_user("root", staff=True, superuser=True))
    post_action(client, "publish_now", draft(), apply="1")
    assert public_dates() == ["2026-05-19"]
