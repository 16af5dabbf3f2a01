"""Import a list of subscribers from another service: CSV with email,language[,confirmed_at]."""

import csv
import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from newsletter.models import Subscriber
from newsletter.subscriptions import normalise_email


def parse_row(row: dict, line: int) -> Subscriber:
    email = normalise_email(row.get("email") or "")
    try:
        validate_email(email)
    except ValidationError:
        raise CommandError(f"Line {line}: {email!r} is not an email address.") from None
    language = (row.get("language") or "").strip()
    if language not in Subscriber.Language.values:
        raise CommandError(
            f"Line {line}: language must be one of {', '.join(Subscriber.Language.values)}, "
            f"not {language!r}."
        )
    confirmed_at = None
    if (row.get("confirmed_at") or "").strip():
        try:
            confirmed_at = datetime.datetime.fromisoformat(row["confirmed_at"].strip())
        except ValueError:
            raise CommandError(
                f"Line {line}: confirmed_at must be an ISO date and time, not "
                f"{row['confirmed_at']!r}."
            ) from None
        if timezone.is_naive(confirmed_at):
            confirmed_at = timezone.make_aware(confirmed_at)
    return Subscriber(
        email=email,
        language=language,
        source=Subscriber.Source.IMPORT,
        state=Subscriber.State.CONFIRMED if confirmed_at else Subscriber.State.PENDING,
        confirmed_at=confirmed_at,
    )


class Command(BaseCommand):
    help = (
        "Import subscribers from FILE.csv (header: email,language[,confirmed_at]). Rows with "
        "confirmed_at count as confirmed; addresses already known are left as they are (an "
        "unsubscribed address stays unsubscribed). One bad row and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                if not reader.fieldnames or not {"email", "language"} <= set(reader.fieldnames):
                    raise CommandError("The first line must name the columns email,language.")
                rows = {}
                for line, row in enumerate(reader, start=2):
                    subscriber = parse_row(row, line)
                    rows.setdefault(subscriber.email, subscriber)
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        with transaction.atomic():
            known = set(
                Subscriber.objects.filter(email__in=rows.keys()).values_list("email", flat=True)
            )
            new = [subscriber for email, subscriber in rows.items() if email not in known]
            Subscriber.objects.bulk_create(new, batch_size=1000)
        confirmed = sum(1 for subscriber in new if subscriber.confirmed_at)
        self.stdout.write(
            f"Imported {len(new)} subscribers ({confirmed} confirmed, {len(new) - confirmed} "
            f"waiting for confirmation); {len(known)} already known, left unchanged."
        )
