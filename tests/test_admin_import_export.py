from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from briefing.models import Briefing, DeepDive, ReadMore, Takeaway
from editorial.interchange.textformat import parse_briefing_text
from editorial.roles import EDITORS, TRANSLATORS
from tests.factories import SEED, make_briefing, make_user

pytestmark = pytest.mark.django_db

IMPORT_URL = "/en/editorial/import/"


@pytest.fixture
def editor(client):
    user = make_user("erika", role=EDITORS)
    client.force_login(user)
    return user


def table_counts():
    return [m.objects.count() for m in (Briefing, DeepDive, Takeaway, ReadMore, Version)]


def test_it_shows_the_parsed_issue_before_saving_anything(client, editor):
    response = client.post(IMPORT_URL, {"text": SEED.read_text(), "preview": "1"})

    assert response.status_code == 200
    assert table_counts() == [0, 0, 0, 0, 0]
    rows = response.context["rows"]
    data = parse_briefing_text(SEED.read_bytes())
    assert rows[0] == ("Theme", "安全とアクセスコライド", "")
    assert rows[0] == ("Theme", data["theme"]["ja"], data["theme"]["en"])
    takeaway_rows = [row for row in rows if "Key takeaway" in row[0]]
    assert len(takeaway_rows) == 9
    assert all(ja == "" and en for _label, ja, en in takeaway_rows)
    assert takeaway_rows[0][0] == "Deep dive 01 · Key takeaway 01"


def test_it_saves_the_previewed_text_as_a_draft_with_history(client, editor):
    response = client.post(IMPORT_URL, {"text": SEED.read_text(), "save": "1"})

    briefing = Briefing.objects.get()
    assert response["Location"] == reverse("admin:briefing_briefing_change", args=[briefing.pk])
    assert briefing.status == Briefing.Status.DRAFT
    assert (DeepDive.objects.count(), Takeaway.objects.count(), ReadMore.objects.count()) == (
        3,
        9,
        2,
    )
    [version] = Version.objects.get_for_object(briefing)
    assert version.revision.user == editor


def test_it_reads_an_uploaded_file(client, editor):
    upload = SimpleUploadedFile("issue.txt", SEED.read_bytes(), content_type="text/plain")
    response = client.post(IMPORT_URL, {"file": upload, "preview": "1"})
    assert response.context["parsed"]["date"] == "2026-05-19"
    assert response.context["text"] == SEED.read_text()
    assert table_counts() == [0, 0, 0, 0, 0]


def test_it_shows_the_parsers_line_numbered_error_and_saves_nothing(client, editor):
    text = "Daily Briefing\nhello there\n2026-05-19\n"

    response = client.post(IMPORT_URL, {"text": text, "save": "1"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Line 2: text before the date — “hello there”"
    ]
    assert response.context["error_lines"] == [
        (1, "Daily Briefing", False),
        (2, "hello there", True),
        (3, "2026-05-19", False),
    ]
    assert table_counts() == [0, 0, 0, 0, 0]


def test_it_refuses_a_file_that_is_not_utf8(client, editor):
    upload = SimpleUploadedFile(
        "issue.txt", "2026年5月19日\n今日のテーマ: 安全。\n".encode("shift_jis")
    )
    response = client.post(IMPORT_URL, {"file": upload, "save": "1"})
    assert response.context["form"].non_field_errors() == [
        "The file is not UTF-8 text; save it as UTF-8 and try again."
    ]
    assert table_counts() == [0, 0, 0, 0, 0]


def test_it_refuses_to_overwrite_an_issue_unless_asked(client, editor):
    make_briefing(theme_ja="既存")

    refused = client.post(IMPORT_URL, {"text": SEED.read_text(), "save": "1"})
    assert refused.context["form"].non_field_errors() == [
        "A briefing for 2026-05-19 already exists."
    ]
    assert Briefing.objects.get().theme_ja == "既存"

    client.post(IMPORT_URL, {"text": SEED.read_text(), "save": "1", "replace": "on"})
    assert Briefing.objects.get().theme_ja == "安全とアクセスコライド"


@pytest.mark.parametrize(
    ("status", "state", "warning"),
    [
        (Briefing.Status.PUBLISHED, "Live", True),
        (Briefing.Status.DRAFT, "Draft", False),
    ],
)
def test_replacing_an_issue_says_it_keeps_its_state(client, editor, status, state, warning):
    make_briefing(theme_ja="既存", status=status)

    preview = client.post(IMPORT_URL, {"text": SEED.read_text(), "preview": "1"})
    saved = client.post(
        IMPORT_URL, {"text": SEED.read_text(), "save": "1", "replace": "on"}, follow=True
    )

    body = preview.content.decode()
    assert 'name="save" value="Replace and keep its state"' in body
    assert "Save as draft" not in body
    assert (
        f"It is {state} and stays so: readers get the replaced text from the moment it is saved"
        in body
    ) is warning
    assert [str(m) for m in saved.context["messages"]] == [f"Imported 2026-05-19 as {state}."]
    assert Briefing.objects.get().status == status


def test_a_new_issue_is_saved_as_a_draft(client, editor):
    preview = client.post(IMPORT_URL, {"text": SEED.read_text(), "preview": "1"})

    assert 'name="save" value="Save as draft"' in preview.content.decode()


def test_it_keeps_translators_out_of_the_import(client):
    client.force_login(make_user("toru", role=TRANSLATORS))
    assert client.post(IMPORT_URL, {"text": SEED.read_text(), "save": "1"}).status_code == 403
    assert Briefing.objects.count() == 0


def test_it_keeps_users_without_staff_status_out_of_the_import(client):
    client.force_login(make_user("erika", role=EDITORS, staff=False))

    response = client.post(IMPORT_URL, {"text": SEED.read_text(), "save": "1"})

    assert (response.status_code, response["Location"]) == (
        302,
        f"/en/admin/login/?next={IMPORT_URL}",
    )
    assert Briefing.objects.count() == 0


def test_it_records_the_command_line_import_in_the_history():
    call_command("import_briefing", str(SEED), stdout=StringIO())
    [version] = Version.objects.get_for_object(Briefing.objects.get())
    assert version.revision.version_set.count() == 1 + 3 + 9 + 2


@pytest.mark.parametrize(
    ("fmt", "lang"), [("text", "ja"), ("text", "en"), ("text", "both"), ("json", "both")]
)
def test_it_exports_exactly_what_the_command_writes(client, editor, fmt, lang):
    call_command("import_briefing", str(SEED), stdout=StringIO())
    out = StringIO()
    call_command("export_briefing", "2026-05-19", format=fmt, lang=lang, stdout=out)

    response = client.get(f"/ja/editorial/export/2026-05-19/{fmt}/{lang}/")

    assert response.status_code == 200
    assert response.content.decode() == out.getvalue()
    suffix = "json" if fmt == "json" else f"{lang}.txt"
    assert response["Content-Disposition"] == (
        f'attachment; filename="daily-briefing-2026-05-19{"." if fmt == "json" else "-"}{suffix}"'
    )


def test_it_links_the_export_buttons_and_previews_from_the_issue_page(client, editor):
    briefing = make_briefing()
    response = client.get(reverse("admin:briefing_briefing_change", args=[briefing.pk]))
    assert [url for _label, url in response.context["export_links"]] == [
        "/ja/editorial/export/2026-05-19/text/ja/",
        "/ja/editorial/export/2026-05-19/text/en/",
        "/ja/editorial/export/2026-05-19/text/both/",
        "/ja/editorial/export/2026-05-19/json/both/",
    ]
    assert [url for _label, url in response.context["preview_links"]] == [
        "/ja/editorial/preview/2026-05-19/",
        "/en/editorial/preview/2026-05-19/",
        "/ja/editorial/preview/2026-05-19/parallel/",
    ]


def test_it_keeps_exports_from_outsiders(client):
    make_briefing(status=Briefing.Status.DRAFT)
    assert client.get("/ja/editorial/export/2026-05-19/json/both/").status_code == 404


def test_it_explains_errors_in_the_editors_language(client, editor):
    response = client.post("/ja/editorial/import/", {"text": "hello\n2026-05-19\n", "save": "1"})
    assert response.context["form"].non_field_errors() == [
        "1 行目: 日付より前に文章があります — “hello”"
    ]
    assert "何も保存されていません。" in response.content.decode()


def test_it_shows_the_parsers_error_in_japanese_with_its_line_number(client, editor):
    text = "デイリーブリーフィング\n2026年5月19日 (水)\n今日のテーマ: 安全。\n"

    response = client.post("/ja/editorial/import/", {"text": text, "preview": "1"})

    message = "2 行目: 曜日が合っていません: 2026-05-19 は火曜日です — “2026年5月19日 (水)”"
    assert response.context["form"].non_field_errors() == [message]
    assert response.context["error_lines"] == [
        (1, "デイリーブリーフィング", False),
        (2, "2026年5月19日 (水)", True),
        (3, "今日のテーマ: 安全。", False),
    ]
    assert f'<ul class="errorlist nonfield"><li>{message}</li></ul>' in response.content.decode()
    assert table_counts() == [0, 0, 0, 0, 0]
