from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from briefing.models import Briefing
from briefing.serialization import LANGUAGE_CODES
from editorial.interchange.importing import ImportRefused, parse_date
from editorial.translation.po import export_po


class Command(BaseCommand):
    help = "Write one issue's translatable fields to a PO file for translation into one language."

    def add_arguments(self, parser):
        parser.add_argument("date", help="The issue date, YYYY-MM-DD.")
        parser.add_argument("--to", required=True, choices=LANGUAGE_CODES, dest="target")
        parser.add_argument("file", type=Path, help="The PO file to write.")

    # The report is for the terminal and scripts: one language, whatever the settings.
    @no_translations
    def handle(self, *args, date, target, file, **options):
        try:
            day = parse_date(date)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from None
        briefing = Briefing.objects.filter(date=day).first()
        if briefing is None:
            raise CommandError(f"There is no briefing for {day.isoformat()}.")
        po = export_po(briefing, target)
        try:
            po.save(str(file))
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc.strerror}") from None
        fuzzy = len(po.fuzzy_entries())
        untranslated = len(po.untranslated_entries())
        self.stdout.write(
            f"Wrote {len(po)} entries for {day.isoformat()} into {target} to {file} "
            f"({untranslated} untranslated, {fuzzy} fuzzy)."
        )
