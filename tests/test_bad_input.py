"""Bad input is answered with a clear 4xx (or a named error), never a 500, and saves nothing."""

import datetime
import re

import hypothesis
import polib
import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from hypothesis import strategies as st

from briefing.models import Briefing
from briefing.search import MAX_PAGE_NUMBER
from editorial.roles import TRANSLATORS
from editorial.translation.po import MAX_PO_BYTES, POImportError, import_po, read_po
from tests.factories import make_briefing, make_user
from tests.test_fuzz import SETTINGS, table_counts, undone

pytestmark = pytest.mark.django_db

NUL_REFUSED = "The request contains a NUL character, which no text can hold."
EDITOR_EN = "/en/admin/translations/2026-05-19/en/"


@pytest.fixture
def results(django_capture_on_commit_callbacks):
    # Search documents are written once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        make_briefing(datetime.date(2026, 5, 19), lead_en="About quantization.")


@pytest.mark.parametrize(
    "page",
    ["99999999999999999999", str(MAX_PAGE_NUMBER + 1), "9" * 400, "1e3", "x", "-1", "0", "２"],
)
def test_a_huge_or_non_numeric_search_page_is_404(client, results, page):
    response = client.get("/en/search/", {"q": "quantization", "page": page})

    assert response.status_code == 404


def test_the_last_page_number_allowed_is_an_ordinary_404_when_empty(client, results):
    assert client.get("/en/search/", {"q": "quantization", "page": "1"}).status_code == 200
    page = str(MAX_PAGE_NUMBER)
    assert client.get("/en/search/", {"q": "quantization", "page": page}).status_code == 404


@pytest.mark.parametrize("path", ["/en/archive/", "/en/archive/2026/", "/en/keywords/kw/"])
@pytest.mark.parametrize("page", ["99999999999999999999", "x", "0"])
def test_a_huge_or_non_numeric_list_page_is_404(client, results, path, page):
    assert client.get(path, {"page": page}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/en/search/?q=%00",
        "/en/search/?q=quanti%00zation&page=1",
        "/en/search/?q=a&page=1%00",
        "/en/archive/?page=%00",
        "/en/?x%00=1",
        # Refused before the redirect to the canonical URL that drops a parameter nobody reads.
        "/en/search/?q=Theme&x=%00",
        "/en/2026/05/19/%00/",
        "/en/keywords/%00/",
    ],
)
def test_a_nul_in_the_url_is_400_with_the_reason(client, results, url):
    response = client.get(url)

    assert response.status_code == 400
    assert NUL_REFUSED in response.content.decode()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_language_of_the_page_gives_the_reason_in_its_own(client, results, lang):
    response = client.get(f"/{lang}/search/?q=%00")

    assert response.status_code == 400
    body = response.content.decode()
    sections = dict(re.findall(r'<section lang="(ja|en)"[^>]*>(.*?)</section>', body, re.S))
    assert f'<html lang="{lang}">' in body
    assert NUL_REFUSED not in sections["ja"]
    assert "リクエストに NUL 文字 (U+0000) が含まれています。" in sections["ja"]
    assert NUL_REFUSED in sections["en"]
    assert "NUL 文字" not in sections["en"]
    assert '<a href="/ja/">最新号を読む</a>' in sections["ja"]
    assert '<a href="/en/">Read the latest issue</a>' in sections["en"]


def test_a_nul_in_a_form_field_is_400_and_saves_nothing(client):
    make_briefing()
    client.force_login(make_user("translator", role=TRANSLATORS))
    before = table_counts()

    response = client.post(EDITOR_EN, {"lead": "A lead\x00with a NUL."})

    assert response.status_code == 400
    assert NUL_REFUSED in response.content.decode()
    assert table_counts() == before


def test_a_nul_in_the_login_form_is_400(client):
    response = client.post("/en/admin/login/", {"username": "a\x00", "password": "x"})

    assert response.status_code == 400


# PO uploads.


@pytest.fixture
def translator(client):
    client.force_login(make_user("translator", role=TRANSLATORS))
    return client


def upload(translator, content: bytes):
    """Upload a PO file; the response and the errors shown beside the upload field."""
    file = SimpleUploadedFile("en.po", content, "text/x-gettext-translation")
    response = translator.post(EDITOR_EN + "po/upload/", {"file": file})
    form = response.context["upload_form"] if response.context else None
    return response, form.errors.get("file", []) if form else []


def exported(translator) -> polib.POFile:
    return polib.pofile(translator.get(EDITOR_EN + "po/").content.decode())


def test_a_po_upload_with_a_nul_is_refused_and_saves_nothing(translator):
    make_briefing()
    Briefing.objects.update(lead_en="")
    po = exported(translator)
    po.find("リード文。", msgctxt="2026-05-19/lead").msgstr = "Uploaded\x00lead."
    before = table_counts()

    response, errors = upload(translator, str(po).encode())

    assert response.status_code == 400
    assert errors == ["The file contains a NUL character. Nothing was saved."]
    assert "The file contains a NUL character. Nothing was saved." in response.content.decode()
    assert table_counts() == before
    assert Briefing.objects.get().lead_en == ""


def test_a_po_upload_naming_a_server_file_is_read_as_text(translator, tmp_path):
    make_briefing()
    server_file = tmp_path / "server.po"
    server_file.write_bytes(str(exported(translator)).encode())

    before = table_counts()

    response, errors = upload(translator, str(server_file).encode())

    assert response.status_code == 400
    assert errors == ["Not a valid PO file: syntax error on line 1. Nothing was saved."]
    assert table_counts() == before


def test_a_po_upload_over_the_size_limit_is_refused_unread(translator, monkeypatch):
    make_briefing()
    before = table_counts()

    def read(self):  # the server's copy (the test client's SimpleUploadedFile is one too)
        if type(self) is InMemoryUploadedFile:
            pytest.fail("the file was read")
        return self.file.read

    monkeypatch.setattr(InMemoryUploadedFile, "read", property(read))

    response, errors = upload(translator, b"#" * (MAX_PO_BYTES + 1))

    assert response.status_code == 400
    assert errors == [
        "The file is 1,048,577 bytes; the limit is 1,048,576 bytes (1.0\xa0MB). Nothing was saved."
    ]
    assert table_counts() == before


HOSTILE_PIECES = [
    'msgid ""\nmsgstr ""\n',
    '"Language: en\\n"\n',
    '"X-Briefing-Date: 2026-05-19\\n"\n',
    '"X-Briefing-Date: 9999-99-99\\n"\n',
    '"Language: \\x00\\n"\n',
    'msgctxt "2026-05-19/lead"\n',
    'msgctxt "2026-05-19/deep_dives/1/title"\n',
    'msgid "リード文。"\n',
    'msgstr "Lead."\n',
    'msgstr[0] "x"\n',
    'msgid_plural "x"\n',
    "#, fuzzy\n",
    '#| msgid "old"\n',
    '#~ msgid "gone"\n',
    '"\\\\"\n',
    '"unterminated\n',
    "\x00",
    "\ufeff",
    'msgstr "' + "x" * 5000 + '"\n',
]


def test_any_po_text_is_applied_or_refused_by_name_and_never_half_saved():
    make_briefing()
    Briefing.objects.update(lead_en="")
    text = st.lists(st.sampled_from(HOSTILE_PIECES) | st.text(max_size=8), max_size=20).map("".join)

    @hypothesis.settings(max_examples=150, **SETTINGS)
    @hypothesis.given(text)
    @undone
    def check(content):
        before = table_counts()
        try:
            report = import_po(read_po(content.encode("utf-8", "surrogatepass")))
        except POImportError as error:
            hypothesis.event("refused")
            assert str(error)
            assert table_counts() == before
            return
        hypothesis.event(f"{len(report.changed)} changed")

    check()
