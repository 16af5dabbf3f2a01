import json

from django.core.management.base import BaseCommand, CommandError, no_translations

from briefing.models import Briefing
from editorial.interchange.importing import ImportRefused, parse_date
from editorial.translation.completeness import as_summary, with_completeness


class Command(BaseCommand):
    help = (
        "Per briefing, the number of missing and outdated translated fields per language and "
        "the completeness percentage."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "date", nargs="?", help="One issue (YYYY-MM-DD); all issues if omitted."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON instead of text."
        )

    # The report is for the terminal and scripts: one language, whatever the settings.
    @no_translations
    def handle(self, *args, date=None, as_json=False, **options):
        queryset = Briefing.objects.all()
        if date:
            try:
                queryset = queryset.filter(date=parse_date(date))
            except ImportRefused as exc:
                raise CommandError(str(exc)) from None
            if not queryset.exists():
                raise CommandError(f"No briefing for {date}.")
        rows = [
            {"date": b.date.isoformat(), "languages": as_summary(b)}
            for b in with_completeness(queryset.order_by("-date")).iterator(chunk_size=500)
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            parts = [
                f"{code}: {s['missing']} missing, {s['outdated']} outdated, "
                f"{s['completeness']}% complete"
                for code, s in row["languages"].items()
            ]
            self.stdout.write(f"{row['date']}  " + "  ".join(parts))
