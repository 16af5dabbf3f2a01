"""What each role may do in the admin, checked by what reaches the database."""

import datetime

import pytest
from django.urls import reverse

from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from editorial.roles import EDITORS, TRANSLATORS
from tests.admin_forms import change_form_data
from tests.factories import NOW, make_briefing, make_user

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:briefing_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def briefing():
    return make_briefing(
        status=Briefing.Status.DRAFT, deep_dives=2, takeaways=2, read_more=1, keywords=["AI"]
    )


@pytest.fixture
def translator(client):
    user = make_user("toru", role=TRANSLATORS)
    client.force_login(user)
    return user


@pytest.fixture
def editor(client):
    user = make_user("erika", role=EDITORS)
    client.force_login(user)
    return user


# A deep dive's sources are links, like a read-more item's: structure, not text to translate.
EVIL_SOURCES = '[{"url": "https://evil.example/", "title": "Look here"}]'


def snapshot(briefing):
    """Everything but the translated text of an issue."""
    briefing = Briefing.objects.get(pk=briefing.pk)
    return {
        "date": briefing.date,
        "status": briefing.status,
        "publish_at": briefing.publish_at,
        "keywords": sorted(briefing.keywords.values_list("slug", flat=True)),
        "deep_dives": list(
            DeepDive.objects.filter(briefing=briefing).values_list("pk", "position", "sources")
        ),
        "takeaways": list(
            Takeaway.objects.filter(deep_dive__briefing=briefing).values_list("pk", "position")
        ),
        "read_more": list(
            ReadMore.objects.filter(briefing=briefing).values_list("pk", "position", "url")
        ),
    }


def test_it_lets_a_translator_change_text_in_both_languages(client, translator, briefing):
    data = change_form_data(client.get(change_url(briefing)))
    data |= {
        "theme_en": "A new theme",
        "lead_ja": "新しいリード。",
        "deep_dives-0-title_en": "Translated title",
        "read_more-0-summary_ja": "翻訳した概要。",
    }

    response = client.post(change_url(briefing), data)

    assert response.status_code == 302
    briefing.refresh_from_db()
    assert (briefing.theme_en, briefing.lead_ja) == ("A new theme", "新しいリード。")
    assert DeepDive.objects.get(briefing=briefing, position=1).title_en == "Translated title"
    assert ReadMore.objects.get(briefing=briefing).summary_ja == "翻訳した概要。"


def test_it_ignores_everything_but_text_in_a_translators_forged_post(client, translator, briefing):
    before = snapshot(briefing)
    other_keyword = Keyword.objects.create(slug="other", name_en="Other")
    data = change_form_data(client.get(change_url(briefing)))
    data |= {
        "theme_en": "Still saved",
        "date": "2030-01-01",
        "status": Briefing.Status.PUBLISHED,
        "publish_at_0": "2026-05-19",
        "publish_at_1": "06:00:00",
        "keywords": [str(other_keyword.pk)],
        "deep_dives-0-position": "7",
        "deep_dives-0-sources": EVIL_SOURCES,
        "deep_dives-1-DELETE": "on",
        "read_more-0-position": "9",
        "read_more-0-url": "https://evil.example/",
        "read_more-0-DELETE": "on",
        # A third deep dive that the form never offered.
        "deep_dives-TOTAL_FORMS": "3",
        "deep_dives-2-position": "3",
        "deep_dives-2-title_ja": "追加",
        "deep_dives-2-briefing": str(briefing.pk),
        "deep_dives-2-takeaways-TOTAL_FORMS": "1",
        "deep_dives-2-takeaways-INITIAL_FORMS": "0",
        "deep_dives-2-takeaways-0-text_ja": "追加",
        "read_more-TOTAL_FORMS": "2",
        "read_more-1-position": "5",
        "read_more-1-title_en": "Added",
        "read_more-1-url": "https://evil.example/2",
        "read_more-1-briefing": str(briefing.pk),
    }

    response = client.post(change_url(briefing), data)

    assert response.status_code == 302
    assert snapshot(briefing) == before
    assert Briefing.objects.get(pk=briefing.pk).theme_en == "Still saved"


def test_it_ignores_structure_in_a_translators_forged_post_to_a_deep_dive(
    client, translator, briefing
):
    deep_dive = briefing.deep_dives.get(position=1)
    before = snapshot(briefing)
    data = change_form_data(client.get(change_url(deep_dive)))
    data |= {
        "title_en": "Translated",
        "position": "5",
        "sources": EVIL_SOURCES,
        "briefing": str(make_briefing(datetime.date(2026, 5, 20)).pk),
        "takeaways-0-position": "8",
        "takeaways-0-text_ja": "訳",
        "takeaways-1-DELETE": "on",
        "takeaways-TOTAL_FORMS": "3",
        "takeaways-2-position": "3",
        "takeaways-2-text_en": "Added",
        "takeaways-2-deep_dive": str(deep_dive.pk),
    }

    response = client.post(change_url(deep_dive), data)

    assert response.status_code == 302
    assert snapshot(briefing) == before
    deep_dive.refresh_from_db()
    assert deep_dive.title_en == "Translated"
    assert deep_dive.takeaways.get(position=1).text_ja == "訳"


def test_it_refuses_a_translator_adding_or_deleting_briefings(client, translator, briefing):
    add_url = reverse("admin:briefing_briefing_add")
    delete_url = reverse("admin:briefing_briefing_delete", args=[briefing.pk])

    assert client.get(add_url).status_code == 403
    assert client.post(add_url, {"date": "2026-06-01", "theme_ja": "新"}).status_code == 403
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert list(Briefing.objects.values_list("date", flat=True)) == [briefing.date]


def test_it_refuses_a_translator_deleting_parts_on_their_own_pages(client, translator, briefing):
    deep_dive = briefing.deep_dives.first()
    url = reverse("admin:briefing_deepdive_delete", args=[deep_dive.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:briefing_deepdive_add")).status_code == 403
    assert DeepDive.objects.filter(pk=deep_dive.pk).exists()


@pytest.mark.parametrize(
    ("action", "status"),
    [
        # Each action on an issue it would change if it were allowed.
        ("publish_now", Briefing.Status.REVIEW),
        ("schedule", Briefing.Status.REVIEW),
        ("unpublish", Briefing.Status.PUBLISHED),
        ("submit_for_review", Briefing.Status.DRAFT),
        ("start_next_issue", Briefing.Status.PUBLISHED),
    ],
)
def test_it_refuses_a_translators_workflow_actions(
    frozen_clock, client, translator, briefing, action, status
):
    live = status == Briefing.Status.PUBLISHED
    Briefing.objects.filter(pk=briefing.pk).update(
        status=status, publish_at=NOW - datetime.timedelta(hours=1) if live else None
    )
    before = snapshot(briefing)
    response = client.post(
        reverse("admin:briefing_briefing_changelist"),
        {
            "action": action,
            "_selected_action": [str(briefing.pk)],
            "apply": "1",
            "publish_at_0": "2026-05-20",
            "publish_at_1": "06:00",
        },
    )
    # The admin offers translators no action: the list is shown again and nothing happens.
    assert response.status_code == 200
    assert response.context["action_form"] is None
    assert snapshot(briefing) == before
    assert Briefing.objects.count() == 1


def test_it_offers_translators_no_workflow_actions(client, translator, briefing):
    response = client.get(reverse("admin:briefing_briefing_changelist"))
    assert response.context["action_form"] is None


def test_it_lets_a_translator_rename_a_keyword_but_not_its_slug(client, translator, briefing):
    keyword = Keyword.objects.get(slug="ai")
    data = change_form_data(client.get(change_url(keyword)))
    data |= {"name_ja": "人工知能", "slug": "renamed"}
    assert client.post(change_url(keyword), data).status_code == 302
    keyword.refresh_from_db()
    assert (keyword.slug, keyword.name_ja) == ("ai", "人工知能")


def test_it_lets_an_editor_change_structure(client, editor, briefing):
    data = change_form_data(client.get(change_url(briefing)))
    data |= {
        "date": "2026-05-21",
        "deep_dives-1-DELETE": "on",
        "read_more-0-url": "https://example.org/new",
        "read_more-0-position": "2",
    }

    response = client.post(change_url(briefing), data)

    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.date == datetime.date(2026, 5, 21)
    assert list(briefing.deep_dives.values_list("position", flat=True)) == [1]
    assert list(briefing.read_more.values_list("position", "url")) == [
        (2, "https://example.org/new")
    ]


def test_it_lets_an_editor_add_an_issue(client, editor):
    response = client.post(
        reverse("admin:briefing_briefing_add"),
        {
            "date": "2026-06-01",
            "status": "draft",
            "theme_ja": "新しい号",
            "deep_dives-TOTAL_FORMS": "1",
            "deep_dives-INITIAL_FORMS": "0",
            "deep_dives-0-position": "1",
            "deep_dives-0-title_ja": "一つ目",
            "deep_dives-0-takeaways-TOTAL_FORMS": "0",
            "deep_dives-0-takeaways-INITIAL_FORMS": "0",
            "read_more-TOTAL_FORMS": "0",
            "read_more-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    briefing = Briefing.objects.get(date=datetime.date(2026, 6, 1))
    assert briefing.theme_ja == "新しい号"
    assert list(briefing.deep_dives.values_list("position", "title_ja")) == [(1, "一つ目")]
