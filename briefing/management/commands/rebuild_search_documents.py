from django.core.management.base import BaseCommand

from briefing.cache import content_changed
from briefing.models import Briefing
from briefing.search import rebuild_search_documents


class Command(BaseCommand):
    help = (
        "Rewrite every issue's search document and drop the cached pages. Needed only after "
        "changes that bypass model signals (QuerySet.update(), raw SQL, a restored database)."
    )

    def handle(self, *args, **options):
        ids = list(Briefing.objects.values_list("pk", flat=True))
        rebuild_search_documents(ids)
        content_changed()
        self.stdout.write(f"Rebuilt the search documents of {len(ids)} issues.")
