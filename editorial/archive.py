"""Backups: every briefing as one line of JSON (JSON Lines), restorable losslessly.

Each line is the shared JSON shape (briefing.serialization) plus what a restore needs
beyond the content: the publication time, the timestamps, and the editorial state kept
beside the briefing (see editorial_state). A restore goes into an empty database, in one
transaction: one bad line and nothing is restored.
"""

import datetime
import json
from collections.abc import Iterable
from typing import IO

from django.db import connection, transaction

from briefing.models import Briefing
from briefing.serialization import briefing_to_dict
from editorial.importing import ImportRefused, save_briefing_data


class ArchiveError(Exception):
    """A restore was refused; `line_number` is the archive line at fault (None: the whole)."""

    def __init__(self, message: str, line_number: int | None = None):
        super().__init__(message)
        self.line_number = line_number

    def __str__(self):
        message = super().__str__()
        return f"line {self.line_number}: {message}" if self.line_number else message


def editorial_state(briefing: Briefing) -> dict:
    """Editorial records kept beside a briefing (translation status…), as extra JSON keys.

    The one place to add such state to the archive; restore_editorial_state reads it back.
    """
    return {}


def restore_editorial_state(briefing: Briefing, data: dict) -> None:
    """Recreate what editorial_state exported, for a briefing just restored from `data`."""


def briefing_to_archive_line(briefing: Briefing) -> dict:
    """A briefing loaded with `Briefing.objects.with_contents()`, as one archive line."""
    return {
        **briefing_to_dict(briefing),
        "publish_at": briefing.publish_at.isoformat() if briefing.publish_at else None,
        "created_at": briefing.created_at.isoformat(),
        "updated_at": briefing.updated_at.isoformat(),
        **editorial_state(briefing),
    }


def write_archive(out: IO[str]) -> int:
    """Write every briefing, oldest first; return how many."""
    count = 0
    # One snapshot for the whole export, however many queries the iteration takes (inside
    # a caller's transaction, that transaction's own isolation applies).
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        briefings = Briefing.objects.with_contents().order_by("date")
        for briefing in briefings.iterator(chunk_size=100):
            # One write per line: a management command's stdout adds a newline to each write
            # that lacks one.
            out.write(json.dumps(briefing_to_archive_line(briefing), ensure_ascii=False) + "\n")
            count += 1
    return count


def _timestamp(data: dict, key: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(data[key])
    except (KeyError, TypeError, ValueError):
        raise ImportRefused(f"{key}: {data.get(key)!r} is not an ISO 8601 date and time") from None


@transaction.atomic
def restore_archive(lines: Iterable[bytes]) -> int:
    """Restore the briefings of an archive into an empty database; return how many."""
    if Briefing.objects.exists():
        raise ArchiveError(
            "the database already has briefings; an archive is restored into an empty database"
        )
    first_line_of_date = {}
    for line_number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArchiveError(f"not UTF-8 ({exc.reason})", line_number) from None
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ArchiveError(f"not valid JSON ({exc})", line_number) from None
        if not isinstance(data, dict):
            raise ArchiveError("not a briefing (a JSON object is expected)", line_number)
        date = data.get("date")
        if date in first_line_of_date:
            raise ArchiveError(
                f"{date} appears twice (first on line {first_line_of_date[date]})", line_number
            )
        first_line_of_date[date] = line_number
        try:
            created_at = _timestamp(data, "created_at")
            updated_at = _timestamp(data, "updated_at")
            if data.get("publish_at") is not None:
                _timestamp(data, "publish_at")
            briefing = save_briefing_data(data)
            restore_editorial_state(briefing, data)
        except (ImportRefused, TypeError, ValueError) as exc:
            message = str(exc)
            if not message.startswith(str(date)):
                message = f"{date}: {message}"
            raise ArchiveError(message, line_number) from None
        # Saving set both to now; the archive's own times are the true ones.
        Briefing.objects.filter(pk=briefing.pk).update(created_at=created_at, updated_at=updated_at)
    return len(first_line_of_date)
