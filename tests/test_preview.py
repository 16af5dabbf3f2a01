import pytest
from django.urls import reverse
from django.utils import translation

from briefing.models import Briefing
from editorial.roles import EDITORS, TRANSLATORS
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return make_briefing(
        status=Briefing.Status.DRAFT, theme_ja="下書きのテーマ", theme_en="Draft theme"
    )


def preview_url(lang, name="editorial:preview", date="2026-05-19"):
    with translation.override(lang):
        return reverse(name, args=[date])


@pytest.mark.parametrize("role", [EDITORS, TRANSLATORS])
@pytest.mark.parametrize(
    ("lang", "name", "theme"),
    [
        ("ja", "editorial:preview", "下書きのテーマ"),
        ("en", "editorial:preview", "Draft theme"),
        ("ja", "editorial:preview_parallel", "下書きのテーマ"),
    ],
)
def test_it_shows_a_draft_to_editors_and_translators(client, draft, role, lang, name, theme):
    client.force_login(make_user("staff", role=role))

    response = client.get(preview_url(lang, name))

    assert response.status_code == 200
    assert response.context["preview"] is True
    assert response["Cache-Control"] == "private, no-store"
    content = response.content.decode()
    assert theme in content
    assert '<meta name="robots" content="noindex">' in content


def test_it_marks_the_preview_as_not_published(client, draft):
    client.force_login(make_user("erika", role=EDITORS))
    with translation.override("en"):
        response = client.get(preview_url("en"))
    assert "Preview — not published" in response.content.decode()


def test_it_hides_a_draft_from_anonymous_visitors(client, draft):
    assert client.get(preview_url("ja")).status_code == 404
    assert client.get(preview_url("en", "editorial:preview_parallel")).status_code == 404


def test_it_hides_a_draft_from_a_signed_in_reader_without_staff_status(client, draft):
    client.force_login(make_user("reader", staff=False))
    assert client.get(preview_url("ja")).status_code == 404


def test_it_hides_a_draft_from_staff_without_a_role(client, draft):
    client.force_login(make_user("intern"))
    assert client.get(preview_url("ja")).status_code == 404


def test_it_answers_404_for_a_date_without_an_issue_or_not_a_date(client, draft):
    client.force_login(make_user("erika", role=EDITORS))
    assert client.get(preview_url("ja", date="2026-05-20")).status_code == 404
    assert client.get("/ja/editorial/preview/yesterday/").status_code == 404
    assert client.get("/ja/editorial/preview/2026-02-30/").status_code == 404


def test_it_keeps_the_public_page_closed_while_previewing(client, draft):
    client.force_login(make_user("erika", role=EDITORS))
    assert client.get(draft.get_absolute_url()).status_code == 404
