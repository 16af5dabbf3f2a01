"""Two people editing the same issue: saves merge field by field; a field both changed is a
choice, never a silent overwrite."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from briefing.models import Briefing, Takeaway
from editorial import history
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


def recorded_briefing():
    """An issue with a first revision, as every write path leaves one."""
    briefing = make_briefing(deep_dives=2)
    with history.revision():
        history.record(briefing, None, "imported", actor="test")
    return briefing


@pytest.fixture
def briefing():
    return recorded_briefing()


def test_it_merges_two_editors_saves_of_different_fields():
    with time_machine.travel(
        datetime.datetime(2030, 5, 19, 10, 0, tzinfo=TOKYO), tick=False
    ) as clock:
        # Built and signed in inside the travel: a session from today would have expired.
        briefing = recorded_briefing()
        erika = logged_in("erika", EDITORS)
        kenji = logged_in("kenji", EDITORS, first_name="Kenji")
        erikas_form = change_form_data(erika.get(change_url(briefing)))
        kenjis_form = change_form_data(kenji.get(change_url(briefing)))
        clock.move_to(datetime.datetime(2030, 5, 19, 10, 30, tzinfo=TOKYO))
        first = erika.post(
            change_url(briefing),
            erikas_form | {"theme_en": "Erika's theme", "deep_dives-1-title_en": "Erika's title"},
        )
        clock.move_to(datetime.datetime(2030, 5, 19, 10, 45, tzinfo=TOKYO))
        second = kenji.post(
            change_url(briefing),
            kenjis_form | {"lead_en": "Kenji's lead", "deep_dives-0-title_en": "Kenji's title"},
        )

    assert (first.status_code, second.status_code) == (302, 302)
    assert messages_of(second)[0] == (
        "erika saved this briefing at 2030-05-19 10:30 JST, after you opened it. "
        "Your changes were merged with theirs; nobody's work was lost."
    )
    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.lead_en) == ("Erika's theme", "Kenji's lead")
    assert [d.title_en for d in briefing.deep_dives.all()] == ["Kenji's title", "Erika's title"]


def test_it_shows_a_field_both_changed_with_a_choice_and_keeps_the_rest(briefing):
    erika = logged_in("erika", EDITORS)
    kenji = logged_in("kenji", EDITORS)
    erikas_form = change_form_data(erika.get(change_url(briefing)))
    kenjis_form = change_form_data(kenji.get(change_url(briefing)))
    kenji.post(
        change_url(briefing), kenjis_form | {"theme_en": "Kenji's", "lead_en": "Kenji's lead"}
    )

    shown = erika.post(
        change_url(briefing), erikas_form | {"theme_en": "Erika's", "tldr_en": "Erika's TL;DR"}
    )

    assert shown.status_code == 200
    [conflict] = shown.context["conflicts"]
    assert (conflict.name, conflict.theirs, conflict.mine, conflict.original) == (
        "theme_en",
        "Kenji's",
        "Erika's",
        "Theme 05/19",
    )
    assert Briefing.objects.get().theme_en == "Kenji's"
    page = change_form_data(shown)
    # The field only Kenji changed now shows his text; Erika's own edits are kept.
    assert (page["lead_en"], page["tldr_en"], page["theme_en"]) == (
        "Kenji's lead",
        "Erika's TL;DR",
        "Erika's",
    )

    saved = erika.post(change_url(briefing), page | {"resolve:theme_en": "mine"})

    assert saved.status_code == 302
    message, _saved = messages_of(erika.get(saved["Location"]))
    assert re.fullmatch(
        r"kenji saved this briefing at \d{4}-\d\d-\d\d \d\d:\d\d JST, after you opened it\. "
        r"Your changes were merged with theirs; where you both changed a field, the text you "
        r"chose was saved, and the other one stays in the history\.",
        message,
    )
    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.lead_en, briefing.tldr_en) == (
        "Erika's",
        "Kenji's lead",
        "Erika's TL;DR",
    )


@pytest.mark.parametrize(("choice", "kept"), [("theirs", "Kenji's"), ("original", "Theme 05/19")])
def test_it_keeps_theirs_or_the_original_when_chosen(briefing, choice, kept):
    erika = logged_in("erika", EDITORS)
    kenji = logged_in("kenji", EDITORS)
    erikas_form = change_form_data(erika.get(change_url(briefing)))
    kenjis_form = change_form_data(kenji.get(change_url(briefing)))
    kenji.post(change_url(briefing), kenjis_form | {"theme_en": "Kenji's"})
    shown = erika.post(change_url(briefing), erikas_form | {"theme_en": "Erika's"})

    saved = erika.post(change_url(briefing), change_form_data(shown) | {"resolve:theme_en": choice})

    assert saved.status_code == 302
    assert Briefing.objects.get().theme_en == kept


def test_it_shows_a_deep_dive_field_both_changed_as_a_choice(briefing):
    erika = logged_in("erika", EDITORS)
    kenji = logged_in("kenji", EDITORS)
    erikas_form = change_form_data(erika.get(change_url(briefing)))
    kenjis_form = change_form_data(kenji.get(change_url(briefing)))
    kenji.post(change_url(briefing), kenjis_form | {"deep_dives-0-title_en": "Kenji's"})

    shown = erika.post(change_url(briefing), erikas_form | {"deep_dives-0-title_en": "Erika's"})

    [conflict] = shown.context["conflicts"]
    assert (conflict.name, conflict.theirs, conflict.mine) == (
        "deep_dives-0-title_en",
        "Kenji's",
        "Erika's",
    )
    assert briefing.deep_dives.get(position=1).title_en == "Kenji's"


def test_a_translators_and_an_editors_saves_of_different_fields_both_survive(briefing):
    erika = logged_in("erika", EDITORS)
    erikas_form = change_form_data(erika.get(change_url(briefing)))
    toru = logged_in("toru", TRANSLATORS)
    editor_url = reverse("translation:editor", kwargs={"date": briefing.date, "target": "en"})
    form = toru.get(editor_url).context["form"]
    torus_form = {name: form[name].value() or "" for name in form.fields}
    response = toru.post(editor_url, torus_form | {"deep_dives/2/title": "Toru's title"})
    assert response.status_code == 302

    saved = erika.post(change_url(briefing), erikas_form | {"theme_en": "Erika's theme"})

    assert saved.status_code == 302
    briefing.refresh_from_db()
    assert briefing.theme_en == "Erika's theme"
    assert briefing.deep_dives.get(position=2).title_en == "Toru's title"
    # And the other way round: the translator's stale page does not undo the editor's save.
    response = toru.post(editor_url, torus_form | {"deep_dives/1/title": "Toru's first"})
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.deep_dives.get(position=1).title_en) == (
        "Erika's theme",
        "Toru's first",
    )
    assert briefing.deep_dives.get(position=2).title_en == "Toru's title"


def test_one_person_in_two_tabs_never_conflicts_with_themself(briefing):
    erika = logged_in("erika", EDITORS)
    first_tab = change_form_data(erika.get(change_url(briefing)))
    second_tab = change_form_data(erika.get(change_url(briefing)))
    erika.post(change_url(briefing), first_tab | {"theme_en": "From tab one"})

    saved = erika.post(change_url(briefing), second_tab | {"deep_dives-0-title_en": "From tab two"})

    assert saved.status_code == 302
    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.deep_dives.get(position=1).title_en) == (
        "From tab one",
        "From tab two",
    )


def test_it_merges_the_deep_dive_page_with_a_save_of_the_issue(briefing):
    erika = logged_in("erika", EDITORS)
    kenji = logged_in("kenji", EDITORS)
    deep_dive = briefing.deep_dives.get(position=1)
    kenjis_form = change_form_data(kenji.get(change_url(deep_dive)))
    erikas_form = change_form_data(erika.get(change_url(briefing)))
    erika.post(change_url(briefing), erikas_form | {"deep_dives-0-title_en": "Erika's"})

    saved = kenji.post(change_url(deep_dive), kenjis_form | {"what_happened_en": "Kenji's"})

    assert saved.status_code == 302
    deep_dive.refresh_from_db()
    assert (deep_dive.title_en, deep_dive.what_happened_en) == ("Erika's", "Kenji's")


def test_without_a_recorded_version_every_difference_is_a_choice():
    briefing = make_briefing()  # written by no path that keeps history
    erika = logged_in("erika", EDITORS)
    erikas_form = change_form_data(erika.get(change_url(briefing)))
    Briefing.objects.filter(pk=briefing.pk).update(lead_en="Changed elsewhere")
    takeaway = Takeaway.objects.filter(deep_dive__briefing=briefing).first()
    takeaway.save()  # moves the issue's updated_at on

    shown = erika.post(change_url(briefing), erikas_form | {"theme_en": "Erika's"})

    assert shown.status_code == 200
    # Erika's own edit too: without the version she opened, nothing tells whose change it is.
    assert [c.name for c in shown.context["conflicts"]] == ["theme_en", "lead_en"]
    assert Briefing.objects.get().lead_en == "Changed elsewhere"


def messages_of(response):
    from django.contrib.messages import get_messages

    return [str(m) for m in get_messages(response.wsgi_request)]
