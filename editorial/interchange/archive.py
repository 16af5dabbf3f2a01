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

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from briefing.content import LANGUAGE_CODES, walk
from briefing.models import Briefing
from briefing.serialization import briefing_to_dict
from editorial.interchange.importing import ImportRefused, save_briefing_data
from editorial.models import TranslationState
from editorial.translation.status import states_for


class ArchiveError(Exception):
    """A restore was refused; `line_number` is the archive line at fault (None: the whole)."""

    def __init__(self, message: str, line_number: int | None = None):
        super().__init__(message)
        self.line_number = line_number

    def __str__(self):
        message = super().__str__()
        return f"line {self.line_number}: {message}" if self.line_number else message


def _translated_fields(briefing: Briefing) -> dict:
    """{path: (object, field)} for every translated field, paths as the translator tools name them."""
    return {
        node.field_path(field): (node.item, field)
        for node in walk(briefing)
        for field in node.part.translated
    }


def editorial_state(briefing: Briefing) -> dict:
    """Editorial records kept beside a briefing, as extra JSON keys of its archive line.

    The one place to add such state to the archive; restore_editorial_state reads it back.
    Translation status: what each language was written against (the records of
    editorial.models.TranslationState), so "outdated" survives a restore.
    """
    fields = _translated_fields(briefing)
    states = states_for([obj for obj, _field in fields.values()])
    translation_states = {}
    for path, (obj, field) in fields.items():
        for code in LANGUAGE_CODES:
            state = states.get((type(obj), obj.pk, field, code))
            if state is not None:
                translation_states.setdefault(path, {})[code] = {
                    "text_hash": state.text_hash,
                    "source_hash": state.source_hash,
                    "source_text": state.source_text,
                    "updated_at": state.updated_at.isoformat(),
                }
    return {"translation_states": translation_states}


def restore_editorial_state(briefing: Briefing, data: dict) -> None:
    """Recreate what editorial_state exported, for a briefing just restored from `data`."""
    archived = data.get("translation_states")
    if archived is None:
        return  # an archive without them: the records the save just made stay
    fields = _translated_fields(Briefing.objects.with_contents().get(pk=briefing.pk))
    records, updated = [], []
    for path, languages in archived.items():
        if path not in fields:
            raise ImportRefused(f"translation_states: no field {path} in this briefing")
        obj, field = fields[path]
        for code, record in languages.items():
            if code not in LANGUAGE_CODES:
                raise ImportRefused(f"translation_states: {path}: unknown language {code!r}")
            records.append(
                TranslationState(
                    content_type=ContentType.objects.get_for_model(obj),
                    object_id=obj.pk,
                    field=field,
                    language=code,
                    text_hash=record["text_hash"],
                    source_hash=record["source_hash"],
                    source_text=record["source_text"],
                )
            )
            updated.append(_timestamp(record, "updated_at"))
    # The save just made records from the restored texts; the archived ones replace them.
    objects = [obj for obj, _field in fields.values()]
    for model in {type(obj) for obj in objects}:
        TranslationState.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[obj.pk for obj in objects if type(obj) is model],
        ).delete()
    created = TranslationState.objects.bulk_create(records)
    for record, updated_at in zip(created, updated, strict=True):
        record.updated_at = updated_at
    # bulk_update, unlike save(), leaves auto_now alone.
    TranslationState.objects.bulk_update(created, ["updated_at"])


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
            # One revision for both: the derived data (completeness) is computed when
            # it ends, from the restored translation state.
            with reversion.create_revision():
                briefing = save_briefing_data(data, actor="manage.py import_archive")
                restore_editorial_state(briefing, data)
        except KeyError as exc:
            raise ArchiveError(f"{date}: {exc} is missing", line_number) from None
        except (ImportRefused, TypeError, ValueError) as exc:
            message = str(exc)
            if not message.startswith(str(date)):
                message = f"{date}: {message}"
            raise ArchiveError(message, line_number) from None
        # Saving set both to now; the archive's own times are the true ones.
        Briefing.objects.filter(pk=briefing.pk).update(created_at=created_at, updated_at=updated_at)
    return len(first_line_of_date)
