"""Django's SMTP backend, with a DKIM signature on every message when a key is configured."""

import functools
from pathlib import Path

import dkim
from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address

# Signed headers: everything a reader sees or acts on, including the unsubscribe headers
# (RFC 8058 asks for List-Unsubscribe and List-Unsubscribe-Post to be covered).
SIGNED_HEADERS = [
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"MIME-Version",
    b"Content-Type",
    b"List-Id",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
]


@functools.cache
def _private_key(path: str) -> bytes:
    return Path(path).read_bytes()


def dkim_sign(message: bytes) -> bytes:
    """The message with a DKIM-Signature header first, or unchanged when DKIM is not set up."""
    if not (settings.DKIM_DOMAIN and settings.DKIM_SELECTOR and settings.DKIM_PRIVATE_KEY_FILE):
        return message
    signature = dkim.sign(
        message,
        settings.DKIM_SELECTOR.encode(),
        settings.DKIM_DOMAIN.encode(),
        _private_key(settings.DKIM_PRIVATE_KEY_FILE),
        include_headers=SIGNED_HEADERS,
    )
    return signature + message


class SMTPBackend(smtp.EmailBackend):
    def send_prepared(self, from_email: str, recipient: str, message: bytes) -> None:
        """Send a message already built as bytes (see newsletter.rendering.prepare_message)."""
        self.open()
        sender = sanitize_address(from_email, settings.DEFAULT_CHARSET)
        self.connection.sendmail(sender, [recipient], dkim_sign(message))

    def _send(self, email_message):
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(addr, encoding) for addr in email_message.recipients()]
        message = dkim_sign(email_message.message().as_bytes(linesep="\r\n"))
        # SMTP errors reach the caller: the sender tells temporary from permanent ones.
        self.connection.sendmail(from_email, recipients, message)
        return True
