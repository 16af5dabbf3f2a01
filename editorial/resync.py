"""Rebuild every table derived from the content of issues, from the content itself.

Saves keep them in step (briefing/receivers.py, editorial/receivers.py); writes that send no
signals (QuerySet.update(), bulk_create(), raw SQL, a database restored from a dump, an upgrade
that adds a derived table) do not. `python manage.py resync` calls this; so does
`generate_archive` after its bulk load.
"""

from django.db import transaction

from briefing import cache
from briefing.content import walk
from briefing.models import Briefing, Keyword
from briefing.search import rebuild_search_documents

from .translation.completeness import update_completeness
from .translation.state import sync_states

BATCH = 300


def resync(briefing_ids=None) -> dict[str, int]:
    """Translation state, completeness and search documents of these issues (None: all), in
    batches of a fixed number of queries; then a new page-cache generation (after the commit).
    Returns counts for a report."""
    if briefing_ids is None:
        briefing_ids = Briefing.objects.order_by("pk").values_list("pk", flat=True)
    ids = list(briefing_ids)
    counts = {"issues": 0, "translation_states": 0}
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            briefings = Briefing.objects.filter(pk__in=batch).with_contents()
            objects = [node.item for b in briefings for node in walk(b) if node.part.translated]
            # Keywords are shared: each once, however many issues of the batch have it.
            objects = list({(type(obj), obj.pk): obj for obj in objects}.values())
            counts["translation_states"] += sync_states(objects)
            counts["issues"] += update_completeness(batch)
            rebuild_search_documents(batch)
        # Keywords on no issue yet (the admin's keyword list) have translation state too.
        counts["translation_states"] += sync_states(list(Keyword.objects.filter(briefings=None)))
        # Pages cached before must not be served: a new content generation in this
        # transaction, and the cache's copy replaced after the commit (as
        # briefing/receivers.py does for a save).
        cache.content_changed()
        transaction.on_commit(cache.refresh_generation)
    return counts
