"""Read one bounce (a DSN mailed to the return path) from standard input: for the mail server's
pipe to this command (see docs/deploy.md)."""

import sys

from django.core.management.base import BaseCommand

from newsletter.bounces import handle_dsn


class Command(BaseCommand):
    help = "Mark the addresses a delivery status notification (on standard input) says failed for good."

    def handle(self, *args, **options):
        marked = handle_dsn(sys.stdin.buffer.read())
        self.stdout.write(f"{marked} subscriber address(es) marked as bounced.")
