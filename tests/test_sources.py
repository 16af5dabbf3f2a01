"""A deep dive's sources: read from the text format, stored untranslated, exported in text and
JSON, round-tripping, shown with their site, and only ever http(s) links."""

import json

import pytest
from django.core.management import CommandError
from django.utils import translation

from briefing.models import Briefing, DeepDive
from briefing.serialization import briefing_to_dict
from editorial.interchange.importing import ImportRefused, save_briefing_data
from editorial.interchange.textformat import (
    BriefingTextError,
    format_briefing_text,
    parse_briefing_text,
)
from tests.factories import make_briefing, run_command

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Parser messages in English, as management commands give them."""
    with translation.override("en"):
        yield


TEXT = """2026-05-19

01 Deep Dive
Benchmarks under the lens

What Happened
A paper looks at safety benchmarks.

Practical Points
Pin your evaluation harness.

Source: https://arxiv.org/abs/2605.01234 — Safety benchmarks, revisited
出典：https://www.nikkei.com/article/DGXZQO123/
Source: https://example.org/report?a=1&b=2 - Report (PDF)

02 Deep Dive
A second one

What Happened
Nothing to cite.
"""

SOURCES = [
    {"url": "https://arxiv.org/abs/2605.01234", "title": "Safety benchmarks, revisited"},
    {"url": "https://www.nikkei.com/article/DGXZQO123/", "title": ""},
    {"url": "https://example.org/report?a=1&b=2", "title": "Report (PDF)"},
]


def test_source_lines_end_a_deep_dive_in_order_with_optional_titles():
    data = parse_briefing_text(TEXT)

    assert [dive["sources"] for dive in data["deep_dives"]] == [SOURCES, []]
    assert data["deep_dives"][0]["practical_points"] == {
        "ja": "",
        "en": "Pin your evaluation harness.",
    }


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("Source: javascript:alert(1)", "a source that is not an http:// or https:// link"),
        ("出典: ftp://example.org/file", "a source that is not an http:// or https:// link"),
        ("Source:", "a source that is not an http:// or https:// link"),
    ],
)
def test_a_source_that_is_not_an_http_link_is_an_error_naming_the_line(line, problem):
    text = TEXT.replace("Source: https://example.org/report?a=1&b=2 - Report (PDF)", line)

    with pytest.raises(BriefingTextError) as caught:
        parse_briefing_text(text)

    assert problem in str(caught.value)
    assert line in str(caught.value)
    assert caught.value.line_number == 14


def test_text_after_the_sources_is_an_error():
    text = TEXT.replace("Report (PDF)\n", "Report (PDF)\nA stray paragraph.\n")

    with pytest.raises(BriefingTextError, match="text after the sources of deep dive 01"):
        parse_briefing_text(text)


@pytest.mark.parametrize(
    ("lang", "label"), [("both", "Source:"), ("en", "Source:"), ("ja", "出典:")]
)
def test_text_export_writes_the_sources_back_and_they_read_back_unchanged(lang, label):
    data = parse_briefing_text(TEXT)
    data["deep_dives"][0]["title"]["ja"] = "レンズの下のベンチマーク"
    data["deep_dives"][0]["what_happened"]["ja"] = "論文が安全ベンチマークを調べる。"
    data["deep_dives"][1]["what_happened"]["ja"] = "引用なし。"

    text = format_briefing_text(data, lang)

    assert (
        f"{label} https://arxiv.org/abs/2605.01234 — Safety benchmarks, revisited\n"
        f"{label} https://www.nikkei.com/article/DGXZQO123/\n"
        f"{label} https://example.org/report?a=1&b=2 — Report (PDF)\n"
    ) in text
    assert [dive["sources"] for dive in parse_briefing_text(text)["deep_dives"]] == [SOURCES, []]


def test_imported_sources_are_stored_untranslated_and_exported_in_json(tmp_path):
    path = tmp_path / "issue.txt"
    path.write_text(TEXT)
    run_command("import_briefing", str(path))

    assert list(DeepDive.objects.values_list("sources", flat=True)) == [SOURCES, []]
    exported = json.loads(run_command("export_briefing", "2026-05-19", "--format", "json"))
    assert [dive["sources"] for dive in exported["deep_dives"]] == [SOURCES, []]


def test_json_and_text_exports_round_trip_the_sources(tmp_path):
    path = tmp_path / "issue.txt"
    path.write_text(TEXT)
    run_command("import_briefing", str(path))
    original = briefing_to_dict(Briefing.objects.with_contents().get())

    for export in ("json", "text"):
        exported = run_command("export_briefing", "2026-05-19", "--format", export)
        Briefing.objects.all().delete()
        if export == "json":
            save_briefing_data(json.loads(exported))
        else:
            path.write_text(exported)
            run_command("import_briefing", str(path))
        assert briefing_to_dict(Briefing.objects.with_contents().get()) == original


@pytest.mark.parametrize(
    "sources",
    [
        [{"url": "javascript:alert(1)", "title": "x"}],
        [{"url": "https://example.org/"}],
        [{"url": "https://example.org/", "title": "x", "extra": 1}],
        "https://example.org/",
    ],
)
def test_json_with_bad_sources_is_refused_and_nothing_is_saved(sources):
    data = parse_briefing_text(TEXT)
    data["deep_dives"][0]["sources"] = sources

    with pytest.raises(ImportRefused, match="sources"):
        save_briefing_data(data)
    assert Briefing.objects.count() == 0


def test_a_bad_source_in_a_file_is_refused_by_the_command(tmp_path):
    path = tmp_path / "issue.txt"
    path.write_text(TEXT.replace("https://arxiv.org/abs/2605.01234", "data:text/html,x"))

    with pytest.raises(CommandError, match="line 12"):
        run_command("import_briefing", str(path))
    assert Briefing.objects.count() == 0


def test_the_issue_page_shows_sources_with_their_sites_and_read_more_with_theirs(client):
    briefing = make_briefing(deep_dives=2, read_more=1)
    DeepDive.objects.filter(briefing=briefing, position=1).update(
        sources=[*SOURCES, {"url": "https://example.org/<b>", "title": "<script>x</script>"}]
    )

    for path in ("/en/2026/05/19/", "/en/2026/05/19/both/"):
        body = client.get(path).content.decode()
        assert (
            '<li><a href="https://arxiv.org/abs/2605.01234" rel="noopener">Safety benchmarks, '
            'revisited</a> <span class="site-name">arxiv.org</span></li>'
        ) in body
        assert (
            '<li><a href="https://www.nikkei.com/article/DGXZQO123/" rel="noopener">'
            "https://www.nikkei.com/article/DGXZQO123/</a> "
            '<span class="site-name">nikkei.com</span></li>'
        ) in body
        assert "&lt;script&gt;x&lt;/script&gt;" in body
        assert "<script>x" not in body
        assert body.count('<div class="sources">') == 1
    issue = client.get("/en/2026/05/19/").content.decode()
    assert '<p class="site-name">example.com</p>' in issue


def test_a_stored_source_that_is_not_http_is_never_a_link(client):
    briefing = make_briefing()
    DeepDive.objects.filter(briefing=briefing).update(
        sources=[{"url": "javascript:alert(1)", "title": "Bad"}]
    )

    body = client.get("/en/2026/05/19/").content.decode()

    assert "javascript:" not in body
    # Its deep dive is shown, without a "Sources" heading over nothing.
    assert '<span class="deep-dive__title">Deep dive 1</span>' in body
    assert '<div class="sources">' not in body
