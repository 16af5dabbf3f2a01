"""Backups: export_archive writes JSON Lines, import_archive restores them losslessly."""

import datetime
import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from briefing.serialization import briefing_to_dict
from editorial.interchange.archive import HEADER, editorial_state
from editorial.models import TranslationState
from editorial.translation.status import OUTDATED, briefing_status
from newsletter.interchange import INTERRUPTED_BY_RESTORE
from newsletter.models import Delivery, Edition, Subscriber
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
    return [
        m.objects.count() for m in (Briefing, DeepDive, Takeaway, ReadMore, Keyword, Subscriber)
    ]


NOTHING = [0, 0, 0, 0, 0, 0]


def sealed(lines: list[str]) -> list[str]:
    """The header, `lines` (briefing lines) and a trailer that matches them."""
    body = [json.dumps(HEADER), *lines]
    digest = hashlib.sha256("".join(line + "\n" for line in body).encode()).hexdigest()
    trailer = {"issues": len(lines), "keywords": 0, "subscribers": 0, "sha256": digest}
    return [*body, json.dumps({"trailer": trailer})]


def test_each_line_is_one_briefing_in_the_shared_shape_with_its_workflow_state(tmp_path):
    make_archive_contents()
    archive = tmp_path / "briefings.jsonl"

    output = run_command("export_archive", str(archive))

    header, *lines, trailer = archive.read_text(encoding="utf-8").splitlines()
    assert output == f"Wrote 4 briefings to {archive}.\n"
    assert json.loads(header) == {"format": "briefing-archive", "version": 2}
    assert len(lines) == 4
    # The trailer counts what the archive holds and seals every line before it.
    assert json.loads(trailer) == {
        "trailer": {
            "issues": 4,
            "keywords": 0,
            "subscribers": 0,
            "sha256": hashlib.sha256(
                "".join(line + "\n" for line in [header, *lines]).encode()
            ).hexdigest(),
        }
    }
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

    _header, line, _trailer = out.getvalue().splitlines()
    assert json.loads(line)["date"] == "2026-05-19"
    assert capsys.readouterr().err == "Wrote 1 briefings.\n"


def test_an_empty_database_exports_an_empty_archive(tmp_path):
    archive = tmp_path / "empty.jsonl"

    run_command("export_archive", str(archive))

    header = json.dumps(HEADER) + "\n"
    digest = hashlib.sha256(header.encode()).hexdigest()
    assert (
        archive.read_text()
        == header
        + json.dumps({"trailer": {"issues": 0, "keywords": 0, "subscribers": 0, "sha256": digest}})
        + "\n"
    )


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
    """The briefing lines of an archive, without its header and trailer."""
    make_archive_contents()
    out = StringIO()
    call_command("export_archive", "-", stdout=out)
    empty_the_database()
    return out.getvalue().splitlines()[1:-1]


def replace_in(line: str, **changes) -> str:
    return json.dumps(json.loads(line) | changes, ensure_ascii=False)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda lines: lines.insert(2, "{not json"), "line 4: not valid JSON (Expecting"),
        (lambda lines: lines.insert(1, "[1, 2]"), "line 3: not a briefing (a JSON object"),
        (
            lambda lines: lines.__setitem__(3, replace_in(lines[3], status="lost")),
            "line 5: 2026-05-21: status: ",
        ),
        (
            lambda lines: lines.__setitem__(2, replace_in(lines[2], date="2026-02-30")),
            "line 4: 2026-02-30: “2026-02-30” is not a date (YYYY-MM-DD).",
        ),
        (
            lambda lines: lines.__setitem__(1, replace_in(lines[1], created_at="yesterday")),
            "line 3: 2026-05-19: created_at: 'yesterday' is not an ISO 8601 date and time",
        ),
        (
            lambda lines: lines.__setitem__(2, replace_in(lines[2], publish_at="soon")),
            "line 4: 2026-05-20: publish_at: 'soon' is not an ISO 8601 date and time",
        ),
        (
            lambda lines: lines.append(lines[0]),
            "line 6: 2026-05-18 appears twice (first on line 2)",
        ),
        (
            lambda lines: lines.__setitem__(
                0, replace_in(lines[0], translation_states={"deep_dives/9/title": {}})
            ),
            "line 2: 2026-05-18: translation_states: no field deep_dives/9/title in this briefing",
        ),
    ],
    ids=["json", "not-object", "status", "date", "timestamp", "publish-at", "duplicate", "state"],
)
def test_a_bad_line_is_named_and_nothing_is_restored(tmp_path, damage, message):
    lines = good_lines()
    damage(lines)
    archive = tmp_path / "damaged.jsonl"
    archive.write_text("\n".join(sealed(lines)) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run_command("import_archive", str(archive))

    assert str(error.value).startswith(f"{archive}, {message}")
    assert str(error.value).endswith(". Nothing was restored.")
    assert table_counts() == NOTHING


def test_a_line_that_is_not_utf8_is_named(tmp_path):
    lines = good_lines()
    archive = tmp_path / "latin1.jsonl"
    archive.write_bytes(
        (json.dumps(HEADER) + "\n" + lines[0] + "\n").encode()
        + '{"theme": "café"}\n'.encode("latin-1")
    )

    with pytest.raises(CommandError) as error:
        run_command("import_archive", str(archive))

    assert str(error.value) == (
        f"{archive}, line 3: not UTF-8 (invalid continuation byte). Nothing was restored."
    )
    assert table_counts() == NOTHING


def test_blank_lines_are_skipped_and_every_issue_is_restored(tmp_path):
    lines = good_lines()
    archive = tmp_path / "spaced.jsonl"
    archive.write_text("\n\n".join(sealed(lines)) + "\n\n", encoding="utf-8")

    output = run_command("import_archive", str(archive))

    assert output == f"Restored 4 briefings from {archive}.\n"
    # The count is of issues really saved: the database holds exactly the archive again.
    out = StringIO()
    call_command("export_archive", "-", stdout=out)
    assert out.getvalue().splitlines()[1:-1] == lines


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


def restore(archive) -> tuple[str, str]:
    """import_archive's (output, warnings)."""
    out, err = StringIO(), StringIO()
    call_command("import_archive", str(archive), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("kept", [5, 3, 1], ids=["trailer-cut", "issues-cut", "header-only"])
def test_a_truncated_archive_is_refused_and_nothing_is_restored(tmp_path, kept):
    make_archive_contents()
    whole = tmp_path / "whole.jsonl"
    run_command("export_archive", str(whole))
    empty_the_database()
    cut = tmp_path / "cut.jsonl"
    # Cut at a line boundary: every line left is valid JSON, only the end is missing.
    cut.write_text(
        "".join(whole.read_text(encoding="utf-8").splitlines(keepends=True)[:kept]),
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as error:
        run_command("import_archive", str(cut))

    assert str(error.value) == (
        f"{cut}, the archive is incomplete: it does not end with its trailer line (a "
        "truncated copy?). Nothing was restored."
    )
    assert table_counts() == NOTHING


def test_a_changed_line_does_not_match_the_checksum(tmp_path):
    make_archive_contents()
    archive = tmp_path / "a.jsonl"
    run_command("export_archive", str(archive))
    empty_the_database()
    lines = archive.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("改行", "改変")
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run_command("import_archive", str(archive))

    assert str(error.value) == (
        f"{archive}, line 6: the checksum does not match the lines before it (the archive "
        "was altered or damaged). Nothing was restored."
    )
    assert table_counts() == NOTHING


def test_an_archive_from_before_the_trailer_restores_with_a_warning(tmp_path):
    lines = good_lines()
    archive = tmp_path / "old.jsonl"
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")

    output, warnings = restore(archive)

    assert output == f"Restored 4 briefings from {archive}.\n"
    assert warnings == (
        "Warning: this archive has no trailer (written before archives had one): it is "
        "restored as it is, but a truncated copy cannot be told from a complete one.\n"
    )
    out = StringIO()
    call_command("export_archive", "-", stdout=out)
    assert out.getvalue().splitlines()[1:-1] == lines


@pytest.mark.parametrize(
    ("field", "value", "line", "message"),
    [
        (
            "created_at",
            "0001-01-01T00:00:00+09:00",
            3,
            "2026-05-19: created_at: '0001-01-01T00:00:00+09:00' is out of range (1900 to 9000)",
        ),
        (
            "publish_at",
            "9999-12-31T23:59:59-05:00",
            4,
            "2026-05-20: publish_at: '9999-12-31T23:59:59-05:00' is out of range (1900 to 9000)",
        ),
        ("date", "0001-01-01", 2, "0001-01-01 is out of range (1900 to 9000)"),
    ],
    ids=["year-1", "overflow", "date"],
)
def test_an_out_of_range_value_is_refused_with_its_line_and_nothing_is_restored(
    tmp_path, field, value, line, message
):
    lines = good_lines()
    lines[line - 2] = replace_in(lines[line - 2], **{field: value})
    archive = tmp_path / "far.jsonl"
    archive.write_text("\n".join(sealed(lines)) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run_command("import_archive", str(archive))

    assert str(error.value) == f"{archive}, line {line}: {message}. Nothing was restored."
    assert table_counts() == NOTHING


def test_keywords_on_no_issue_and_subscribers_with_their_consent_survive_a_round_trip(
    tmp_path,
):
    make_archive_contents()
    Keyword.objects.create(slug="orphan", name_ja="孤立", name_en="Orphan")
    confirmed = Subscriber.objects.create(
        email="reader@example.com",
        language="both",
        state=Subscriber.State.CONFIRMED,
        source=Subscriber.Source.IMPORT,
        subscribed_at=datetime.datetime(2026, 4, 1, 8, 0, tzinfo=datetime.UTC),
        confirmed_at=datetime.datetime(2026, 4, 1, 8, 5, tzinfo=datetime.UTC),
    )
    Subscriber.objects.create(
        email="gone@example.com",
        language="ja",
        state=Subscriber.State.UNSUBSCRIBED,
        unsubscribed_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC),
    )
    counts = table_counts()
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    run_command("export_archive", str(first))
    empty_the_database()
    Subscriber.objects.all().delete()

    output, warnings = restore(first)
    run_command("export_archive", str(second))

    assert (output, warnings) == (f"Restored 4 briefings from {first}.\n", "")
    assert table_counts() == counts
    assert json.loads(first.read_text().splitlines()[-1])["trailer"] | {"sha256": ""} == {
        "issues": 4,
        "keywords": 1,
        "subscribers": 2,
        "sha256": "",
    }
    orphan = Keyword.objects.get(slug="orphan")
    assert (orphan.name_ja, orphan.name_en, orphan.briefings.count()) == ("孤立", "Orphan", 0)
    reader = Subscriber.objects.get(email="reader@example.com")
    assert (reader.state, reader.source, reader.confirmed_at, reader.token) == (
        "confirmed",
        "import",
        confirmed.confirmed_at,
        confirmed.token,
    )
    assert Subscriber.objects.get(email="gone@example.com").state == "unsubscribed"
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def make_edition(date: datetime.date, state: str) -> Edition:
    return Edition.objects.create(
        briefing=Briefing.objects.get(date=date),
        state=state,
        queued_at=datetime.datetime(2026, 5, 18, 21, 0, tzinfo=datetime.UTC),
        finished_at=(
            datetime.datetime(2026, 5, 18, 21, 4, tzinfo=datetime.UTC)
            if state == Edition.State.SENT
            else None
        ),
    )


def test_a_restored_issue_whose_edition_went_out_is_not_sent_again(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_archive_contents()
    Subscriber.objects.create(
        email="reader@example.com",
        language="both",
        state=Subscriber.State.CONFIRMED,
        confirmed_at=datetime.datetime(2026, 4, 1, 8, 5, tzinfo=datetime.UTC),
    )
    # The issue of 05-18 is public and still within its day of automatic sending (the clock
    # says 05-19): restored without its edition, it would be queued to every subscriber.
    sent = make_edition(datetime.date(2026, 5, 18), Edition.State.SENT)
    archive = tmp_path / "archive.jsonl"
    run_command("export_archive", str(archive))
    empty_the_database()
    Subscriber.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        output, warnings = restore(archive)

    restored = Edition.objects.get()
    assert (restored.briefing.date, restored.state, restored.queued_at, restored.finished_at) == (
        datetime.date(2026, 5, 18),
        "sent",
        sent.queued_at,
        sent.finished_at,
    )
    assert Delivery.objects.count() == 0
    assert (output, warnings) == (f"Restored 4 briefings from {archive}.\n", "")


def test_an_edition_interrupted_by_the_backup_is_restored_failed_with_a_warning(tmp_path):
    make_archive_contents()
    make_edition(datetime.date(2026, 5, 18), Edition.State.SENDING)
    archive = tmp_path / "archive.jsonl"
    run_command("export_archive", str(archive))
    empty_the_database()

    output, warnings = restore(archive)

    restored = Edition.objects.get()
    assert (restored.state, restored.last_error, restored.finished_at) == (
        "failed",
        INTERRUPTED_BY_RESTORE,
        None,
    )
    assert warnings == (
        "Warning: 2026-05-18: the email edition was being sent when the backup was taken; it is "
        "restored as failed, not sent again (who had received it is not in the backup).\n"
    )


def test_a_damaged_edition_record_is_refused_with_its_line(tmp_path):
    make_archive_contents()
    make_edition(datetime.date(2026, 5, 18), Edition.State.SENT)
    whole = tmp_path / "whole.jsonl"
    run_command("export_archive", str(whole))
    lines = whole.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[1])
    first["edition"]["state"] = "posted"
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("\n".join(sealed([json.dumps(first), *lines[2:-1]])) + "\n")
    empty_the_database()

    with pytest.raises(CommandError) as error:
        run_command("import_archive", str(damaged))

    assert str(error.value) == (
        f"{damaged}, line 2: 2026-05-18: edition: an object with a state (queued, sending, "
        "retrying, sent, failed) is expected. Nothing was restored."
    )
    assert table_counts() == NOTHING
