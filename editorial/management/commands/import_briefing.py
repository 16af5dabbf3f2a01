import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils import timezone

from briefing.content import MAX_TEXT_BYTES, too_large
from briefing.serialization import filled_field_counts
from editorial.interchange.importing import BriefingExists, ImportRefused, save_briefing_data
from editorial.interchange.textformat import BriefingTextError, parse_briefing_text


def moment(value: str) -> datetime.datetime:
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO-8601 date and time: {value!r}") from None
    return timezone.make_aware(when) if timezone.is_naive(when) else when


class Command(BaseCommand):
    help = "Import a briefing from the plain-text format as a draft (or published with --publish)."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="A text file in the briefing plain-text format."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the issue: stamped now, or an issue of a past date at its own date's "
            "edition hour (EDITION_TIME).",
        )
        parser.add_argument(
            "--publish-at",
            type=moment,
            metavar="ISO-8601",
            help="Publish the issue as of this moment (a future one schedules it), e.g. "
            "2026-05-19T07:00+09:00; without an offset, in TIME_ZONE.",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Overwrite an existing briefing for that date."
        )

    @no_translations
    def handle(self, *args, file, publish, publish_at, replace, **options):
        try:
            # A file over the limit is refused without reading it.
            size = file.stat().st_size
            if size > MAX_TEXT_BYTES:
                raise CommandError(f"{file}: {too_large(size)}. Nothing was saved.")
            raw = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        try:
            data = parse_briefing_text(raw)
            briefing = save_briefing_data(
                data,
                replace=replace,
                publish=publish,
                publish_at=publish_at,
                actor="manage.py import_briefing",
            )
        except BriefingExists as exc:
            raise CommandError(f"{file}: {exc} Use --replace to overwrite it.") from None
        except (BriefingTextError, ImportRefused) as exc:
            raise CommandError(f"{file}: {str(exc).rstrip('.')}. Nothing was saved.") from None

        deep_dives = data["deep_dives"]
        filled = filled_field_counts(data)
        stamp = (
            f" as of {timezone.localtime(briefing.publish_at).isoformat()}"
            if briefing.publish_at
            else ""
        )
        self.stdout.write(
            f"Imported {briefing.date.isoformat()} ({briefing.get_status_display()}{stamp}): "
            f"{len(deep_dives)} deep dives, "
            f"{sum(len(d['takeaways']) for d in deep_dives)} takeaways, "
            f"{len(data['read_more'])} read-more items, {len(data['keywords'])} keywords; "
            f"fields filled: ja {filled['ja']}, en {filled['en']}."
        )
