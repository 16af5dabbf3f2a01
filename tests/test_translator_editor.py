import datetime

import polib
import pytest
import reversion
from django.core.files.uploadedfile import SimpleUploadedFile
from reversion.models import Revision, Version

from briefing.content import TRANSLATED_FIELDS
from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from briefing.serialization import briefing_to_dict
from editorial.history import describe
from editorial.roles import EDITORS, TRANSLATORS
from editorial.translation.status import OUTDATED, UP_TO_DATE, briefing_status
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db

EDITOR = "/ja/admin/translations/2026-05-19/en/"
# Where a test reads interface messages, it reads them in English.
EDITOR_EN = "/en/admin/translations/2026-05-19/en/"
CONTENT_MODELS = (Briefing, DeepDive, Takeaway, ReadMore, Keyword)


@pytest.fixture
def user():
    return make_user("translator", role=TRANSLATORS)


@pytest.fixture
def translator(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def history():
    """The models under django-reversion, registered here only if the app has not yet."""
    registered_here = [m for m in CONTENT_MODELS if not reversion.is_registered(m)]
    for model in registered_here:
        reversion.register(model)
    yield
    for model in registered_here:
        reversion.unregister(model)


def form_data(response):
    """The editor's form as a browser would submit it unchanged."""
    form = response.context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_a_source_changed_while_translating_is_an_error_and_nothing_is_saved(translator):
    briefing = make_briefing()
    Briefing.objects.update(lead_en="", tldr_en="")
    data = form_data(translator.get(EDITOR_EN))
    briefing.refresh_from_db()
    briefing.lead_ja = "編集者が書き換えたリード。"
    briefing.save()

    response = translator.post(EDITOR_EN, data | {"lead": "The lead.", "tldr": "The summary."})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "lead": [
            "The source changed while you were translating. Check your translation against "
            "the new source and save again."
        ]
    }
    assert (Briefing.objects.get().lead_en, Briefing.objects.get().tldr_en) == ("", "")
    # Saving again from the page now showing the new source succeeds.
    again = {name: response.context["form"][name].value() or "" for name in data}
    assert translator.post(EDITOR_EN, again).status_code == 302
    assert Briefing.objects.get().lead_en == "The lead."


def statuses(briefing):
    return {f.path: f.status for f in briefing_status(briefing)}


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    make_briefing()

    response = client.get(EDITOR)

    assert response.status_code == 302
    assert response["Location"] == f"/ja/admin/login/?next={EDITOR}"


def test_non_staff_users_are_refused_and_cannot_post(client):
    make_briefing()
    client.force_login(make_user("reader", role=TRANSLATORS, staff=False))

    assert client.get(EDITOR).status_code == 403
    assert client.post(EDITOR, {"lead": "Hacked."}).status_code == 403
    po = SimpleUploadedFile("en.po", _po_filling_the_lead("Hacked."), "text/plain")
    assert client.post(EDITOR + "po/upload/", {"file": po}).status_code == 403
    assert Briefing.objects.get().lead_en == "The lead."


def test_staff_without_a_role_may_neither_open_nor_post_the_translation_pages(client):
    make_briefing()
    Briefing.objects.update(lead_en="")
    client.force_login(make_user("intern"))
    po = SimpleUploadedFile("en.po", _po_filling_the_lead("Uploaded lead."), "text/plain")

    assert client.get("/ja/admin/translations/").status_code == 403
    assert client.get(EDITOR).status_code == 403
    assert client.get(EDITOR + "po/").status_code == 403
    assert client.post(EDITOR, {"lead": "Posted lead."}).status_code == 403
    assert client.post(EDITOR + "po/upload/", {"file": po}).status_code == 403
    assert Briefing.objects.get().lead_en == ""


def _po_filling_the_lead(translation) -> bytes:
    from editorial.translation.po import export_po

    po = export_po(Briefing.objects.get(), "en")
    po.find("リード文。", msgctxt="2026-05-19/lead").msgstr = translation
    return str(po).encode()


@pytest.mark.parametrize(
    "user",
    [
        pytest.param({"role": TRANSLATORS}, id="translator"),
        pytest.param({"role": EDITORS}, id="editor"),
        pytest.param({"superuser": True}, id="superuser"),
    ],
)
def test_translators_editors_and_superusers_may_translate(client, user):
    make_briefing()
    Briefing.objects.update(lead_en="", tldr_en="")
    client.force_login(make_user("member", **user))
    data = form_data(client.get(EDITOR))

    response = client.post(EDITOR, data | {"lead": "Posted lead."})
    assert (response.status_code, response["Location"]) == (302, EDITOR)
    po = SimpleUploadedFile("en.po", _po_filling_the_lead("Uploaded lead."), "text/plain")
    client.post(EDITOR + "po/upload/", {"file": po})

    assert client.get(EDITOR + "po/").status_code == 200
    assert Briefing.objects.values_list("lead_en", flat=True).get() == "Uploaded lead."


def test_unknown_dates_and_languages_are_404(translator):
    make_briefing()

    assert translator.get("/ja/admin/translations/2026-05-20/en/").status_code == 404
    assert translator.get("/ja/admin/translations/2026-13-40/en/").status_code == 404
    assert translator.get("/ja/admin/translations/2026-05-19/fr/").status_code == 404


def test_it_shows_every_field_in_order_with_source_status_and_diff(translator):
    briefing = make_briefing(deep_dives=1, takeaways=1, read_more=1, keywords=["Safety"])
    briefing.lead_ja = "新しいリード文。"
    briefing.save()
    Takeaway.objects.update(text_en="")

    response = translator.get(EDITOR)

    rows = [row for row, _field in response.context["rows"]]
    assert [row.item.path for row in rows] == [
        "theme",
        "lead",
        "tldr",
        "deep_dives/1/title",
        "deep_dives/1/what_happened",
        "deep_dives/1/why_it_matters",
        "deep_dives/1/practical_points",
        "deep_dives/1/takeaways/1/text",
        "read_more/2/title",
        "read_more/2/summary",
        "keywords/safety/name",
    ]
    assert [row.status for row in rows][:3] == [UP_TO_DATE, OUTDATED, UP_TO_DATE]
    assert rows[7].status == "missing"
    assert rows[1].diff == [("insert", "新しい"), ("equal", "リード文。")]
    content = response.content.decode()
    assert '<div class="source-text" lang="ja">新しいリード文。</div>' in content
    assert "<ins>新しい</ins>リード文。" in content
    assert 'name="still_correct" value="lead"' in content
    fingerprint_of_source = response.context["form"]["lead@source"].value()
    assert f'<input type="hidden" name="lead@source" value="{fingerprint_of_source}"' in content
    assert "<script>" not in content and "style=" not in content


def test_saving_stores_all_changes_as_one_revision_by_the_translator(translator, user, history):
    briefing = make_briefing(deep_dives=2, takeaways=1, read_more=1)
    DeepDive.objects.update(title_en="")
    data = form_data(translator.get(EDITOR))
    data["deep_dives/1/title"] = "First deep dive"
    data["deep_dives/2/title"] = "Second deep dive"
    data["lead"] = "A better lead."

    response = translator.post(EDITOR, data)

    assert response.status_code == 302
    assert response["Location"] == EDITOR
    assert [d.title_en for d in DeepDive.objects.all()] == ["First deep dive", "Second deep dive"]
    assert Briefing.objects.get().lead_en == "A better lead."
    revision = Revision.objects.get()
    assert revision.user == user
    # The saved briefing brings its whole issue into the revision (editorial.history follows
    # deep dives, their takeaways and read-more items): 1 + 2 + 2 + 1.
    assert Version.objects.filter(revision=revision).count() == 6
    assert all(s == {"ja": UP_TO_DATE, "en": UP_TO_DATE} for s in statuses(briefing).values())


def test_only_target_language_texts_are_writable(translator):
    make_briefing(deep_dives=1, takeaways=1, read_more=1)
    before = briefing_to_dict(Briefing.objects.with_contents().get())
    data = form_data(translator.get(EDITOR))
    data |= {
        "date": "2030-01-01",
        "status": "draft",
        "publish_at": "2030-01-01T00:00",
        "deep_dives/1/position": "7",
        "read_more/2/url": "https://evil.example/",
        "lead_ja": "書き換え",
        "theme_ja": "書き換え",
        "deep_dives/9/title": "Unknown object",
        "keywords/other/name": "Unknown keyword",
    }

    response = translator.post(EDITOR, data)

    assert response.status_code == 302
    assert briefing_to_dict(Briefing.objects.with_contents().get()) == before


def test_a_too_long_translation_is_an_error_and_nothing_is_saved(translator):
    make_briefing()
    data = form_data(translator.get(EDITOR))
    data["lead"] = "A new lead."
    data["theme"] = "x" * 301

    response = translator.post(EDITOR, data)

    assert response.status_code == 200
    assert "theme" in response.context["form"].errors
    assert Briefing.objects.get().lead_en == "The lead."


def test_mark_as_still_correct_makes_an_outdated_field_up_to_date(translator):
    briefing = make_briefing()
    briefing.lead_ja = "リード文（表記の修正）。"
    briefing.save()
    data = form_data(translator.get(EDITOR))

    translator.post(EDITOR, data | {"still_correct": "lead"})

    assert statuses(briefing)["lead"] == {"ja": UP_TO_DATE, "en": UP_TO_DATE}
    assert Briefing.objects.get().lead_en == "The lead."


def test_mark_as_still_correct_applies_to_outdated_fields_only(translator):
    # The English theme is the original (written first); the English lead is outdated; the
    # English summary is missing.
    briefing = make_briefing(theme_ja="", tldr_en="")
    briefing.theme_ja = "日本語のテーマ"
    briefing.lead_ja = "リード文（表記の修正）。"
    briefing.save()
    data = form_data(translator.get(EDITOR_EN))

    response = translator.post(
        EDITOR_EN, data | {"still_correct": ["theme", "lead", "tldr"]}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Saved: 0 fields changed, 1 marked still correct."
    ]
    assert statuses(briefing)["lead"]["en"] == UP_TO_DATE
    assert statuses(briefing)["tldr"]["en"] == "missing"
    # Still the original: a later change of its Japanese translation does not make it outdated.
    briefing.theme_ja = "書き直したテーマ"
    briefing.save()
    assert statuses(briefing)["theme"] == {"ja": UP_TO_DATE, "en": UP_TO_DATE}


def test_suggestions_and_warnings_are_shown_and_usable_without_javascript(translator):
    make_briefing(
        datetime.date(2026, 5, 18),
        lead_ja="IndicSafeは12の言語で安全性を評価する。",
        lead_en="IndicSafe evaluates safety in 12 languages.",
    )
    make_briefing(lead_ja="IndicSafeは12の言語で安全性を評価する。", lead_en="")
    Keyword.objects.create(slug="safety", name_ja="安全性", name_en="safety")
    briefing = Briefing.objects.get(date=datetime.date(2026, 5, 19))
    briefing.tldr_en = "Sales grew 5%。"
    briefing.tldr_ja = "売上は5%増えた。"
    briefing.save()

    response = translator.get(EDITOR_EN)

    rows = {row.item.path: row for row, _field in response.context["rows"]}
    assert [(s.translation, s.similarity) for s in rows["lead"].suggestions] == [
        ("IndicSafe evaluates safety in 12 languages.", 100)
    ]
    assert [(t.source, t.translation) for t in rows["lead"].terms] == [("安全性", "safety")]
    assert rows["tldr"].warnings == ["English text contains full-width punctuation."]
    content = response.content.decode()
    assert (
        '<span class="suggested-text" lang="en">IndicSafe evaluates safety in 12 languages.</span>'
        in content
    )
    assert 'class="button use-suggestion" hidden data-target="id_lead"' in content


def test_the_editor_takes_a_fixed_number_of_queries(translator, django_assert_num_queries):
    make_briefing(datetime.date(2026, 5, 18), deep_dives=1, keywords=["A"])
    make_briefing(deep_dives=1, keywords=["B"])
    DeepDive.objects.update(title_en="", what_happened_en="")
    translator.get(EDITOR)
    # 17 with the keyword names waiting for the issue's publication (shown as the translator's).
    with django_assert_num_queries(17) as one:
        translator.get(EDITOR)

    Briefing.objects.get(date=datetime.date(2026, 5, 19)).delete()
    make_briefing(deep_dives=5, keywords=["B", "C"])
    DeepDive.objects.update(title_en="", what_happened_en="")
    with django_assert_num_queries(len(one.captured_queries)):
        response = translator.get(EDITOR)
    assert len(response.context["rows"]) == 3 + 5 * 6 + 2 + 2


def test_po_file_download_and_upload_in_the_admin(translator, user):
    make_briefing()
    Briefing.objects.update(lead_en="")

    response = translator.get(EDITOR + "po/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="briefing-2026-05-19-en.po"'
    po = polib.pofile(response.content.decode())
    po.find("リード文。", msgctxt="2026-05-19/lead").msgstr = "Uploaded lead."
    upload = SimpleUploadedFile("en.po", str(po).encode(), "text/x-gettext-translation")

    response = translator.post(EDITOR_EN + "po/upload/", {"file": upload}, follow=True)

    assert Briefing.objects.get().lead_en == "Uploaded lead."
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["2026-05-19, en: 1 changed, 0 refused.", "changed: 2026-05-19/lead"]
    # The history says who uploaded it.
    revision = Revision.objects.get()
    assert revision.user == user
    assert describe(revision.comment) == ("1 field translated into English by translator (PO file)")


def content_snapshot():
    """Every content row (each language's column) and the revisions: to show an upload changed
    nothing. The translated fields' own names read the active language, so they are left out."""
    rows = []
    for model in CONTENT_MODELS:
        translated = TRANSLATED_FIELDS.get(model, ())
        columns = [f.attname for f in model._meta.concrete_fields if f.name not in translated]
        rows.append(list(model.objects.order_by("pk").values(*columns)))
    return rows, Revision.objects.count()


def refused_upload(translator, upload):
    """Post a PO upload that must be refused: a 400 with the editor page and the error
    beside the upload field."""
    response = translator.post(EDITOR_EN + "po/upload/", {"file": upload} if upload else {})
    assert response.status_code == 400
    assert response.templates[0].name == "editorial/translation/editor.html"
    [error] = response.context["upload_form"].errors["file"]
    assert error in response.content.decode()
    assert list(response.context["messages"]) == []
    return error


def test_a_malformed_upload_is_a_400_and_saves_nothing(translator):
    make_briefing()
    before = content_snapshot()
    upload = SimpleUploadedFile("en.po", b"this is not a PO file", "text/plain")

    error = refused_upload(translator, upload)

    assert error == "Not a valid PO file: syntax error on line 1. Nothing was saved."
    assert content_snapshot() == before


@pytest.mark.parametrize(
    ("line", "english", "japanese"),
    [
        (
            'msgid "a "quoted" word"',
            "syntax error on line 1 (a double quote is not escaped).",
            "1行目に書式の誤りがあります（二重引用符がエスケープされていません）。",
        ),
        (
            '#| msgfoo "x"',
            "syntax error on line 1 (unknown keyword msgfoo in a “#|” comment).",
            "1行目に書式の誤りがあります（“#|” コメントに不明なキーワード msgfoo）。",
        ),
        (
            "#| msgid",
            "syntax error on line 1 (a “#|” comment is incomplete).",
            "1行目に書式の誤りがあります（“#|” コメントが途中で切れています）。",
        ),
    ],
)
def test_a_malformed_upload_is_explained_in_the_translators_language(
    translator, line, english, japanese
):
    make_briefing()
    expected = {
        EDITOR_EN: f"Not a valid PO file: {english} Nothing was saved.",
        EDITOR: f"正しいPOファイルではありません：{japanese} 何も保存されていません。",
    }
    for editor, error in expected.items():
        upload = SimpleUploadedFile("en.po", line.encode(), "text/plain")
        response = translator.post(editor + "po/upload/", {"file": upload})

        assert response.status_code == 400
        assert response.context["upload_form"].errors["file"] == [error]


def test_a_refused_upload_says_so_at_the_top_of_the_long_page(translator):
    make_briefing()
    upload = SimpleUploadedFile("en.po", b"this is not a PO file", "text/plain")

    response = translator.post(EDITOR + "po/upload/", {"file": upload})
    content = response.content.decode()

    assert response.status_code == 400
    note = (
        '<p class="errornote"><a href="#translation-po">POファイルは取り込まれませんでした。'
        "理由は下のアップロード欄に表示しています。何も保存されていません。</a></p>"
    )
    assert content.index(note) < content.index('<form method="post" class="translation-form">')
    assert translator.get(EDITOR).content.decode().count('class="errornote"') == 0


def test_an_upload_without_a_file_is_a_400(translator):
    make_briefing()

    assert refused_upload(translator, None) == "Choose a PO file to upload."


def test_an_upload_for_another_direction_is_a_400_and_saves_nothing(translator):
    make_briefing()
    po = polib.pofile(translator.get("/ja/admin/translations/2026-05-19/ja/po/").content.decode())
    po.find("The lead.", msgctxt="2026-05-19/lead").msgstr = "アップロードしたリード。"
    upload = SimpleUploadedFile("ja.po", str(po).encode(), "text/plain")
    before = content_snapshot()

    error = refused_upload(translator, upload)

    assert error == "This file is for 2026-05-19 into “ja”, not this page. Nothing was saved."
    assert content_snapshot() == before


def test_an_upload_for_another_issue_is_a_400_and_saves_nothing(translator):
    make_briefing()
    make_briefing(datetime.date(2026, 5, 18))
    Briefing.objects.update(lead_en="")
    po = polib.pofile(translator.get("/ja/admin/translations/2026-05-18/en/po/").content.decode())
    po.find("リード文。", msgctxt="2026-05-18/lead").msgstr = "Uploaded lead."
    upload = SimpleUploadedFile("en.po", str(po).encode(), "text/plain")
    before = content_snapshot()

    error = refused_upload(translator, upload)

    assert error == "This file is for 2026-05-18 into “en”, not this page. Nothing was saved."
    assert content_snapshot() == before
    assert list(Briefing.objects.values_list("lead_en", flat=True)) == ["", ""]
