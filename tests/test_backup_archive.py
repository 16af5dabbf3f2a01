"""Backups: export_archive writes JSON Lines, import_archive restores them losslessly."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from briefing.serialization import briefing_to_dict
from editorial.interchange.archive import editorial_state
from editorial.models import TranslationState
from editorial.translation.status import OUTDATED, briefing_status
from tests.factories import make_briefing, run_command

# The archive holds an issue scheduled after the frozen clock (tests.factories.NOW).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def make_archive_contents():
    """Every workflow state, both languages, a half-translated issue, keywords, odd text."""
    make_briefing(datetime.date(2026, 5, 18), keywords=["Safety", "Access"], deep_dives=2)
    make_briefing(
        datetime.date(2026, 5, 19),
        status=Briefing.Status.DRAFT,
        theme_en="",
        lead_ja='改行\nと "引用" と <タグ> と 😀',
    )
    make_briefing(
        datetime.date(2026, 5, 20),
        status=Briefing.Status.PUBLISHED,
        publish_at=datetime.datetime(2026, 5, 20, 6, 30, tzinfo=datetime.UTC),
        keywords=["Safety"],
        read_more=0,
    )
    make_briefing(datetime.date(2026, 5, 21), status=Briefing.Status.REVIEW, deep_dives=0)
    # The Japanese lead and a takeaway change after translation: their English is outdated.
    edited = Briefing.objects.get(date=datetime.date(2026, 5, 18))
    edited.lead_ja = "書き直したリード文。"
    edited.save()
    takeaway = Takeaway.objects.get(deep_dive__briefing=edited, deep_dive__position=2, position=1)
    takeaway.text_ja = "書き直したポイント"
    takeaway.save()


def outdated_english(date: datetime.date) -> list[str]:
    briefing = Briefing.objects.get(date=date)
    return [f.path for f in briefing_status(briefing) if f.status["en"] == OUTDATED]


def empty_the_database():
    Briefing.objects.all().delete()
    Keyword.objects.all().delete()


def table_counts():
    return [m.objects.count() for m in (Briefing, DeepDive, Takeaway, ReadMore, Keyword)]


def test_each_line_is_one_briefing_in_the_shared_shape_with_its_workflow_state(tmp_path):
    make_archive_contents()
    archive = tmp_path / "briefings.jsonl"

    output = run_command("export_archive", str(archive))

    lines = archive.read_text(encoding="utf-8").splitlines()
    assert output == f"Wrote 4 briefings to {archive}.\n"
    assert len(lines) == 4
    briefings = Briefing.objects.with_contents().order_by("date")
    for line, briefing in zip(lines, briefings, strict=True):
        assert json.loads(line) == briefing_to_dict(briefing) | {
            "publish_at": briefing.publish_at.isoformat() if briefing.publish_at else None,
            "created_at": briefing.created_at.isoformat(),
            "updated_at": briefing.updated_at.isoformat(),
            **editorial_state(briefing),
        }
    scheduled = json.loads(lines[2])
    assert (scheduled["status"], scheduled["publish_at"]) == (
        "published",
        "2026-05-20T06:30:00+00:00",
    )
    assert json.loads(lines[1])["publish_at"] is None
    # Readable, not escaped, in an editor or with grep.
    assert '改行\\nと \\"引用\\" と <タグ> と 😀' in lines[1]


def test_an_archive_restores_into_an_empty_database_exactly(tmp_path):
    make_archive_contents()
    assert outdated_english(datetime.date(2026, 5, 18)) == ["lead", "deep_dives/2/takeaways/1/text"]
    counts, states = table_counts(), TranslationState.objects.count()
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    run_command("export_archive", str(first))
    empty_the_database()

    output = run_command("import_archive", str(first))
    run_command("export_archive", str(second))

    assert output == f"Restored 4 briefings from {first}.\n"
    assert table_counts() == counts
    assert TranslationState.objects.count() == states
    # Content, statuses, publication times, timestamps, numbering and translation status all
    # survived.
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    assert outdated_english(datetime.date(2026, 5, 18)) == [
        "lead",
        "deep_dives/2/takeaways/1/text",
    ]
    assert [b.date.day for b in Briefing.objects.published().order_by("date")] == [18]


def test_export_to_standard_output(capsys):
    make_briefing()
    out = StringIO()

    call_command("export_archive", "-", stdout=out)

    [line] = out.getvalue().splitlines()
    assert json.loads(line)["date"] == "2026-05-19"
    assert capsys.readouterr().err == "Wrote 1 briefings.\n"


def test_an_empty_database_exports_an_empty_archive(tmp_path):
    archive = tmp_path / "empty.jsonl"

    run_command("export_archive", str(archive))

    assert archive.read_bytes() == b""


def test_an_export_that_cannot_be_written_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError) as error:
        run_command("export_archive", str(tmp_path / "missing-dir" / "x.jsonl"))

    assert str(error.value) == (
        f"Cannot write {tmp_path / 'missing-dir' / 'x.jsonl'}: No such file or directory"
    )


def test_a_restore_refuses_a_database_that_has_briefings(tmp_path):
    make_briefing(datetime.date(2026, 5, 1))
    archive = tmp_path / "a.jsonl"
    run_command("export_archive", str(archive))

    with pytest.raises(CommandError) as error:
        run_command("import_archive", str(archive))

    assert str(error.value) == (
        f"{archive}, the database already has briefings; an archive is restored into an "
        "empty database. Nothing was restored."
    )


def good_lines() -> list[str]:
    make_archive_contents()
    out = StringIO()
    call_command("export_archive", "-", stdout=out)
    empty_the_database()
    return out.getvalue().splitlines()


def replace_in(line: str, **changes) -> str:
    return json.dumps(json.loads(line) | changes, ensure_ascii=False)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda lines: lines.insert(2, "{not json"), "line 3: not valid JSON (Expecting"),
        (lambda lines: lines.insert(1, "[1, 2]"), "line 2: not a briefing (a JSON object"),
        (
            lambda lines: lines.__setitem__(3, replace_in(lines[3], status="lost")),
            "line 4: 2026-05-21: status: ",
        ),
        (
            lambda lines: lines.__setitem__(2, replace_in(lines[2], date="2026-02-30")),
            "line 3: 2026-02-30: “2026-02-30” is not a date (YYYY-MM-DD).",
        ),
        (
            lambda lines: lines.__setitem__(1, replace_in(lines[1], created_at="yesterday")),
            "line 2: 2026-05-19: created_at: 'yesterday' is not an ISO 8601 date and time",
        ),
        (
            lambda lines: lines.__setitem__(2, replace_in(lines[2], publish_at="soon")),
            "line 3: 2026-05-20: publish_at: 'soon' is not an ISO 8601 date and time",
        ),
        (
            lambda lines: lines.append(lines[0]),
            "line 5: 2026-05-18 appears twice (first on line 1)",
        ),
        (
            lambda lines: lines.__setitem__(
                0, replace_in(lines[0], translation_states={"deep_dives/9/title": {}})
            ),
            "line 1: 2026-05-18: translation_states: no field deep_dives/9/title in this briefing",
        ),
    ],
    ids=["json", "not-object", "status", "date", "timestamp", "publish-at", "duplicate", "state"],
)
def test_a_bad_line_is_named_and_nothing_is_restored(tmp_path, damage, message):
    lines = good_lines()
    damage(lines)
    archive = tmp_path / "damaged.jsonl"
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run_command("import_archive", str(archive))

    assert str(error.value).startswith(f"{archive}, {message}")
    assert str(error.value).endswith(". Nothing was restored.")
    assert table_counts() == [0, 0, 0, 0, 0]


def test_a_line_that_is_not_utf8_is_named(tmp_path):
    lines = good_lines()
    archive = tmp_path / "latin1.jsonl"
    archive.write_bytes((lines[0] + "\n").encode() + '{"theme": "café"}\n'.encode("latin-1"))

    with pytest.raises(CommandError) as error:
        run_command("import_archive", str(archive))

    assert str(error.value) == (
        f"{archive}, line 2: not UTF-8 (invalid continuation byte). Nothing was restored."
    )
    assert table_counts() == [0, 0, 0, 0, 0]


def test_blank_lines_are_skipped_and_every_issue_is_restored(tmp_path):
    lines = good_lines()
    archive = tmp_path / "spaced.jsonl"
    archive.write_text("\n\n".join(lines) + "\n\n", encoding="utf-8")

    output = run_command("import_archive", str(archive))

    assert output == f"Restored 4 briefings from {archive}.\n"
    # The count is of issues really saved: the database holds exactly the archive again.
    out = StringIO()
    call_command("export_archive", "-", stdout=out)
    assert out.getvalue().splitlines() == lines


def test_a_missing_archive_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError) as error:
        run_command("import_archive", str(tmp_path / "nope.jsonl"))

    assert str(error.value) == f"Cannot read {tmp_path / 'nope.jsonl'}: No such file or directory"


def test_restored_timestamps_are_the_archived_ones(tmp_path):
    briefing = make_briefing()
    long_ago = timezone.make_aware(datetime.datetime(2026, 5, 18, 21, 0))
    Briefing.objects.filter(pk=briefing.pk).update(created_at=long_ago, updated_at=long_ago)
    archive = tmp_path / "a.jsonl"
    run_command("export_archive", str(archive))
    empty_the_database()

    run_command("import_archive", str(archive))

    restored = Briefing.objects.get()
    assert (restored.created_at, restored.updated_at) == (long_ago, long_ago)
