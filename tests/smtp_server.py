"""A real SMTP server (aiosmtpd) for the tests, on a free port, keeping what it receives.

Addresses can be made to fail: `refuse[address] = "550 ..."` answers RCPT with that reply
(a permanent or temporary failure), `refuse_once` only the first time.
"""

import email
import email.policy
import logging
import threading
import time

from aiosmtpd.controller import Controller

from tests.fault_servers import free_port

# aiosmtpd logs every SMTP command at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Received:
    def __init__(self, envelope):
        self.sender = envelope.mail_from
        self.recipients = list(envelope.rcpt_tos)
        self.raw = envelope.original_content or envelope.content
        self.message = email.message_from_bytes(self.raw, policy=email.policy.default)

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return part.get_content().replace("\r\n", "\n")
        raise AssertionError(f"no {content_type} part")


class Handler:
    def __init__(self, delay: float = 0.0):
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}
        self.refuse_once: dict[str, str] = {}
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_once:
            return self.refuse_once.pop(address)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # a slow server: blocks its own thread only
        with self.lock:
            self.received.append(Received(envelope))
        return "250 Message accepted"


class SMTPServer:
    def __init__(self, delay: float = 0.0):
        self.handler = Handler(delay)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        return [item for item in self.received if address in item.recipients]

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
