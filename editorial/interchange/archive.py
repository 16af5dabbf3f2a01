"""Backups: every briefing as one line of JSON (JSON Lines), restorable losslessly.

The archive (format version 2):

- a header line, {"format": "briefing-archive", "version": 2};
- one line per briefing: the shared JSON shape (briefing.serialization) plus what a restore
  needs beyond the content: the publication time, the timestamps, the editorial state
  kept beside the briefing (see editorial_state) and, once its email edition was queued,
  {"edition": {…}} (newsletter.interchange), so that a restored issue is not sent again;
- one line per keyword attached to no issue, {"keyword": {"slug": …, "name": {…}}};
- one line per subscriber of the email edition, {"subscriber": {…}} (newsletter.interchange);
- a trailer line, {"trailer": {"issues": N, "keywords": K, "subscribers": S, "sha256": …}},
  the digest of every line before it, so a truncated or altered archive is refused.

A restore reads and checks the whole file before writing anything, then writes into an
empty database in one transaction: one bad line and nothing is restored. Archives written
before version 2 (no header, no trailer, briefings only) still restore, with a warning.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import IO

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from briefing.content import LANGUAGE_CODES, walk
from briefing.models import Briefing, Keyword
from briefing.serialization import briefing_to_dict
from editorial.interchange.importing import ImportRefused, parse_date, save_briefing_data
from editorial.models import TranslationState
from editorial.translation.status import states_for
from newsletter.interchange import (
    FINISHED_EDITION_STATES,
    EditionRecordError,
    SubscriberRecordError,
    edition_from_record,
    edition_records,
    load_subscriber_records,
    subscriber_records,
)

FORMAT = "briefing-archive"
VERSION = 2
HEADER = {"format": FORMAT, "version": VERSION}
NO_TRAILER_WARNING = (
    "this archive has no trailer (written before archives had one): it is restored as it "
    "is, but a truncated copy cannot be told from a complete one"
)
# Timestamps outside these bounds are damage, not history: near the ends of the calendar a
# time-zone shift overflows (Python) or lands before year 1 (PostgreSQL), and such a row
# breaks every later export.
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9000, 1, 1, tzinfo=datetime.UTC)


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


def briefing_to_archive_line(briefing: Briefing, edition: dict | None = None) -> dict:
    """A briefing loaded with `Briefing.objects.with_contents()`, as one archive line, with
    the record of its email edition if one was queued."""
    line = {
        **briefing_to_dict(briefing),
        "publish_at": briefing.publish_at.isoformat() if briefing.publish_at else None,
        "created_at": briefing.created_at.isoformat(),
        "updated_at": briefing.updated_at.isoformat(),
        **editorial_state(briefing),
    }
    if edition is not None:
        line["edition"] = edition
    return line


def _orphan_keywords():
    """Keywords attached to no issue: nothing else in the archive would bring them back."""
    return Keyword.objects.filter(briefings__isnull=True).order_by("slug")


class _DigestWriter:
    """Writes lines and keeps the sha256 of everything written, for the trailer."""

    def __init__(self, out: IO[str]):
        self.out, self.digest = out, hashlib.sha256()

    def line(self, data: dict) -> None:
        text = json.dumps(data, ensure_ascii=False)
        self.digest.update(text.encode("utf-8") + b"\n")
        # One write per line: a management command's stdout adds a newline to each write
        # that lacks one.
        self.out.write(text + "\n")


def write_archive(out: IO[str]) -> int:
    """Write the header, every briefing (oldest first), the keywords attached to no issue,
    the subscribers and the trailer; return how many briefings."""
    writer = _DigestWriter(out)
    counts = {"issues": 0, "keywords": 0, "subscribers": 0}
    # One snapshot for the whole export, however many queries the iteration takes (inside
    # a caller's transaction, that transaction's own isolation applies).
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        writer.line(HEADER)
        editions = edition_records(Briefing.objects.values_list("pk", flat=True))
        briefings = Briefing.objects.with_contents().order_by("date")
        for briefing in briefings.iterator(chunk_size=100):
            writer.line(briefing_to_archive_line(briefing, editions.get(briefing.pk)))
            counts["issues"] += 1
        for keyword in _orphan_keywords():
            names = {code: getattr(keyword, f"name_{code}") for code in LANGUAGE_CODES}
            writer.line({"keyword": {"slug": keyword.slug, "name": names}})
            counts["keywords"] += 1
        for record in subscriber_records():
            writer.line({"subscriber": record})
            counts["subscribers"] += 1
    writer.line({"trailer": {**counts, "sha256": writer.digest.hexdigest()}})
    return counts["issues"]


def _timestamp(data: dict, key: str) -> datetime.datetime:
    value = data.get(key)
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImportRefused(f"{key}: {value!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise ImportRefused(f"{key}: {value!r} has no UTC offset")
    try:
        in_range = EARLIEST <= moment < LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise ImportRefused(f"{key}: {value!r} is out of range ({EARLIEST:%Y} to {LATEST:%Y})")
    return moment


def _check_briefing_line(data: dict) -> None:
    """What can be checked of a briefing line before writing anything: its date and times."""
    date = parse_date(data.get("date"))
    if not EARLIEST.date() <= date < LATEST.date():
        raise ImportRefused(f"{date} is out of range ({EARLIEST:%Y} to {LATEST:%Y})")
    _timestamp(data, "created_at")
    _timestamp(data, "updated_at")
    if data.get("publish_at") is not None:
        _timestamp(data, "publish_at")
    if "edition" in data:
        try:
            edition = edition_from_record(data["edition"])
        except EditionRecordError as exc:
            raise ImportRefused(str(exc)) from None
        for name in ("queued_at", "finished_at"):
            if getattr(edition, name) is not None:
                _timestamp(data["edition"], name)
    states = data.get("translation_states") or {}
    if not isinstance(states, dict):
        raise ImportRefused("translation_states is not an object")
    for path, languages in states.items():
        for code, record in (languages or {}).items():
            if not isinstance(record, dict):
                raise ImportRefused(f"translation_states: {path}: {code}: not an object")
            _timestamp(record, "updated_at")


def _check_keyword(data) -> Keyword:
    if not isinstance(data, dict) or not isinstance(data.get("name"), dict):
        raise ImportRefused("keyword: an object with a slug and names is expected")
    keyword = Keyword(slug=data.get("slug"))
    for code in LANGUAGE_CODES:
        setattr(keyword, f"name_{code}", data["name"].get(code) or "")
    try:
        keyword.full_clean(validate_unique=False)
    except ValidationError as exc:
        problems = "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.message_dict.items())
        raise ImportRefused(f"keyword {data.get('slug')!r}: {problems}") from None
    return keyword


def _check_subscriber(data) -> None:
    if not isinstance(data, dict):
        raise ImportRefused("subscriber: an object is expected")
    for name in ("subscribed_at", "confirmed_at", "unsubscribed_at", "bounced_at"):
        if data.get(name) is not None:
            _timestamp(data, name)


def _read(lines: Iterable[bytes], warn: Callable[[str], None]) -> dict:
    """Parse and check the whole archive, writing nothing; return what to restore, each
    item with its line number."""
    parsed = []  # (line number, object, the line's bytes)
    for line_number, raw in enumerate(lines, start=1):
        raw = raw.rstrip(b"\r\n")
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
        parsed.append((line_number, data, raw))

    contents = {"briefings": [], "keywords": [], "subscribers": []}
    if parsed and "format" in parsed[0][1]:
        line_number, header, _raw = parsed[0]
        if header != HEADER:
            raise ArchiveError(
                f"not an archive this version can read (header {json.dumps(header)})", line_number
            )
        last_number, last, _raw = parsed[-1]
        if "trailer" not in last:
            raise ArchiveError(
                "the archive is incomplete: it does not end with its trailer line (a truncated copy?)"
            )
        digest = hashlib.sha256(b"".join(raw + b"\n" for _n, _d, raw in parsed[:-1]))
        body = parsed[1:-1]
    else:
        warn(NO_TRAILER_WARNING)
        last = None
        body = parsed

    first_line_of_date = {}
    for line_number, data, _raw in body:
        try:
            if "trailer" in data:
                raise ArchiveError("a trailer line before the end of the archive", line_number)
            if "format" in data:
                raise ArchiveError("a header line after the start of the archive", line_number)
            if "keyword" in data:
                contents["keywords"].append((line_number, _check_keyword(data["keyword"])))
                continue
            if "subscriber" in data:
                _check_subscriber(data["subscriber"])
                contents["subscribers"].append((line_number, data["subscriber"]))
                continue
            date = data.get("date")
            if date in first_line_of_date:
                raise ArchiveError(
                    f"{date} appears twice (first on line {first_line_of_date[date]})",
                    line_number,
                )
            first_line_of_date[date] = line_number
            _check_briefing_line(data)
        except ImportRefused as exc:
            message = str(exc)
            date = data.get("date")
            if date and not message.startswith(str(date)):
                message = f"{date}: {message}"
            raise ArchiveError(message, line_number) from None
        contents["briefings"].append((line_number, data))

    if last is not None:
        trailer = last["trailer"]
        found = {
            name: len(contents[key])
            for name, key in (
                ("issues", "briefings"),
                ("keywords", "keywords"),
                ("subscribers", "subscribers"),
            )
        }
        expected = {
            name: trailer.get(name) if isinstance(trailer, dict) else None for name in found
        }
        if expected != found:
            raise ArchiveError(
                f"the trailer announces {expected['issues']} issues, {expected['keywords']} "
                f"keywords and {expected['subscribers']} subscribers; the archive holds "
                f"{found['issues']}, {found['keywords']} and {found['subscribers']}",
                last_number,
            )
        if trailer.get("sha256") != digest.hexdigest():
            raise ArchiveError(
                "the checksum does not match the lines before it (the archive was altered "
                "or damaged)",
                last_number,
            )
    return contents


def restore_archive(lines: Iterable[bytes], warn: Callable[[str], None] = lambda _m: None) -> int:
    """Restore an archive into an empty database; return how many briefings.

    The whole file is read and checked first; then everything is written in one transaction.
    `warn` receives what the operator should know about an archive that is restored anyway.
    """
    contents = _read(lines, warn)
    with transaction.atomic():
        if Briefing.objects.exists():
            raise ArchiveError(
                "the database already has briefings; an archive is restored into an empty database"
            )
        for line_number, data in contents["briefings"]:
            _restore_briefing(data, line_number, warn)
        for line_number, keyword in contents["keywords"]:
            if Keyword.objects.filter(slug=keyword.slug).exists():
                raise ArchiveError(f"keyword {keyword.slug!r} is already in use", line_number)
            keyword.save()
        try:
            load_subscriber_records(record for _n, record in contents["subscribers"])
        except SubscriberRecordError as exc:
            # Its message numbers the records; name the archive line too.
            number = int(str(exc).split()[2].rstrip(":"))
            raise ArchiveError(str(exc), contents["subscribers"][number - 1][0]) from None
    return len(contents["briefings"])


def _restore_briefing(data: dict, line_number: int, warn: Callable[[str], None]) -> None:
    date = data.get("date")
    try:
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
    Briefing.objects.filter(pk=briefing.pk).update(
        created_at=_timestamp(data, "created_at"), updated_at=_timestamp(data, "updated_at")
    )
    if "edition" in data:
        # Saved before the transaction commits, so the newsletter's on-publish hook finds
        # the issue already sent.
        edition = edition_from_record(data["edition"])
        edition.briefing = briefing
        edition.save()
        if data["edition"]["state"] not in FINISHED_EDITION_STATES:
            warn(
                f"{date}: the email edition was being sent when the backup was taken; it is "
                "restored as failed, not sent again (who had received it is not in the backup)"
            )
