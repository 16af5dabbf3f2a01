from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from editorial.interchange.archive import ArchiveError, restore_archive


class Command(BaseCommand):
    help = (
        "Restore an archive written by export_archive into an empty database. The whole "
        "file is checked first; one bad line, or a truncated file, and nothing is restored."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A JSON Lines archive from export_archive.")

    @no_translations
    def handle(self, *args, file, **options):
        try:
            with file.open("rb") as lines:
                count = restore_archive(lines, warn=self._warn)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        except ArchiveError as exc:
            raise CommandError(f"{file}, {str(exc).rstrip('.')}. Nothing was restored.") from None
        self.stdout.write(f"Restored {count} briefings from {file}.")

    def _warn(self, message: str) -> None:
        self.stderr.write(f"Warning: {message}.")
