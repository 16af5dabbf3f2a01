"""An issue's limits (briefing.content, docs/text-format.md "Limits"): a file at each limit
imports, one over it is refused with the limit named and nothing saved, in the command and on
the admin's import page; a file over the byte limit is refused before it is parsed; a
previewed file always saves."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.core.management import CommandError
from django.utils import translation
from reversion.models import Version

from briefing.content import (
    MAX_DEEP_DIVES,
    MAX_KEYWORDS,
    MAX_READ_MORE,
    MAX_TAKEAWAYS_PER_DEEP_DIVE,
    MAX_TEXT_BYTES,
)
from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from editorial.forms import PreviewStore
from editorial.interchange import textformat
from editorial.interchange.importing import ImportRefused, save_briefing_data
from editorial.interchange.textformat import format_briefing_text, parse_briefing_text
from editorial.roles import EDITORS
from tests.admin_forms import change_form_data
from tests.factories import make_briefing, make_user, run_command

pytestmark = pytest.mark.django_db

IMPORT_URL = "/en/editorial/import/"


def issue_data(deep_dives=1, takeaways=1, read_more=0, keywords=0, lead="") -> dict:
    """An issue in the JSON shape with that many parts."""

    def both(ja, en):
        return {"ja": ja, "en": en}

    return {
        "date": "2026-05-19",
        "status": "draft",
        "theme": both("テーマ", "Theme"),
        "lead": both("", lead),
        "tldr": both("", ""),
        "deep_dives": [
            {
                "position": d,
                "title": both(f"ディープダイブ{d}", f"Deep dive {d}"),
                "what_happened": both("出来事。", ""),
                "why_it_matters": both("", ""),
                "practical_points": both("", ""),
                "takeaways": [
                    {"position": t, "text": both("", f"Takeaway {t}")}
                    for t in range(1, takeaways + 1)
                ],
                "sources": [],
            }
            for d in range(1, deep_dives + 1)
        ],
        "read_more": [
            {
                "position": deep_dives + r,
                "title": both("", f"Item {r}"),
                "summary": both("", ""),
                "url": f"https://example.com/{r}",
            }
            for r in range(1, read_more + 1)
        ],
        "keywords": [{"slug": f"k{k}", "name": both("", f"k{k}")} for k in range(1, keywords + 1)],
    }


def issue_text(**counts) -> str:
    return format_briefing_text(issue_data(**counts))


def text_of_size(size: int) -> str:
    """An issue's text exactly `size` bytes long: mostly Japanese (three bytes a character)."""
    text = issue_text()
    paragraph = "安全" * ((size - len(text.encode())) // 6 - 50)
    text = text.replace("出来事。", f"出来事。\n\n{paragraph}\n\nX")
    short = size - len(text.encode())
    return text.replace("\n\nX", "\n\nX" + "x" * short)


def table_counts():
    return [m.objects.count() for m in (Briefing, DeepDive, Takeaway, ReadMore, Keyword, Version)]


NOTHING = [0, 0, 0, 0, 0, 0]

# (counts at the limit, the same with one more, the error naming the limit, the line where
# the parser stops)
LIMITS = {
    "deep dives": (
        {"deep_dives": MAX_DEEP_DIVES},
        {"deep_dives": MAX_DEEP_DIVES + 1},
        "21 deep dives; the limit is 20 per issue",
        "21 Deep Dive",
    ),
    "takeaways": (
        {"deep_dives": 2, "takeaways": MAX_TAKEAWAYS_PER_DEEP_DIVE},
        {"deep_dives": 2, "takeaways": MAX_TAKEAWAYS_PER_DEEP_DIVE + 1},
        "21 key takeaways in one deep dive; the limit is 20 per deep dive",
        "  • 21 Takeaway 21",
    ),
    "read-more items": (
        {"read_more": MAX_READ_MORE},
        {"read_more": MAX_READ_MORE + 1},
        "31 read-more items; the limit is 30 per issue",
        "32.",
    ),
    "keywords": (
        {"keywords": MAX_KEYWORDS},
        {"keywords": MAX_KEYWORDS + 1},
        "51 keywords; the limit is 50 per issue",
        ", ".join(f"k{k}" for k in range(1, MAX_KEYWORDS + 2)),
    ),
}


@pytest.fixture
def editor(client):
    client.force_login(make_user("erika", role=EDITORS))
    return client


@pytest.fixture
def unparsed(monkeypatch):
    """Fails the test if the text is parsed at all."""

    def parse(self, lines):
        raise AssertionError("the text was parsed")

    monkeypatch.setattr(textformat._Parser, "parse", parse)


def test_the_limits_hold_a_real_issue_ten_times_over():
    assert (MAX_DEEP_DIVES, MAX_TAKEAWAYS_PER_DEEP_DIVE, MAX_READ_MORE, MAX_KEYWORDS) == (
        20,
        20,
        30,
        50,
    )
    assert MAX_TEXT_BYTES == 512 * 1024


@pytest.mark.parametrize("limit", LIMITS)
def test_a_file_at_the_limit_imports(tmp_path, limit):
    at_limit, _over, _message, _line = LIMITS[limit]
    path = tmp_path / "issue.txt"
    path.write_text(issue_text(**at_limit))

    run_command("import_briefing", str(path))

    briefing = Briefing.objects.get()
    counts = {
        "deep_dives": briefing.deep_dives.count(),
        "takeaways": briefing.deep_dives.get(position=1).takeaways.count(),
        "read_more": briefing.read_more.count(),
        "keywords": briefing.keywords.count(),
    }
    assert counts == {"deep_dives": 1, "takeaways": 1, "read_more": 0, "keywords": 0} | at_limit


@pytest.mark.parametrize("limit", LIMITS)
def test_a_file_over_the_limit_is_refused_by_the_command_naming_the_limit(tmp_path, limit):
    _at_limit, over, message, line = LIMITS[limit]
    text = issue_text(**over)
    number = text.split("\n").index(line) + 1
    path = tmp_path / "issue.txt"
    path.write_text(text)

    with pytest.raises(CommandError) as refused:
        run_command("import_briefing", str(path))

    assert str(refused.value) == f"{path}: line {number}: {message}: {line!r}. Nothing was saved."
    assert table_counts() == NOTHING


@pytest.mark.parametrize("limit", LIMITS)
def test_a_file_over_the_limit_is_refused_on_the_import_page(editor, limit):
    _at_limit, over, message, line = LIMITS[limit]
    upload = SimpleUploadedFile("issue.txt", issue_text(**over).encode())

    response = editor.post(IMPORT_URL, {"file": upload, "preview": "1"})

    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert error.endswith(f": {message} — “{line}”")
    assert "parsed" not in response.context
    assert table_counts() == NOTHING


def test_the_parser_stops_at_the_line_where_a_count_goes_over(tmp_path):
    text = issue_text(deep_dives=MAX_DEEP_DIVES + 5)
    line_number = text.split("\n").index("21 Deep Dive") + 1

    with pytest.raises(textformat.ImportLimitError) as refused:
        parse_briefing_text(text)

    assert (refused.value.line_number, refused.value.line) == (line_number, "21 Deep Dive")
    assert (refused.value.limit, refused.value.found) == (20, 21)


def test_data_over_the_limit_is_refused_whichever_way_it_comes():
    # An archive restore or any caller of save_briefing_data, not only the text format.
    with (
        translation.override("en"),
        pytest.raises(ImportRefused, match="^21 deep dives; the limit is 20 per issue$"),
    ):
        save_briefing_data(issue_data(deep_dives=MAX_DEEP_DIVES + 1))

    assert table_counts() == NOTHING


def test_a_text_of_exactly_the_byte_limit_imports_and_one_byte_more_is_refused(tmp_path):
    path = tmp_path / "issue.txt"
    path.write_bytes(text_of_size(MAX_TEXT_BYTES).encode())
    assert path.stat().st_size == MAX_TEXT_BYTES
    run_command("import_briefing", str(path))
    assert Briefing.objects.count() == 1

    path.write_bytes(text_of_size(MAX_TEXT_BYTES + 1).encode())
    with pytest.raises(CommandError) as refused:
        run_command("import_briefing", str(path), "--replace")
    assert str(refused.value) == (
        f"{path}: the text is 524,289 bytes; the limit is 524,288 bytes (512.0\xa0KB). "
        "Nothing was saved."
    )


def test_a_3_mb_file_is_refused_by_the_command_without_being_read(tmp_path, unparsed, monkeypatch):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"x" * 3 * 1024 * 1024)
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("the file was read"))

    with pytest.raises(CommandError) as refused:
        run_command("import_briefing", str(path))

    assert "the text is 3,145,728 bytes; the limit is 524,288 bytes" in str(refused.value)
    assert table_counts() == NOTHING


def test_a_3_mb_upload_is_refused_naming_the_byte_limit_without_being_read(
    editor, unparsed, monkeypatch
):
    # Larger than FILE_UPLOAD_MAX_MEMORY_SIZE: Django keeps it in a temporary file.
    monkeypatch.setattr(
        TemporaryUploadedFile, "read", property(lambda self: pytest.fail("the file was read"))
    )
    upload = SimpleUploadedFile("huge.txt", ("2026-05-19\n" + "x" * 3 * 1024 * 1024).encode())

    response = editor.post(IMPORT_URL, {"file": upload, "preview": "1"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "the text is 3,145,739 bytes; the limit is 524,288 bytes (512.0\xa0KB)"
    ]
    assert table_counts() == NOTHING


def test_pasted_text_over_the_byte_limit_is_refused_without_being_parsed(editor, unparsed):
    text = text_of_size(MAX_TEXT_BYTES + 1)

    response = editor.post(IMPORT_URL, {"text": text, "save": "1"})

    assert response.context["form"].non_field_errors() == [
        "the text is 524,289 bytes; the limit is 524,288 bytes (512.0\xa0KB)"
    ]
    assert table_counts() == NOTHING


def test_a_previewed_file_at_the_byte_limit_saves_without_posting_the_text_again(editor, settings):
    # Percent-encoded, this text alone would be three times the form size limit.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
    text = text_of_size(MAX_TEXT_BYTES)
    upload = SimpleUploadedFile("issue.txt", text.encode())

    preview = editor.post(IMPORT_URL, {"file": upload, "preview": "1"})
    assert table_counts() == NOTHING
    token = preview.context["preview_token"]
    assert f'name="preview_token" value="{token}"' in preview.content.decode()

    saved = editor.post(IMPORT_URL, {"preview_token": token, "save": "1"})

    briefing = Briefing.objects.get()
    assert saved.status_code == 302
    assert (
        briefing.deep_dives.get().what_happened_ja
        == parse_briefing_text(text)["deep_dives"][0]["what_happened"]["ja"]
    )
    assert PreviewStore(editor.session).get(token) is None


def test_a_preview_no_longer_kept_asks_to_show_the_text_again(editor):
    response = editor.post(IMPORT_URL, {"preview_token": "gone", "save": "1"})

    assert response.context["form"].non_field_errors() == [
        "This preview is no longer kept; show the text again, then save it."
    ]
    assert table_counts() == NOTHING


@pytest.mark.parametrize(
    ("parts", "error"),
    [
        (
            {"deep_dives": MAX_DEEP_DIVES + 1, "takeaways": 0},
            "21 deep dives; the limit is 20 per issue",
        ),
        (
            {"takeaways": MAX_TAKEAWAYS_PER_DEEP_DIVE + 1},
            "21 key takeaways in one deep dive; the limit is 20 per deep dive",
        ),
        ({"read_more": MAX_READ_MORE + 1}, "31 read-more items; the limit is 30 per issue"),
    ],
)
def test_the_issue_page_saves_no_more_parts_than_the_limits(editor, parts, error):
    # Made past the limits behind the admin's back; the page refuses to save it so.
    briefing = make_briefing(**({"deep_dives": 1, "takeaways": 1, "read_more": 0} | parts))
    url = f"/en/admin/briefing/briefing/{briefing.pk}/change/"
    data = change_form_data(editor.get(url))

    response = editor.post(url, data | {"_save": "Save"})

    assert response.status_code == 200
    errors = [
        e
        for formset in response.context["inline_admin_formsets"]
        for e in formset.formset.non_form_errors()
    ]
    errors += [
        e
        for formset in response.context["inline_admin_formsets"]
        for form in formset.formset.forms
        for nested in getattr(form, "nested_formsets", [])
        for e in nested.non_form_errors()
    ]
    assert errors == [error]


def test_the_issue_page_saves_no_more_keywords_than_the_limit(editor):
    briefing = make_briefing(keywords=[f"k{k}" for k in range(MAX_KEYWORDS + 1)])
    url = f"/en/admin/briefing/briefing/{briefing.pk}/change/"
    data = change_form_data(editor.get(url))

    response = editor.post(url, data | {"_save": "Save"})

    assert response.context["adminform"].form.errors["keywords"] == [
        "51 keywords; the limit is 50 per issue"
    ]


@pytest.mark.parametrize(
    ("lang", "error"),
    [
        ("en", "21 key takeaways in one deep dive; the limit is 20 per deep dive"),
        (
            "ja",
            "1つのディープダイブに重要なポイントが 21 個あります。上限はディープダイブごとに 20 個です",
        ),
    ],
)
def test_the_deep_dive_page_saves_no_more_takeaways_than_the_limit(editor, lang, error):
    briefing = make_briefing(deep_dives=1, takeaways=MAX_TAKEAWAYS_PER_DEEP_DIVE + 1)
    url = f"/{lang}/admin/briefing/deepdive/{briefing.deep_dives.get().pk}/change/"
    data = change_form_data(editor.get(url))

    response = editor.post(url, data | {"_save": "Save"})

    assert response.status_code == 200
    [takeaways] = response.context["inline_admin_formsets"]
    assert takeaways.formset.non_form_errors() == [error]
