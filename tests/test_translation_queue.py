import datetime

import pytest
from django.urls import reverse

from briefing.models import Briefing, DeepDive
from editorial.roles import EDITORS, TRANSLATORS
from tests.factories import NOW, make_briefing, make_user

pytestmark = pytest.mark.django_db

QUEUE = "/ja/admin/translations/"


@pytest.fixture
def translator(client):
    client.force_login(make_user("translator", role=TRANSLATORS))
    return client


def dates_listed(response):
    return [b.date.isoformat() for b in response.context["page"].object_list]


def test_the_queue_url_is_under_the_admin_and_the_language_prefix():
    assert reverse("translation:queue") == QUEUE


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response["Location"] == "/ja/admin/login/?next=/ja/admin/translations/"


@pytest.mark.parametrize(("is_staff", "role"), [(False, TRANSLATORS), (True, None), (False, None)])
def test_non_staff_and_staff_without_a_role_are_refused(client, is_staff, role):
    client.force_login(make_user("outsider", role=role, staff=is_staff))

    assert client.get(QUEUE).status_code == 403


@pytest.mark.parametrize("role", [TRANSLATORS, EDITORS])
def test_translators_and_editors_see_the_queue(client, role):
    client.force_login(make_user("member", role=role))

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert response.templates[0].name == "editorial/translation/queue.html"


def test_it_lists_briefings_with_work_newest_first_with_links_to_the_editor(translator):
    make_briefing(datetime.date(2026, 5, 17), lead_en="")
    make_briefing(datetime.date(2026, 5, 18))  # complete
    today = make_briefing(datetime.date(2026, 5, 19))
    today.tldr_ja = "新しい要約。"
    today.save()

    response = translator.get(QUEUE)

    assert dates_listed(response) == ["2026-05-19", "2026-05-17"]
    summary = response.context["page"].object_list[0].translation_summary
    assert summary["en"] == {"missing": 0, "outdated": 1, "completeness": 91}
    assert summary["ja"] == {"missing": 0, "outdated": 0, "completeness": 100}
    content = response.content.decode()
    assert 'href="/ja/admin/translations/2026-05-19/en/"' in content
    assert 'href="/ja/admin/translations/2026-05-17/en/"' in content
    assert 'href="/ja/admin/translations/2026-05-19/ja/"' not in content


def test_it_filters_by_direction_and_status(translator):
    make_briefing(datetime.date(2026, 5, 17), lead_en="")
    make_briefing(datetime.date(2026, 5, 18), lead_ja="")
    outdated = make_briefing(datetime.date(2026, 5, 19))
    outdated.lead_ja = "変更。"
    outdated.save()

    assert dates_listed(translator.get(QUEUE, {"to": "en"})) == ["2026-05-19", "2026-05-17"]
    assert dates_listed(translator.get(QUEUE, {"to": "ja"})) == ["2026-05-18"]
    assert dates_listed(translator.get(QUEUE, {"status": "outdated"})) == ["2026-05-19"]
    assert dates_listed(translator.get(QUEUE, {"to": "ja", "status": "missing"})) == ["2026-05-18"]
    assert dates_listed(translator.get(QUEUE, {"to": "en", "status": "missing"})) == ["2026-05-17"]


def test_an_invalid_filter_shows_everything(translator):
    make_briefing(datetime.date(2026, 5, 17), lead_en="")

    assert dates_listed(translator.get(QUEUE, {"to": "fr"})) == ["2026-05-17"]


def test_the_queue_takes_a_fixed_number_of_queries(translator, django_assert_num_queries):
    make_briefing(datetime.date(2026, 5, 1), deep_dives=1, lead_en="", keywords=["A"])
    translator.get(QUEUE)  # warm caches (content types, permissions of the session user)
    with django_assert_num_queries(8) as one:
        assert len(dates_listed(translator.get(QUEUE))) == 1

    make_briefing(datetime.date(2026, 5, 2), deep_dives=5, lead_en="", keywords=["B", "C"])
    make_briefing(datetime.date(2026, 5, 3), deep_dives=3, lead_ja="")
    DeepDive.objects.filter(briefing__date=datetime.date(2026, 5, 2)).update(title_en="")
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(dates_listed(translator.get(QUEUE))) == 3


def test_the_admin_links_to_the_queue_and_each_issue_to_its_translator_editor(translator):
    briefing = make_briefing(datetime.date(2026, 5, 19))

    index = translator.get("/ja/admin/").content.decode()
    change_page = translator.get(f"/ja/admin/briefing/briefing/{briefing.pk}/change/")

    assert f'<a href="{QUEUE}">翻訳キュー</a>' in index
    assert change_page.status_code == 200
    body = change_page.content.decode()
    assert f'href="{QUEUE}2026-05-19/en/"' in body
    assert f'href="{QUEUE}2026-05-19/ja/"' in body


def test_each_issue_shows_the_state_the_admin_shows(translator, frozen_clock):
    for day, status, publish_at in (
        (17, Briefing.Status.DRAFT, None),
        (18, Briefing.Status.PUBLISHED, NOW),
        (19, Briefing.Status.PUBLISHED, NOW + datetime.timedelta(days=1)),  # not yet due
    ):
        make_briefing(datetime.date(2026, 5, day), lead_en="", status=status, publish_at=publish_at)

    response = translator.get(QUEUE)

    states = {str(b.date): b.status_label for b in response.context["page"].object_list}
    assert states == {"2026-05-19": "予約済み", "2026-05-18": "公開中", "2026-05-17": "下書き"}
