"""Export subscribers as CSV (email,language,confirmed_at), the format import_subscribers reads."""

import csv

from django.core.management.base import BaseCommand

from newsletter.models import Subscriber


class Command(BaseCommand):
    help = (
        "Write the confirmed subscribers as CSV (email,language,confirmed_at) to standard output."
    )

    def handle(self, *args, **options):
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["email", "language", "confirmed_at"])
        subscribers = Subscriber.objects.filter(state=Subscriber.State.CONFIRMED).order_by("pk")
        for email, language, confirmed_at in subscribers.values_list(
            "email", "language", "confirmed_at"
        ).iterator():
            writer.writerow([email, language, confirmed_at.isoformat()])
