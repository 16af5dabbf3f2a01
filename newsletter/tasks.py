"""Celery tasks: sending an edition (with backoff), the beat's check, and notices."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import sending
from .models import Edition, Subscriber
from .rendering import notice_message

logger = logging.getLogger(__name__)

# Temporary failures are retried after 1, 2, 4 … 64 minutes (NEWSLETTER_RETRY_SECONDS doubled
# each time; about two hours in all).
MAX_RETRIES = 7


@shared_task(bind=True, max_retries=MAX_RETRIES)
def send_edition(self, edition_id: int):
    edition = Edition.objects.select_related("briefing").get(pk=edition_id)
    outcome = sending.send_edition(edition)
    if outcome.busy or outcome.not_public or not outcome.remaining:
        return
    if self.request.is_eager:
        # No broker, so no worker to retry later (`make run`): `send_edition` resumes by hand.
        logger.warning("edition %s: %s messages not sent yet", edition, outcome.remaining)
        return
    edition.refresh_from_db(fields=["state"])
    if edition.state == Edition.State.FAILED or self.request.retries >= self.max_retries:
        Edition.objects.filter(pk=edition_id).update(state=Edition.State.FAILED)
        logger.error("edition %s: giving up after %s attempts", edition, self.request.retries + 1)
        return
    countdown = settings.NEWSLETTER_RETRY_SECONDS * 2**self.request.retries
    # Held until the retry, so the beat's check does not retry sooner.
    Edition.objects.filter(pk=edition_id, state=Edition.State.RETRYING).update(
        lease_until=timezone.now() + datetime.timedelta(seconds=countdown)
    )
    raise self.retry(countdown=countdown + 1)


@shared_task
def send_due_editions():
    """Each minute (beat): queue the issues that became public, resume interrupted sends."""
    for briefing in sending.due_briefings():
        if sending.sends_by_itself(briefing):
            sending.queue_edition(briefing)
    for edition_id in sending.resumable_editions().values_list("pk", flat=True):
        send_edition.delay(edition_id)


@shared_task
def send_notice(subscriber_id: int, kind: str):
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is not None:
        notice_message(subscriber, kind).send()
