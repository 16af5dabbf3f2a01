"""No path but the workflow, used with `briefing.publish_briefing`, makes an issue public or
private: every other write path is tried here with a forged request and must leave the
issue's status and publication time exactly as they were."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from briefing.models import Briefing
from editorial import history
from editorial.interchange.exporting import export_briefing, load_for_export
from editorial.roles import EDITORS, ROLE_PERMISSIONS
from tests.admin_forms import change_form_data
from tests.factories import SEED, make_briefing, make_user, run_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(client):
    """An editor who writes and restores but may not publish."""
    user = make_user("wanda")
    for name in ROLE_PERMISSIONS[EDITORS]:
        app_label, codename = name.split(".")
        if codename != "publish_briefing":
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    client.force_login(user)
    return user


def publication(briefing):
    briefing = Briefing.objects.get(pk=briefing.pk)
    return briefing.status, briefing.publish_at


@pytest.fixture
def live():
    return make_briefing(publish_at=timezone.now() - datetime.timedelta(days=1))


@pytest.fixture
def draft():
    return make_briefing(datetime.date(2026, 5, 20), status=Briefing.Status.DRAFT)


def change_url(briefing):
    return reverse("admin:briefing_briefing_change", args=[briefing.pk])


def test_it_ignores_status_and_time_in_a_writers_forged_change_form(client, writer, live, draft):
    for briefing in (live, draft):
        before = publication(briefing)
        data = change_form_data(client.get(change_url(briefing)))
        forged = data | {
            "status": "draft" if briefing == live else "published",
            "publish_at_0": "2026-05-01",
            "publish_at_1": "06:00:00",
            "theme_en": "Edited",
        }
        assert client.post(change_url(briefing), forged).status_code == 302
        assert publication(briefing) == before
        assert Briefing.objects.get(pk=briefing.pk).theme_en == "Edited"


def test_it_refuses_a_writers_forged_workflow_button(client, writer, draft):
    before = publication(draft)
    data = change_form_data(client.get(change_url(draft)))
    assert client.post(change_url(draft), data | {"_publish": "1"}).status_code == 403
    assert publication(draft) == before


@pytest.mark.parametrize(("step", "data"), [("publish", {"when": "now"}), ("unpublish", {})])
def test_it_refuses_a_writers_forged_workflow_step(client, writer, live, draft, step, data):
    briefing = draft if step == "publish" else live
    before = publication(briefing)
    url = reverse("admin:briefing_briefing_workflow", args=[briefing.pk, step])
    assert client.post(url, data).status_code == 403
    assert publication(briefing) == before


@pytest.mark.parametrize("action", ["publish_now", "schedule", "unpublish"])
def test_it_refuses_a_writers_forged_bulk_action(client, writer, live, draft, action):
    before = [publication(live), publication(draft)]
    client.post(
        reverse("admin:briefing_briefing_changelist"),
        {
            "action": action,
            "_selected_action": [live.pk, draft.pk],
            "apply": "1",
            "publish_at_0": "2030-01-01",
            "publish_at_1": "06:00",
        },
    )
    assert [publication(live), publication(draft)] == before


def test_it_keeps_publication_when_a_writer_restores_a_version(client, writer, live):
    versions = []
    for theme in ("One", "Two"):
        data = change_form_data(client.get(change_url(live)))
        client.post(change_url(live), data | {"theme_en": theme})
        versions.append(history.issue_versions(live.pk).first())
    before = publication(live)
    url = reverse("admin:briefing_briefing_revision", args=[live.pk, versions[0].pk])

    assert client.post(url).status_code == 302
    assert publication(live) == before
    assert Briefing.objects.get(pk=live.pk).theme_en == "One"


def test_it_recovers_a_deleted_live_issue_as_a_draft(client, writer, live):
    client.post(change_url(live), change_form_data(client.get(change_url(live))))
    client.post(reverse("admin:briefing_briefing_delete", args=[live.pk]), {"post": "yes"})
    [deleted] = history.deleted_versions()

    client.post(reverse("admin:briefing_briefing_recover", args=[deleted.pk]))

    assert publication(live) == (Briefing.Status.DRAFT, None)
    assert not Briefing.objects.published().exists()


@pytest.mark.parametrize("status", [Briefing.Status.PUBLISHED, Briefing.Status.DRAFT])
def test_it_keeps_publication_through_a_replace_import_in_the_admin(client, writer, status):
    briefing = make_briefing(SEED_DATE, status=status)
    before = publication(briefing)
    text = export_briefing(load_for_export(SEED_DATE), "text", "both")
    response = client.post(
        reverse("editorial:import"), {"text": text, "replace": "on", "save": "1"}
    )
    assert response.status_code == 302
    assert publication(briefing) == before


@pytest.mark.parametrize("status", [Briefing.Status.PUBLISHED, Briefing.Status.DRAFT])
def test_it_keeps_publication_through_a_replace_import_on_the_command_line(status):
    briefing = make_briefing(SEED_DATE, status=status)
    before = publication(briefing)
    run_command("import_briefing", str(SEED), "--replace")
    assert publication(briefing) == before


def test_it_ignores_status_in_a_forged_translation_editor_post(client, writer, draft):
    url = reverse("translation:editor", kwargs={"date": draft.date, "target": "en"})
    client.post(url, {"status": "published", "publish_at": "2026-05-01T06:00"})
    assert publication(draft) == (Briefing.Status.DRAFT, None)


SEED_DATE = datetime.date(2026, 5, 19)
