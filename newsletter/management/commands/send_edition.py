"""Send (or resume) the email edition of one published issue, by hand."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from briefing.models import Briefing
from newsletter import sending
from newsletter.models import Delivery, Edition, Subscriber
from newsletter.rendering import edition_message, render_edition, subject_for


class Command(BaseCommand):
    help = (
        "Send the email edition of the issue of DATE (YYYY-MM-DD) to its subscribers, or resume "
        "an interrupted send: each subscriber gets it once, however often this runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("date", help="the issue's date, YYYY-MM-DD")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be sent, send nothing"
        )
        parser.add_argument(
            "--to", metavar="ADDRESS", help="send one test copy to ADDRESS (recorded nowhere)"
        )
        parser.add_argument(
            "--language",
            choices=Subscriber.Language.values,
            default=Subscriber.Language.BOTH,
            help="the test copy's language (with --to; default: both)",
        )

    def handle(self, *args, date, dry_run, to, language, **options):
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"{date!r} is not a date (YYYY-MM-DD).") from None
        briefing = Briefing.objects.filter(date=day).first()
        if briefing is None:
            raise CommandError(f"There is no issue for {day}.")
        if to:
            message = edition_message(render_edition(briefing, language), to, "test-copy")
            message.send()
            self.stdout.write(f"Test copy ({language}) sent to {to}: {message.subject}")
            return
        if not Briefing.objects.published().filter(pk=briefing.pk).exists():
            raise CommandError(f"The issue of {day} is not public; publish it first.")
        edition = Edition.objects.filter(briefing=briefing).first()
        if dry_run:
            self._dry_run(briefing, edition)
            return
        edition, created = sending.queue_edition(briefing)
        if created:
            self.stdout.write(f"Queued the edition of {day}.")
        outcome = sending.send_edition(edition)
        if outcome.busy:
            raise CommandError(
                f"Another sender is working on the edition of {day}; try again when it stops."
            )
        self.stdout.write(
            f"Edition of {day}: {outcome.sent} sent, {outcome.failed} failed (address marked), "
            f"{outcome.skipped} skipped (no longer subscribed), {outcome.remaining} left to retry."
        )
        for error in outcome.errors[-10:]:
            self.stderr.write(error)
        if outcome.remaining:
            raise CommandError("Some messages could not be sent yet; run the command again later.")

    def _dry_run(self, briefing, edition):
        if edition is None:
            recipients = Subscriber.objects.filter(state=Subscriber.State.CONFIRMED)
            self.stdout.write(
                f"Not sent yet; would be queued for {recipients.count()} subscribers."
            )
        else:
            recipients = Subscriber.objects.filter(
                state=Subscriber.State.CONFIRMED,
                deliveries__edition=edition,
                deliveries__state__in=Delivery.UNFINISHED,
            )
            self.stdout.write(
                f"Edition {edition.get_state_display()}: {recipients.count()} messages left to send."
            )
        for code, label in Subscriber.Language.choices:
            count = recipients.filter(language=code).count()
            self.stdout.write(f"  {label} ({count}): {subject_for(briefing, code)}")
