import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from editorial.roles import EDITORS, TRANSLATORS
from tests.admin_forms import change_form_data
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = make_user("erika", role=EDITORS)
    client.force_login(user)
    return user


def test_it_lists_errors_further_down_and_in_inlines(client, editor):
    briefing = make_briefing(deep_dives=2)
    with translation.override("en"):
        url = reverse("admin:briefing_briefing_change", args=[briefing.pk])
    data = change_form_data(client.get(url))
    data |= {
        "theme_en": "x" * 301,
        "deep_dives-1-title_ja": "長" * 301,
        "read_more-0-url": "not a link",
        # As the admin's script sends them: each row's index from 0.
        "deep_dives-0-position": "0",
        "deep_dives-1-position": "1",
        "read_more-0-position": "0",
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["error_summary"] == [
        "Theme · English: Ensure this value has at most 300 characters (it has 301).",
        "Deep dive 2 · Title · Japanese: Ensure this value has at most 300 characters (it has 301).",
        "Read-more item 3 · Link: Enter a valid URL.",
    ]
    content = response.content.decode()
    assert "editorial-error-summary" in content
    assert "Problems on this page (some may be further down):" in content
    # The fields keep their language and state in their labels, as before the save.
    form = response.context["adminform"].form
    assert (form["theme_ja"].label, form["theme_en"].label) == (
        "Theme · Japanese · up to date",
        "Theme · English · up to date",
    )
    assert (
        '<label class="inline" for="id_theme_en">Theme · English · up to date:</label>' in content
    )
    [deep_dives, _read_more] = response.context["inline_admin_formsets"]
    assert deep_dives.formset.forms[0]["title_en"].label == "Title · English · up to date"
    briefing.refresh_from_db()
    assert briefing.theme_en == "Theme 05/19"


@pytest.mark.parametrize(("lang", "expected"), [("ja", "最近行った操作"), ("en", "Recent actions")])
def test_it_speaks_the_language_of_the_url(client, editor, lang, expected):
    response = client.get(f"/{lang}/admin/")
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_it_offers_the_other_language_in_the_admin(client, editor):
    content = client.get("/ja/admin/").content.decode()
    assert 'name="language" value="en"' in content
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/ja/admin/briefing/briefing/"}
    )
    assert response["Location"] == "/en/admin/briefing/briefing/"


@pytest.mark.parametrize(
    ("lang", "editors", "translators", "lockouts"),
    [
        ("ja", "編集者", "翻訳者", "ログインのロック"),
        ("en", "Editors", "Translators", "Login lockouts"),
    ],
)
def test_the_roles_and_login_lockouts_are_named_in_the_admins_language(
    client, lang, editors, translators, lockouts
):
    chief = make_user("chief", superuser=True)
    client.force_login(chief)
    group = Group.objects.get(name=EDITORS)

    index = client.get(f"/{lang}/admin/")
    groups = client.get(f"/{lang}/admin/auth/group/")
    users = client.get(f"/{lang}/admin/auth/user/")
    user_form = client.get(f"/{lang}/admin/auth/user/{chief.pk}/change/")

    app_names = {app["app_label"]: app["name"] for app in index.context["app_list"]}
    assert app_names["axes"] == lockouts
    assert [row.name for row in groups.context["cl"].result_list] == [EDITORS, TRANSLATORS]
    assert f'<a href="/{lang}/admin/auth/group/{group.pk}/change/">{editors}</a>' in (
        groups.content.decode()
    )
    [role_filter] = [f for f in users.context["cl"].filter_specs if f.field_path == "groups"]
    assert [label for _pk, label in role_filter.lookup_choices] == [editors, translators]
    choices = user_form.context["adminform"].form.fields["groups"].choices
    assert [label for _pk, label in choices] == [editors, translators]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["Number", "Key takeaway · Japanese", "Key takeaway · English"]),
        ("ja", ["番号", "重要なポイント · 日本語", "重要なポイント · 英語"]),
    ],
)
def test_the_takeaway_tables_name_each_language_in_the_admins_language(
    client, editor, lang, expected
):
    briefing = make_briefing(deep_dives=1, takeaways=1)
    deep_dive = briefing.deep_dives.get()

    for url in (
        f"/{lang}/admin/briefing/briefing/{briefing.pk}/change/",
        f"/{lang}/admin/briefing/deepdive/{deep_dive.pk}/change/",
    ):
        content = client.get(url).content.decode()
        headings = re.findall(r'<th class="[^"]*">([^<]+?)\s*</th>', content)
        assert headings[: len(expected)] == expected, url
