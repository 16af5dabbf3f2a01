"""Subscribers with their consent, and whether each issue's edition went out, as plain
records: for backups (export_archive writes them beside the briefings) and their restore.

A subscriber record keeps everything needed to carry on after a restore: the consent (source
and confirmation time), the state (an unsubscribed or bounced address must stay so) and the
token, so the links in emails already sent keep working.

An edition record keeps whether an issue's email was sent, so that a restored issue is not
sent to everyone again. Deliveries (who got which message) are not kept: an edition that was
still being sent when the backup was taken is restored as failed, to be looked at by hand.
"""

import datetime
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .models import Edition, Subscriber

FIELDS = ["email", "language", "state", "source", "token", "bounce_reason"]
TIMES = ["subscribed_at", "confirmed_at", "unsubscribed_at", "bounced_at"]


class SubscriberRecordError(ValueError):
    """A record cannot be loaded; the message names it and says why."""


def _times_to_record(obj, names: list[str]) -> dict:
    times = {name: getattr(obj, name) for name in names}
    return {name: moment.isoformat() if moment else None for name, moment in times.items()}


def _times_from_record(record: dict, names: list[str], error) -> dict:
    """{name: datetime or None} read from `record`; `error(name, value)` is raised for a value
    that is not ISO 8601."""
    times = {}
    for name in names:
        value = record.get(name)
        try:
            times[name] = datetime.datetime.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            raise error(name, value) from None
    return times


def subscriber_records() -> Iterator[dict]:
    """Every subscriber as a JSON-ready dict, oldest first."""
    for subscriber in Subscriber.objects.order_by("pk").iterator(chunk_size=1000):
        yield {name: getattr(subscriber, name) for name in FIELDS} | _times_to_record(
            subscriber, TIMES
        )


def _subscriber(record: dict, number: int) -> Subscriber:
    def refuse(reason):
        return SubscriberRecordError(f"subscriber record {number}: {reason}")

    if not isinstance(record, dict):
        raise refuse("not an object")
    values = {}
    for name in FIELDS:
        value = record.get(name, "" if name == "bounce_reason" else None)
        if not isinstance(value, str):
            raise refuse(f"{name} is missing or not text")
        values[name] = value
    try:
        validate_email(values["email"])
    except ValidationError:
        raise refuse(f"{values['email']!r} is not an email address") from None
    for name, choices in (
        ("language", Subscriber.Language.values),
        ("state", Subscriber.State.values),
        ("source", Subscriber.Source.values),
    ):
        if values[name] not in choices:
            raise refuse(f"{name} must be one of {', '.join(choices)}, not {values[name]!r}")
    if not values["token"]:
        raise refuse("token is empty")
    values |= _times_from_record(
        record,
        TIMES,
        lambda name, value: refuse(f"{name} is not an ISO 8601 date and time: {value!r}"),
    )
    if values["subscribed_at"] is None:
        raise refuse("subscribed_at is missing")
    if values["state"] == Subscriber.State.CONFIRMED and values["confirmed_at"] is None:
        raise refuse("a confirmed subscriber needs confirmed_at (the consent)")
    return Subscriber(**values)


@transaction.atomic
def load_subscriber_records(records: Iterable[dict]) -> int:
    """Create the subscribers of `records`; an address already present is left as it is.
    One bad record and nothing is loaded. Returns how many were created."""
    subscribers = {}
    for number, record in enumerate(records, start=1):
        subscriber = _subscriber(record, number)
        subscribers.setdefault(subscriber.email, subscriber)
    known = set(Subscriber.objects.filter(email__in=subscribers).values_list("email", flat=True))
    new = [subscriber for email, subscriber in subscribers.items() if email not in known]
    Subscriber.objects.bulk_create(new, batch_size=1000)
    return len(new)


class EditionRecordError(ValueError):
    """An edition record cannot be restored; the message says why."""


EDITION_TIMES = ["queued_at", "finished_at"]
FINISHED_EDITION_STATES = [Edition.State.SENT, Edition.State.FAILED]
INTERRUPTED_BY_RESTORE = (
    "interrupted: it was being sent when the backup was taken, and the backup does not say "
    "who had received it"
)


def edition_records(briefing_ids: Iterable[int]) -> dict[int, dict]:
    """{briefing id: record} for the issues of `briefing_ids` whose edition was queued."""
    records = {}
    for edition in Edition.objects.filter(briefing_id__in=list(briefing_ids)):
        records[edition.briefing_id] = {
            "state": edition.state,
            "last_error": edition.last_error,
        } | _times_to_record(edition, EDITION_TIMES)
    return records


def edition_from_record(record) -> Edition:
    """An unsaved Edition (no briefing yet) from `record`; EditionRecordError if it is damaged.

    One that was still being sent comes back failed: its recipients are not in the record, and
    resuming it would send nothing or, queued again, send to everyone twice.
    """
    if not isinstance(record, dict) or record.get("state") not in Edition.State.values:
        raise EditionRecordError(
            f"edition: an object with a state ({', '.join(Edition.State.values)}) is expected"
        )
    values = {"state": record["state"], "last_error": str(record.get("last_error") or "")[:500]}
    values |= _times_from_record(
        record,
        EDITION_TIMES,
        lambda name, _value: EditionRecordError(
            f"edition: {name} is not an ISO 8601 date and time"
        ),
    )
    if values["queued_at"] is None:
        raise EditionRecordError("edition: queued_at is missing")
    if values["state"] not in FINISHED_EDITION_STATES:
        values["state"], values["last_error"] = Edition.State.FAILED, INTERRUPTED_BY_RESTORE
    return Edition(**values)
