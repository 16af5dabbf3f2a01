import pytest
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from briefing.models import Briefing, DeepDive, ReadMore, Takeaway
from briefing.serialization import briefing_to_dict
from editorial import history
from editorial.interchange.importing import save_briefing_data
from editorial.roles import EDITORS, TRANSLATORS
from tests.admin_forms import change_form_data
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the interface's English messages."""
    with translation.override("en"):
        yield


@pytest.fixture
def editor(client):
    user = make_user("erika", role=EDITORS)
    client.force_login(user)
    return user


def change_url(obj):
    return reverse(f"admin:briefing_{obj._meta.model_name}_change", args=[obj.pk])


def save_unchanged_but(client, obj, **changes):
    data = change_form_data(client.get(change_url(obj)))
    response = client.post(change_url(obj), data | changes)
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def contents(briefing_pk):
    return briefing_to_dict(Briefing.objects.with_contents().get(pk=briefing_pk))


def versions_of(briefing):
    return Version.objects.get_for_object(briefing)


def test_it_keeps_one_revision_of_the_whole_issue_per_save(client, editor):
    briefing = make_briefing(deep_dives=2, takeaways=2, read_more=1)

    save_unchanged_but(client, briefing, theme_en="Changed")

    [version] = versions_of(briefing)
    revision = version.revision
    assert revision.user == editor
    assert sorted(
        (v.content_type.model, v.object_id) for v in revision.version_set.all()
    ) == sorted(
        [("briefing", str(briefing.pk))]
        + [("deepdive", str(pk)) for pk in DeepDive.objects.values_list("pk", flat=True)]
        + [("takeaway", str(pk)) for pk in Takeaway.objects.values_list("pk", flat=True)]
        + [("readmore", str(pk)) for pk in ReadMore.objects.values_list("pk", flat=True)]
    )


def test_it_records_a_deep_dive_edit_in_the_issues_history(client, editor):
    briefing = make_briefing(deep_dives=2)
    save_unchanged_but(client, briefing.deep_dives.first(), title_en="Changed")
    [version] = versions_of(briefing)
    assert version.revision.version_set.count() == 1 + 2 + 4 + 1


def test_it_records_imports_in_the_history():
    data = briefing_to_dict(Briefing.objects.with_contents().get(pk=make_briefing().pk))
    data["date"] = "2026-05-20"

    briefing = save_briefing_data(data)

    [version] = versions_of(briefing)
    assert version.revision.comment == "Imported from text."
    assert version.revision.version_set.count() == 1 + 1 + 2 + 1


def test_it_restores_an_earlier_revision_of_the_whole_issue(client, editor):
    briefing = make_briefing(deep_dives=2, takeaways=2)
    save_unchanged_but(client, briefing, theme_en="First")
    original = contents(briefing.pk)
    first_version = versions_of(briefing).get()
    save_unchanged_but(client, briefing, theme_en="Second", **{"deep_dives-1-DELETE": "on"})
    assert len(contents(briefing.pk)["deep_dives"]) == 1

    url = reverse("admin:briefing_briefing_revision", args=[briefing.pk, first_version.pk])
    data = change_form_data(client.get(url))
    response = client.post(url, data)

    assert response.status_code == 302
    assert contents(briefing.pk) == original
    assert versions_of(briefing).count() == 3


def test_it_recovers_a_deleted_briefing_with_its_parts(client, editor):
    briefing = make_briefing(deep_dives=2, takeaways=2, read_more=1)
    save_unchanged_but(client, briefing, theme_en="Kept")
    original = contents(briefing.pk)
    response = client.post(
        reverse("admin:briefing_briefing_delete", args=[briefing.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert (Briefing.objects.count(), DeepDive.objects.count(), Takeaway.objects.count()) == (
        0,
        0,
        0,
    )

    recover_list = client.get(reverse("admin:briefing_briefing_recoverlist"))
    [deleted] = recover_list.context["deleted"]
    url = reverse("admin:briefing_briefing_recover", args=[deleted.pk])
    response = client.post(url, change_form_data(client.get(url)))

    assert response.status_code == 302
    assert contents(briefing.pk) == original


def test_it_compares_two_revisions(client, editor):
    briefing = make_briefing()
    save_unchanged_but(client, briefing, theme_en="Before the edit")
    save_unchanged_but(client, briefing, theme_en="After the edit")
    older, newer = sorted(versions_of(briefing).values_list("pk", flat=True))

    response = client.get(
        reverse("admin:briefing_briefing_compare", args=[briefing.pk]),
        {"version_id1": older, "version_id2": newer},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Before the edit" in content
    assert "After the edit" in content


def test_it_shows_who_saved_when_in_the_history(client, editor):
    briefing = make_briefing()
    save_unchanged_but(client, briefing, theme_en="Changed")
    response = client.get(reverse("admin:briefing_briefing_history", args=[briefing.pk]))
    [action] = response.context["action_list"]
    assert action["revision"].user == editor
    assert "erika" in response.content.decode()


def test_it_lets_translators_read_history_but_not_restore(client):
    briefing = make_briefing()
    editor = make_user("erika", role=EDITORS)
    client.force_login(editor)
    save_unchanged_but(client, briefing, theme_en="Changed")
    version = versions_of(briefing).get()
    client.force_login(make_user("toru", role=TRANSLATORS))

    assert (
        client.get(reverse("admin:briefing_briefing_history", args=[briefing.pk])).status_code
        == 200
    )
    url = reverse("admin:briefing_briefing_revision", args=[briefing.pk, version.pk])
    assert client.post(url, {}).status_code == 403
    assert client.get(reverse("admin:briefing_briefing_recoverlist")).status_code == 403


def test_it_lets_no_translator_recover_a_deleted_issue(client):
    briefing = make_briefing()
    client.force_login(make_user("erika", role=EDITORS))
    save_unchanged_but(client, briefing, theme_en="Changed")
    version = versions_of(briefing).get()
    briefing.delete()
    client.force_login(make_user("toru", role=TRANSLATORS))

    url = reverse("admin:briefing_briefing_recover", args=[version.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, version.field_dict | {"date": "2026-05-19"}).status_code == 403
    assert Briefing.objects.count() == 0


def test_it_names_the_last_person_to_save_the_issue_or_one_of_its_parts(client):
    briefing = make_briefing()
    # Made without the admin: nobody is known to have saved it.
    assert history.last_version(briefing) is None
    erika, kenji = make_user("erika", role=EDITORS), make_user("kenji", role=EDITORS)

    client.force_login(erika)
    save_unchanged_but(client, briefing, theme_en="Erika's theme")
    assert history.last_version(briefing).revision.user == erika

    client.force_login(kenji)
    save_unchanged_but(client, briefing.deep_dives.get(), title_en="Kenji's title")
    assert history.last_version(briefing).revision.user == kenji
