from django.core.management.base import BaseCommand

from editorial.resync import resync


class Command(BaseCommand):
    help = (
        "Rebuild every table derived from the issues' content: translation state, completeness "
        "and search documents, then drop the cached pages. Needed only after writes that send "
        "no model signals (QuerySet.update(), bulk_create(), raw SQL, a restored dump) and "
        "after upgrades that add derived data."
    )

    def handle(self, *args, **options):
        counts = resync()
        self.stdout.write(
            f"Resynchronised {counts['issues']} issues "
            f"({counts['translation_states']} translation-state records changed)."
        )
