from django.core.management.base import BaseCommand, CommandError, no_translations

from editorial.interchange.exporting import (
    FORMATS,
    TEXT_LANGUAGES,
    export_briefing,
    load_for_export,
)
from editorial.interchange.importing import ImportRefused, parse_date


class Command(BaseCommand):
    help = "Write a briefing (any status) out as plain text or as the shared JSON shape."

    def add_arguments(self, parser):
        parser.add_argument("date", help="The issue date, YYYY-MM-DD.")
        parser.add_argument("--format", choices=FORMATS, default="text")
        parser.add_argument("--lang", choices=TEXT_LANGUAGES, default="both")

    @no_translations
    def handle(self, *args, date, format, lang, **options):
        try:
            day = parse_date(date)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from None
        briefing = load_for_export(day)
        if briefing is None:
            raise CommandError(f"There is no briefing for {day.isoformat()}.")
        self.stdout.write(export_briefing(briefing, format, lang), ending="")
