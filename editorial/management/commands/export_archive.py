import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from editorial.interchange.archive import write_archive


class Command(BaseCommand):
    help = (
        "Back up every briefing (all languages, workflow state), the keywords attached to no "
        "issue and the email edition's subscribers as JSON Lines, between a header and a "
        "checksummed trailer; restore with import_archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive to write, or - for standard output.")

    @no_translations
    def handle(self, *args, file, **options):
        if file == "-":
            count = write_archive(self.stdout)
            sys.stderr.write(f"Wrote {count} briefings.\n")
            return
        path = Path(file)
        # Written beside the target and renamed at the end: an interrupted export never
        # leaves a truncated file that looks like a complete backup.
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8") as out:
                count = write_archive(out)
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from None
        self.stdout.write(f"Wrote {count} briefings to {path}.")
