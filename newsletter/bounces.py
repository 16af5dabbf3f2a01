"""Bounces that arrive after the send: a DSN mailed to the return path, or a provider webhook.

Only permanent failures mark an address (RFC 3464 Action "failed" with a 5.x.x status); a
delayed or temporary report is left alone, as the next edition will try again.
"""

import email
import email.policy
import hmac
import json

from .models import Subscriber
from .sending import mark_bounced
from .subscriptions import normalise_email


class BounceError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _mark(address: str, reason: str) -> bool:
    subscriber = Subscriber.objects.filter(email=normalise_email(address)).first()
    if subscriber is None:
        return False
    mark_bounced(subscriber.pk, reason)
    return True


def permanent_failures(raw: bytes) -> list[tuple[str, str]]:
    """(address, status) of each permanently failed recipient in a DSN."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    failures = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        # The first block is about the message, each following one about a recipient.
        for block in part.get_payload()[1:]:
            action = (block.get("Action") or "").strip().lower()
            status = (block.get("Status") or "").strip()
            recipient = block.get("Final-Recipient") or block.get("Original-Recipient") or ""
            address = recipient.split(";", 1)[-1].strip()
            if action == "failed" and status.startswith("5") and "@" in address:
                failures.append((address, status))
    return failures


def handle_dsn(raw: bytes) -> int:
    """Marks the permanently failed addresses of a DSN; returns how many were subscribers."""
    return sum(_mark(address, f"DSN {status}") for address, status in permanent_failures(raw))


def handle_webhook(secret: str, body: bytes) -> bool:
    from django.conf import settings

    if not hmac.compare_digest(secret.encode(), settings.NEWSLETTER_WEBHOOK_SECRET.encode()):
        raise BounceError("wrong or missing X-Newsletter-Secret", status=403)
    try:
        data = json.loads(body)
        address = data["email"]
        permanent = data.get("permanent", True)
        reason = str(data.get("reason", "webhook"))
    except (ValueError, KeyError, TypeError):
        raise BounceError('expected JSON {"email": ..., "permanent": true|false}') from None
    if not isinstance(address, str) or not isinstance(permanent, bool):
        raise BounceError('expected JSON {"email": ..., "permanent": true|false}')
    return permanent and _mark(address, f"webhook: {reason}")
