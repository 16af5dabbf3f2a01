"""Two people editing the same issue: the second save is refused and keeps its input."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from briefing.models import Briefing, Takeaway
from editorial.roles import EDITORS, TRANSLATORS
from tests.admin_forms import change_form_data
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the interface's English messages."""
    with translation.override("en"):
        yield


TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def logged_in(username, role, first_name=""):
    user = make_user(username, role=role)
    user.first_name = first_name
    user.save()
    client = Client()
    client.force_login(user)
    return client


def change_url(obj):
    return reverse(f"admin:briefing_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def briefing():
    return make_briefing(deep_dives=2)


def test_it_refuses_the_second_of_two_concurrent_saves():
    with time_machine.travel(
        datetime.datetime(2030, 5, 19, 10, 0, tzinfo=TOKYO), tick=False
    ) as clock:
        # Everything is made inside the frozen time: an issue saved at the real time would be
        # "saved after you opened it" once the real time passes the frozen one.
        briefing = make_briefing(deep_dives=2)
        erika = logged_in("erika", EDITORS)
        toru = logged_in("toru", TRANSLATORS)
        erikas_form = change_form_data(erika.get(change_url(briefing)))
        torus_form = change_form_data(toru.get(change_url(briefing)))
        clock.move_to(datetime.datetime(2030, 5, 19, 10, 30, tzinfo=TOKYO))
        first = erika.post(change_url(briefing), erikas_form | {"theme_en": "Erika's theme"})
        clock.move_to(datetime.datetime(2030, 5, 19, 10, 45, tzinfo=TOKYO))
        second = toru.post(
            change_url(briefing),
            torus_form | {"theme_en": "Toru's theme", "deep_dives-0-title_en": "Toru's title"},
        )

    assert first.status_code == 302
    assert second.status_code == 200
    [error] = second.context["adminform"].form.non_field_errors()
    assert error == (
        "erika saved this briefing at May 19, 2030, 10:30 a.m., after you opened it. Your changes were "
        "NOT saved and are still in the form below. Compare with their version (History), then "
        "save again to replace it with yours."
    )
    kept = change_form_data(second)
    assert (kept["theme_en"], kept["deep_dives-0-title_en"]) == ("Toru's theme", "Toru's title")
    briefing.refresh_from_db()
    assert briefing.theme_en == "Erika's theme"
    assert briefing.deep_dives.get(position=1).title_en == "Deep dive 1"


def test_it_saves_the_refused_input_when_sent_again_on_purpose(briefing):
    erika = logged_in("erika", EDITORS)
    kenji = logged_in("kenji", EDITORS, first_name="Kenji")
    erikas_form = change_form_data(erika.get(change_url(briefing)))
    kenjis_form = change_form_data(kenji.get(change_url(briefing)))
    kenji.post(change_url(briefing), kenjis_form | {"theme_en": "Kenji's theme"})

    refused = erika.post(change_url(briefing), erikas_form | {"theme_en": "Erika's theme"})
    assert refused.context["adminform"].form.non_field_errors()[0].startswith("Kenji saved")
    again = erika.post(change_url(briefing), change_form_data(refused))

    assert again.status_code == 302
    assert Briefing.objects.get().theme_en == "Erika's theme"


def test_it_refuses_a_deep_dive_save_after_the_issue_was_saved(briefing):
    erika = logged_in("erika", EDITORS)
    kenji = logged_in("kenji", EDITORS)
    deep_dive = briefing.deep_dives.get(position=1)
    kenjis_form = change_form_data(kenji.get(change_url(deep_dive)))
    erika.post(
        change_url(briefing),
        change_form_data(erika.get(change_url(briefing))) | {"deep_dives-0-title_en": "Erika's"},
    )

    refused = kenji.post(change_url(deep_dive), kenjis_form | {"title_en": "Kenji's"})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors()[0].startswith("erika saved")
    assert change_form_data(refused)["title_en"] == "Kenji's"
    assert briefing.deep_dives.get(position=1).title_en == "Erika's"


def test_it_refuses_an_issue_save_after_one_of_its_deep_dives_was_saved(briefing):
    erika = logged_in("erika", EDITORS)
    kenji = logged_in("kenji", EDITORS)
    erikas_form = change_form_data(erika.get(change_url(briefing)))
    deep_dive = briefing.deep_dives.get(position=1)
    kenji.post(
        change_url(deep_dive),
        change_form_data(kenji.get(change_url(deep_dive))) | {"title_en": "Kenji's"},
    )

    refused = erika.post(change_url(briefing), erikas_form | {"theme_en": "Erika's"})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors()[0].startswith("kenji saved")
    assert Briefing.objects.get().theme_en == "Theme 05/19"


def test_it_notices_a_save_by_another_path_such_as_the_translator_editor(briefing):
    erika = logged_in("erika", EDITORS)
    erikas_form = change_form_data(erika.get(change_url(briefing)))
    takeaway = Takeaway.objects.filter(deep_dive__briefing=briefing).first()
    takeaway.text_en = "Changed elsewhere"
    takeaway.save()

    refused = erika.post(change_url(briefing), erikas_form | {"theme_en": "Erika's"})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors()[0].startswith("someone else saved")
    takeaway.refresh_from_db()
    assert takeaway.text_en == "Changed elsewhere"
