import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from briefing.models import Briefing
from editorial.roles import EDITORS
from tests.admin_forms import change_form_data
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cold_content_type_cache():
    """The content-type cache lives for the whole process; start each count from cold."""
    ContentType.objects.clear_cache()


@pytest.fixture
def editor(client):
    """Logged in without a one-time code: each count below includes the query that finds she
    has no two-factor device (editorial/two_factor.py)."""
    user = make_user("erika", role=EDITORS)
    client.force_login(user)
    return user


def change_url(obj):
    return reverse(f"admin:briefing_{obj._meta.model_name}_change", args=[obj.pk])


def test_it_lists_issues_with_state_and_completeness(client, editor):
    make_briefing(datetime.date(2026, 5, 18))
    make_briefing(datetime.date(2026, 5, 19), status=Briefing.Status.DRAFT, theme_en="", lead_en="")

    response = client.get(reverse("admin:briefing_briefing_changelist"))

    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert [b.date.isoformat() for b in rows] == ["2026-05-19", "2026-05-18"]
    content = response.content.decode()
    assert "ja 100% · en 82%" in content
    assert "ja 100% · en 100%" in content


@pytest.mark.parametrize(("issues", "deep_dives"), [(3, 1), (3, 5), (12, 1)])
def test_it_shows_the_list_in_a_fixed_number_of_queries(
    client, editor, issues, deep_dives, django_assert_num_queries
):
    for day in range(1, issues + 1):
        make_briefing(datetime.date(2026, 5, day), deep_dives=deep_dives, keywords=["AI"])
    # Completeness is read from its stored rows (one query for the page), never from the texts;
    # no count of every issue beside the filtered one (show_full_result_count).
    with django_assert_num_queries(12):
        response = client.get(reverse("admin:briefing_briefing_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["", "?state=live", "?state=live&o=2"])
def test_the_lists_links_and_checkboxes_are_djangos_own(client, editor, query):
    """The issue list builds its rows' links from one reverse() and writes its checkboxes out;
    both must stay what Django itself makes (links keep the list's filters)."""
    from django.contrib.admin import ModelAdmin
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
    from django.utils.http import urlencode

    make_briefing(datetime.date(2026, 5, 18))
    make_briefing(datetime.date(2026, 5, 19))
    url = reverse("admin:briefing_briefing_changelist")

    response = client.get(url + query)

    cl = response.context["cl"]
    content = response.content.decode()
    preserved = urlencode({"_changelist_filters": query[1:]}) if query else ""
    for briefing in cl.result_list:
        link = add_preserved_filters(
            {"preserved_filters": preserved, "opts": Briefing._meta},
            reverse("admin:briefing_briefing_change", args=[briefing.pk]),
        )
        assert cl.url_for_result(briefing) == link
        assert content.count(f'<a href="{link.replace("&", "&amp;")}">') == 2
        djangos = ModelAdmin.action_checkbox(cl.model_admin, briefing)
        assert cl.model_admin.action_checkbox(briefing) == djangos
        assert djangos in content


@pytest.mark.parametrize("deep_dives", [1, 5])
def test_it_shows_the_issue_page_in_a_fixed_number_of_queries(
    client, editor, deep_dives, django_assert_num_queries
):
    briefing = make_briefing(deep_dives=deep_dives, keywords=["AI", "Safety"])
    with django_assert_num_queries(21):
        response = client.get(change_url(briefing))
    assert response.status_code == 200


@pytest.mark.parametrize("takeaways", [1, 5])
def test_it_shows_the_deep_dive_page_in_a_fixed_number_of_queries(
    client, editor, takeaways, django_assert_num_queries
):
    deep_dive = make_briefing(deep_dives=2, takeaways=takeaways).deep_dives.first()
    with django_assert_num_queries(10):
        response = client.get(change_url(deep_dive))
    assert response.status_code == 200


@pytest.mark.parametrize("deep_dives", [1, 5])
def test_it_shows_the_history_in_a_fixed_number_of_queries(
    client, editor, deep_dives, django_assert_num_queries
):
    briefing = make_briefing(deep_dives=deep_dives)
    url = change_url(briefing)
    for theme in ("One", "Two"):
        data = change_form_data(client.get(url))
        client.post(url, data | {"theme_en": theme})
    ContentType.objects.clear_cache()
    with django_assert_num_queries(10):
        response = client.get(reverse("admin:briefing_briefing_history", args=[briefing.pk]))
    assert len(response.context["action_list"]) == 2


@pytest.mark.parametrize("count", [1, 5])
def test_it_lists_keywords_in_a_fixed_number_of_queries(
    client, editor, count, django_assert_num_queries
):
    make_briefing(keywords=[f"Word {n}" for n in range(count)])
    with django_assert_num_queries(10):
        response = client.get(reverse("admin:briefing_keyword_changelist"))
    assert response.status_code == 200
