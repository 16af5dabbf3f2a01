import json

from django.core.management.base import BaseCommand, CommandError

from briefing.models import Briefing
from briefing.serialization import briefing_to_dict
from editorial.importing import ImportRefused, parse_date
from editorial.textformat import format_briefing_text


class Command(BaseCommand):
    help = "Write a briefing (any status) out as plain text or as the shared JSON shape."

    def add_arguments(self, parser):
        parser.add_argument("date", help="The issue date, YYYY-MM-DD.")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--lang", choices=["ja", "en", "both"], default="both")

    def handle(self, *args, date, format, lang, **options):
        try:
            day = parse_date(date)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from None
        briefing = Briefing.objects.with_contents().filter(date=day).first()
        if briefing is None:
            raise CommandError(f"There is no briefing for {day.isoformat()}.")
        data = briefing_to_dict(briefing)
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(format_briefing_text(data, lang), ending="")
