from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from editorial.translation.po import MAX_PO_BYTES, POImportError, import_po, read_po, too_large


class Command(BaseCommand):
    help = (
        "Fill one issue's translations from a PO file made by export_translations. Entries whose "
        "source changed since the export are refused; the rest is saved in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The translated PO file.")

    # The report is for the terminal and scripts: one language, whatever the settings.
    @no_translations
    def handle(self, *args, file, **options):
        try:
            # A file over the limit is refused without reading it.
            size = file.stat().st_size
            if size > MAX_PO_BYTES:
                raise CommandError(f"{file}: {too_large(size)} Nothing was saved.")
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        try:
            report = import_po(read_po(content))
        except POImportError as exc:
            raise CommandError(f"{file}: {exc} Nothing was saved.") from None
        for line in report.lines():
            self.stdout.write(line)
