"""What a reader does with their subscription; the views only call these.

Nothing here tells the requester whether an address was known: subscribing answers the same
way in every case, and the address's owner learns the rest by email.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import Subscriber


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _within_rate(kind: str, key: str, limit: int) -> bool:
    """Counts one request for `key`; False once `limit` requests were made in the window."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{key}".encode()).hexdigest()[:32]
    cache_key = f"newsletter:rate:{kind}:{digest}"
    window = settings.NEWSLETTER_RATE_WINDOW_SECONDS
    if cache.add(cache_key, 1, window):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, window)
        return True
    return count <= limit


def client_within_rate(client: str) -> bool:
    return _within_rate("client", client, settings.NEWSLETTER_RATE_PER_CLIENT)


def request_subscription(email: str, language: str) -> None:
    """Subscribe `email`, or remind its owner; at most a few emails per address and hour."""
    from .tasks import send_notice

    email = normalise_email(email)
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"language": language}
        )
        if subscriber.state == Subscriber.State.CONFIRMED:
            kind = "known"
        else:
            # New, unconfirmed, unsubscribed or bounced: a fresh consent is needed.
            kind = "confirm"
            subscriber.language = language
            subscriber.state = Subscriber.State.PENDING
            subscriber.subscribed_at = timezone.now()
            subscriber.save(update_fields=["language", "state", "subscribed_at"])
    if _within_rate("address", email, settings.NEWSLETTER_RATE_PER_ADDRESS):
        transaction.on_commit(lambda: send_notice.delay(subscriber.pk, kind))


def confirm(subscriber: Subscriber) -> None:
    if subscriber.state != Subscriber.State.CONFIRMED:
        subscriber.state = Subscriber.State.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.source = Subscriber.Source.FORM
        subscriber.save(update_fields=["state", "confirmed_at", "source"])


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber.state != Subscriber.State.UNSUBSCRIBED:
        subscriber.state = Subscriber.State.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["state", "unsubscribed_at"])


def resubscribe(subscriber: Subscriber) -> None:
    """From a link sent to the address: its owner is the one asking, so no new confirmation."""
    subscriber.state = Subscriber.State.CONFIRMED
    subscriber.confirmed_at = timezone.now()
    subscriber.unsubscribed_at = None
    subscriber.bounced_at = None
    subscriber.bounce_reason = ""
    subscriber.save(
        update_fields=["state", "confirmed_at", "unsubscribed_at", "bounced_at", "bounce_reason"]
    )


def change_language(subscriber: Subscriber, language: str) -> None:
    subscriber.language = language
    subscriber.save(update_fields=["language"])


def personal_data(subscriber: Subscriber) -> dict:
    """Everything kept about the subscriber, for "download my data"."""

    def stamp(value):
        return timezone.localtime(value).isoformat() if value else None

    return {
        "email": subscriber.email,
        "language": subscriber.language,
        "state": subscriber.state,
        "source": subscriber.source,
        "subscribed_at": stamp(subscriber.subscribed_at),
        "confirmed_at": stamp(subscriber.confirmed_at),
        "unsubscribed_at": stamp(subscriber.unsubscribed_at),
        "bounced_at": stamp(subscriber.bounced_at),
        "bounce_reason": subscriber.bounce_reason,
        "editions_sent": [
            {
                "issue": delivery.edition.briefing.date.isoformat(),
                "sent_at": stamp(delivery.sent_at),
            }
            for delivery in subscriber.deliveries.select_related("edition__briefing").order_by("pk")
            if delivery.sent_at
        ],
    }
