"""Sending an edition: once per issue and subscriber, resumable after any crash.

The recipients are fixed when the edition is queued (one pending delivery per confirmed
subscriber). Each message is recorded before it goes (`sending`) and after (`sent`), one at a
time, so a sender killed mid-send leaves at most one delivery in `sending`: the next sender
sends it again (SMTP cannot tell whether it arrived) and goes on with the pending ones.

One sender works on an edition at a time: it holds a lease on the edition row, renewed as it
goes. A killed sender's lease runs out and the next one (the beat task, each minute, or
`send_edition`) takes over.
"""

import contextlib
import datetime
import logging
import smtplib
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from briefing.models import Briefing

from .mail import SMTPBackend
from .models import Delivery, Edition, Subscriber
from .rendering import edition_message, personalise, prepare_message, render_editions

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# How long an issue sends itself after its own date: published later (a backfill, an archive
# import), it is sent only on purpose (`send_edition`).
AUTOMATIC_SENDING_DAYS = 1


def sends_by_itself(briefing: Briefing, now: datetime.datetime | None = None) -> bool:
    """Public now, and not more than a day after its own date (whatever its publish_at)."""
    now = now or timezone.now()
    return briefing.is_published and timezone.localdate(now) <= briefing.date + datetime.timedelta(
        days=AUTOMATIC_SENDING_DAYS
    )


@transaction.atomic
def queue_edition(briefing: Briefing) -> tuple[Edition, bool]:
    """The issue's edition, created with one pending delivery per confirmed subscriber.

    An existing edition is returned as it is: its recipients were fixed when it was queued.
    """
    edition, created = Edition.objects.get_or_create(briefing=briefing)
    if created:
        subscribers = Subscriber.objects.filter(state=Subscriber.State.CONFIRMED).values_list(
            "pk", flat=True
        )
        batch = []
        for subscriber_id in subscribers.iterator(chunk_size=BATCH_SIZE):
            batch.append(Delivery(edition=edition, subscriber_id=subscriber_id))
            if len(batch) == BATCH_SIZE:
                Delivery.objects.bulk_create(batch)
                batch = []
        Delivery.objects.bulk_create(batch)
    return edition, created


def due_briefings(now: datetime.datetime | None = None):
    """Public issues that send themselves and have no edition yet."""
    now = now or timezone.now()
    earliest = timezone.localdate(now) - datetime.timedelta(days=AUTOMATIC_SENDING_DAYS)
    return Briefing.objects.published().filter(date__gte=earliest, edition__isnull=True)


def resumable_editions(now: datetime.datetime | None = None):
    """Unfinished editions nobody is working on, whose next attempt is due."""
    now = now or timezone.now()
    return Edition.objects.filter(
        state__in=[Edition.State.QUEUED, Edition.State.SENDING, Edition.State.RETRYING]
    ).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))


# --- SMTP errors -----------------------------------------------------------------------------


class PermanentFailure(Exception):
    """The server refused this address for good (5xx)."""


class TemporaryFailure(Exception):
    """Try again later (4xx, a dropped connection, the server unreachable)."""


class SenderRefused(Exception):
    """The server refused our envelope sender for good: no message can go until it is fixed."""


def classify(error: Exception, address: str) -> Exception:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()), (450, b""))
        text = f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
        return PermanentFailure(text) if 500 <= code < 600 else TemporaryFailure(text)
    if isinstance(error, smtplib.SMTPSenderRefused):
        text = f"{error.smtp_code} {error.smtp_error!r}"
        return SenderRefused(text) if 500 <= error.smtp_code < 600 else TemporaryFailure(text)
    if isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {error.smtp_error!r}"
        return PermanentFailure(text) if 500 <= error.smtp_code < 600 else TemporaryFailure(text)
    return TemporaryFailure(f"{type(error).__name__}: {error}")


def mark_bounced(subscriber_id: int, reason: str) -> None:
    Subscriber.objects.filter(pk=subscriber_id).update(
        state=Subscriber.State.BOUNCED, bounced_at=timezone.now(), bounce_reason=reason[:500]
    )


# --- The sender -------------------------------------------------------------------------------


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    remaining: int = 0
    busy: bool = False
    not_public: bool = False
    errors: list[str] = field(default_factory=list)


class Lease:
    def __init__(self, edition_id: int):
        self.edition_id = edition_id
        self.owner = uuid.uuid4().hex
        self.renew_after = None

    def _until(self, now):
        return now + datetime.timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)

    def take(self) -> bool:
        now = timezone.now()
        taken = Edition.objects.filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=self.edition_id
        ).update(lease_owner=self.owner, lease_until=self._until(now))
        self.renew_after = now + datetime.timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS / 3)
        return bool(taken)

    def keep(self) -> bool:
        """Renew the lease when a third of it has passed; False if another sender has it."""
        now = timezone.now()
        if now < self.renew_after:
            return True
        self.renew_after = now + datetime.timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS / 3)
        return bool(
            Edition.objects.filter(pk=self.edition_id, lease_owner=self.owner).update(
                lease_until=self._until(now)
            )
        )

    def release(self, **fields) -> None:
        Edition.objects.filter(pk=self.edition_id, lease_owner=self.owner).update(
            lease_owner="", lease_until=None, **fields
        )


@contextlib.contextmanager
def _records_without_waiting_for_the_disk():
    """On PostgreSQL, delivery records are committed without waiting for the WAL to reach the
    disk (synchronous_commit off, this connection only). A killed worker loses nothing by it:
    the server has the commit. Only a crash of PostgreSQL itself could forget the last fraction
    of a second of records, whose messages would then go once more. In exchange, a record costs
    a round trip instead of a disk flush."""
    if db_connection.vendor != "postgresql" or db_connection.in_atomic_block:
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _record(delivery_id: int, **fields) -> None:
    Delivery.objects.filter(pk=delivery_id).update(**fields)


# The one statement run for every message, written out: the ORM's Case/When compiles in about
# as long as the database takes to run it.
RECORD_SENT_AND_SENDING = """
    UPDATE {table} SET
        state = CASE WHEN id = %(sent)s THEN %(state_sent)s ELSE %(state_sending)s END,
        sent_at = CASE WHEN id = %(sent)s THEN %(now)s ELSE sent_at END,
        error = CASE WHEN id = %(sent)s THEN '' ELSE error END,
        attempts = CASE WHEN id = %(sent)s THEN attempts ELSE attempts + 1 END
    WHERE id IN (%(sent)s, %(sending)s)
"""


def _record_sent_and_sending(sent_id: int, sending_id: int) -> None:
    """After one message and before the next, in one statement (one commit per message): at
    no moment are two deliveries `sending`, and no sent message is left unrecorded."""
    with db_connection.cursor() as cursor:
        cursor.execute(
            RECORD_SENT_AND_SENDING.format(table=Delivery._meta.db_table),
            {
                "sent": sent_id,
                "sending": sending_id,
                "now": timezone.now(),
                "state_sent": Delivery.State.SENT.value,
                "state_sending": Delivery.State.SENDING.value,
            },
        )


def send_edition(edition: Edition, *, log=None) -> Outcome:
    """Send what is left of the edition; returns what happened. Safe to call at any time."""
    outcome = Outcome()
    lease = Lease(edition.pk)
    if not lease.take():
        outcome.busy = True
        return outcome
    briefing = edition.briefing
    if not Briefing.objects.published().filter(pk=briefing.pk).exists():
        # Unpublished since it was queued: it waits, and goes when it is public again.
        lease.release()
        outcome.not_public = True
        return outcome
    Edition.objects.filter(pk=edition.pk).update(state=Edition.State.SENDING)
    rendered = render_editions(briefing)
    connection = get_connection(fail_silently=False)
    stop = None
    try:
        with _records_without_waiting_for_the_disk():
            stop = _send_deliveries(edition, rendered, connection, lease, outcome, log)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a broken connection is already accounted for
            pass
    outcome.remaining = Delivery.objects.filter(
        edition=edition, state__in=Delivery.UNFINISHED
    ).count()
    if outcome.remaining == 0:
        lease.release(state=Edition.State.SENT, finished_at=timezone.now(), last_error="")
    elif isinstance(stop, SenderRefused):
        lease.release(state=Edition.State.FAILED, last_error=str(stop)[:500])
    else:
        lease.release(state=Edition.State.RETRYING, last_error=(outcome.errors or [""])[-1][:500])
    return outcome


def _send_deliveries(edition, rendered, connection, lease, outcome, log):
    # Over SMTP, each language's message is built once and copied for each subscriber.
    prepared = {}
    if isinstance(connection, SMTPBackend):
        prepared = {code: prepare_message(edition) for code, edition in rendered.items()}
    sender = settings.NEWSLETTER_RETURN_PATH or settings.DEFAULT_FROM_EMAIL
    # The last message handed to the server whose "after" record is still to be written: it is
    # written together with the next message's "before" record.
    unrecorded = None
    try:
        last_pk = 0
        while True:
            batch = list(
                Delivery.objects.filter(
                    edition=edition, state__in=Delivery.UNFINISHED, pk__gt=last_pk
                )
                .order_by("pk")
                .values_list(
                    "pk",
                    "subscriber_id",
                    "subscriber__email",
                    "subscriber__token",
                    "subscriber__language",
                    "subscriber__state",
                )[:BATCH_SIZE]
            )
            if not batch:
                return None
            for delivery_id, subscriber_id, email, token, language, state in batch:
                last_pk = delivery_id
                if not lease.keep():
                    raise RuntimeError("another sender took over this edition")
                if state != Subscriber.State.CONFIRMED:
                    _record(delivery_id, state=Delivery.State.SKIPPED)
                    outcome.skipped += 1
                    continue
                # Before: if the process dies now, this one delivery is sent again on resume.
                if unrecorded is not None:
                    _record_sent_and_sending(unrecorded, delivery_id)
                    unrecorded = None
                else:
                    _record(delivery_id, state=Delivery.State.SENDING, attempts=F("attempts") + 1)
                try:
                    # One connection for the whole send, opened for the first message.
                    connection.open()
                    message = prepared.get(language) and personalise(
                        prepared[language], email, token
                    )
                    if message is not None:
                        connection.send_prepared(sender, email, message)
                    else:
                        connection.send_messages(
                            [edition_message(rendered[language], email, token)]
                        )
                except (smtplib.SMTPException, OSError) as error:
                    failure = classify(error, email)
                    outcome.errors.append(f"{email}: {failure}")
                    if isinstance(failure, PermanentFailure):
                        _record(delivery_id, state=Delivery.State.FAILED, error=str(failure)[:500])
                        mark_bounced(subscriber_id, str(failure))
                        outcome.failed += 1
                        continue
                    _record(delivery_id, state=Delivery.State.RETRYING, error=str(failure)[:500])
                    if isinstance(error, smtplib.SMTPRecipientsRefused):
                        continue  # this address only (greylisting, a full mailbox): the rest go on
                    logger.warning("edition %s: stopped, will retry: %s", edition, failure)
                    return failure
                unrecorded = delivery_id
                outcome.sent += 1
                if log:
                    log(email)
    finally:
        # After (the last one).
        if unrecorded is not None:
            _record(unrecorded, state=Delivery.State.SENT, sent_at=timezone.now(), error="")


def delivery_counts(edition: Edition) -> dict[str, int]:
    counts = dict.fromkeys(Delivery.State.values, 0)
    for row in edition.deliveries.values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    return counts
