"""The map of an issue (briefing.content) covers every registered translated field, and every
consumer reads it: a field registered in briefing/translation.py but missing from any of them
(history, compare, merge and restore included) fails here, naming the field and the consumer."""

import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils.translation import get_language_info
from modeltranslation.translator import translator

from briefing import content, issue_page
from briefing.models import Briefing, Keyword, SearchDocument
from briefing.serialization import briefing_to_dict
from editorial import compare, history, merging
from editorial.interchange.archive import restore_archive, write_archive
from editorial.interchange.exporting import export_briefing
from editorial.interchange.importing import save_briefing_data
from editorial.interchange.textformat import parse_briefing_text
from editorial.translation.po import export_po
from editorial.translation.status import briefing_status
from editorial.workflow import missing_translations
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db


def every_translated_path(briefing) -> list[str]:
    return [path for path, _values in content.translated_values(briefing)]


def marked_issue() -> tuple[Briefing, dict[str, dict[str, str]]]:
    """An issue with every part present and a unique text in every translated field and
    language; returns it and {path: {language: text}}."""
    briefing = make_briefing(deep_dives=2, takeaways=2, read_more=1, keywords=["Safety"])
    briefing = Briefing.objects.with_contents().get(pk=briefing.pk)
    marks = {}
    for node in content.walk(briefing):
        for name in node.part.translated:
            number = len(marks) + 1
            values = {"ja": f"日本語{number}番", "en": f"English {number} marker"}
            for code, text in values.items():
                setattr(node.item, f"{name}_{code}", text)
            marks[node.field_path(name)] = values
        node.item.save()
    return Briefing.objects.with_contents().get(pk=briefing.pk), marks


def test_the_map_has_every_registered_model_and_field_in_model_order_with_a_label():
    registered = {
        model: set(translator.get_options_for_model(model).fields)
        for model in translator.get_registered_models()
    }
    assert {model: set(fields) for model, fields in content.TRANSLATED_FIELDS.items()} == registered
    for part in content.parts():
        for name in (*part.translated, *part.untranslated):
            assert str(part.label(name)), f"{part.model.__name__}.{name} has no label"
    assert content.DEEP_DIVE.translated == (
        "title",
        "what_happened",
        "why_it_matters",
        "practical_points",
    )


def test_paths_and_their_descriptions():
    assert content.describe("theme") == "テーマ"
    assert (
        content.describe("deep_dives/2/takeaways/1/text") == "ディープダイブ 02 · 重要なポイント 01"
    )
    assert content.describe("read_more/4/url") == "もっと読む 04 · リンク"
    with pytest.raises(KeyError):
        content.resolve("deep_dives/2/nothing")


def test_every_translated_field_reaches_every_consumer(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        briefing, marks = marked_issue()
    paths = list(marks)
    # Every part of the map is present, so every registered field is in `marks`.
    assert {p.split("/")[-1] for p in paths} == {
        name for fields in content.TRANSLATED_FIELDS.values() for name in fields
    }

    # Serialization (export, API, backups).
    data = briefing_to_dict(briefing)
    assert dict(content.translated_values(data)) == marks
    api = client.get(reverse("api_briefing", kwargs={"date": "2026-05-19"})).json()
    assert dict(content.translated_values(api)) == marks

    # The plain-text format writes every field and reads it back.
    text = export_briefing(briefing, "text", "both")
    for path, values in marks.items():
        for code, mark in values.items():
            assert mark in text, f"{path} [{code}] is missing from the text format"
    parsed = parse_briefing_text(text)
    for path in paths:
        if not path.startswith("keywords/"):  # keyword slugs are remade from the names
            assert dict(content.translated_values(parsed))[path] == marks[path], path

    # Import: the JSON shape saved as another issue gives the same fields.
    copy = save_briefing_data({**data, "date": "2026-05-20"})
    copied = Briefing.objects.with_contents().get(pk=copy.pk)
    assert dict(content.translated_values(copied)) == marks

    # Translation status, the editor's labels and PO files.
    items = briefing_status(briefing)
    assert [item.path for item in items] == paths
    assert all(str(item.label) for item in items)
    po = export_po(briefing, "en")
    assert [entry.msgctxt for entry in po] == [f"2026-05-19/{path}" for path in paths]

    # The search document.
    document = SearchDocument.objects.get(pk=briefing.pk)
    for path, values in marks.items():
        assert values["ja"] in document.text_ja, path
        assert values["en"] in document.text_en, path

    # The reading pages: the issue page in each language and the side-by-side page.
    assert set(issue_page.PART_QUERIES) == set(content.parts()) - {content.ISSUE}
    both = client.get("/ja/2026/05/19/both/").content.decode()
    for code in content.LANGUAGE_CODES:
        page = client.get(f"/{code}/2026/05/19/").content.decode()
        for path, values in marks.items():
            assert values[code] in page, f"issue page: {path} [{code}]"
            assert values[code] in both, f"side by side: {path} [{code}]"

    # The publish check names every field left empty in one language.
    english_missing = {
        path: {**values, "en": ""} for path, values in content.translated_values(data)
    }
    emptied = _with_values(data, english_missing)
    assert missing_translations(emptied)["en"] == [content.describe(p) for p in paths]

    # The admin forms have an input for every field in every language.
    client.force_login(make_user("boss", superuser=True))
    pages = {
        content.ISSUE: reverse("admin:briefing_briefing_change", args=[briefing.pk]),
        content.DEEP_DIVE: reverse("admin:briefing_briefing_change", args=[briefing.pk]),
        content.READ_MORE: reverse("admin:briefing_briefing_change", args=[briefing.pk]),
        content.TAKEAWAY: reverse(
            "admin:briefing_deepdive_change", args=[briefing.deep_dives.first().pk]
        ),
        content.KEYWORD: reverse("admin:briefing_keyword_change", args=[Keyword.objects.get().pk]),
    }
    prefixes = {content.ISSUE: "", content.KEYWORD: ""}
    bodies = {url: client.get(url).content.decode() for url in set(pages.values())}
    for part, url in pages.items():
        prefix = prefixes.get(part, f"{part.key}-0-")
        for name in (*part.translated, *part.untranslated):
            columns = (
                [f"{name}_{code}" for code in content.LANGUAGE_CODES]
                if name in part.translated
                else [name]
            )
            for column in columns:
                assert f'name="{prefix}{column}"' in bodies[url], f"admin: {part} {column}"

    # History: a revision holds every field, and shows, compares, merges and restores it.
    with history.revision():
        history.record(briefing, None, "edited", actor="test")
    version = history.issue_versions(briefing.pk).first()
    snapshot = history.Snapshot(version.revision, briefing.pk)
    assert snapshot.to_dict() == data
    url = reverse("admin:briefing_briefing_revision", args=[briefing.pk, version.pk])
    shown = client.get(url).content.decode()
    for path, values in marks.items():
        for code, mark in values.items():
            assert mark in shown, f"history: {path} [{code}] is not shown"
    blank = _with_values(data, {path: dict.fromkeys(content.LANGUAGE_CODES, "") for path in paths})
    assert [(change.label, change.language) for change in compare.changes(blank, data)] == [
        (content.describe(path), str(get_language_info(code)["name_translated"]))
        for path in paths
        for code in content.LANGUAGE_CODES
    ], "compare"
    # Keywords are shared with other issues: a revision keeps the issue's links to them.
    owned = {content.ISSUE, *(part for _parent, part in history.owned_parts())}
    assert snapshot.links == {"keywords": [Keyword.objects.get().pk]}
    token = merging.Token(history.edit_token(briefing), version.revision_id)
    for node in content.walk(briefing):
        if node.part not in owned:
            continue
        base = merging.base_object(token, briefing.pk, type(node.item), node.item.pk)
        assert base is not None, f"merge: {node.part} {node.item.pk}"
        for name in node.part.translated:
            path = node.field_path(name)
            assert content.translations(base, name) == marks[path], f"merge: {path}"
    for node in content.walk(briefing):
        if node.part in owned:
            for name in node.part.translated:
                for code in content.LANGUAGE_CODES:
                    setattr(node.item, f"{name}_{code}", "written over")
            node.item.save()
    history.restore(briefing, version, None)
    restored = Briefing.objects.with_contents().get(pk=briefing.pk)
    assert dict(content.translated_values(restored)) == marks, "restore"


def _with_values(data: dict, values: dict) -> dict:
    """A copy of an issue in the JSON shape with the translated fields of `values` replaced."""
    copy = json.loads(json.dumps(data))
    for node in content.walk(copy):
        for name in node.part.translated:
            node.item[name] = values[node.field_path(name)]
    return copy


def test_every_translated_field_survives_a_backup_and_restore():
    briefing, marks = marked_issue()
    before = briefing_to_dict(briefing)
    archive = io.StringIO()
    write_archive(archive)
    Briefing.objects.all().delete()
    Keyword.objects.all().delete()

    restore_archive(line.encode() for line in archive.getvalue().splitlines())

    restored = Briefing.objects.with_contents().get(date=datetime.date(2026, 5, 19))
    assert briefing_to_dict(restored) == before
    assert dict(content.translated_values(restored)) == marks
