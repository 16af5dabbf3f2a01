from pathlib import Path

from django.core.management.base import BaseCommand, no_translations
from django.db import IntegrityError

from briefing.models import Briefing
from editorial.interchange.importing import ImportRefused, save_briefing_data
from editorial.interchange.textformat import parse_briefing_text

DEMO_ISSUE = Path(__file__).resolve().parents[2] / "demo" / "daily-briefing-2026-05-19.txt"


class Command(BaseCommand):
    help = (
        "Publish the demo issue, only into a database without any briefing. Safe in "
        "production: it creates no user and never touches existing content."
    )

    @no_translations
    def handle(self, *args, **options):
        if Briefing.objects.exists():
            self.stdout.write("The database already has briefings; the demo issue is not loaded.")
            return
        try:
            briefing = save_briefing_data(
                parse_briefing_text(DEMO_ISSUE.read_bytes()),
                publish=True,
                actor="manage.py load_demo_issue",
            )
        except (ImportRefused, IntegrityError):
            # Several instances starting at once: another one loaded it first.
            self.stdout.write("The demo issue was loaded meanwhile; nothing to do.")
            return
        self.stdout.write(f"Loaded and published the demo issue of {briefing.date.isoformat()}.")
