"""Every effect a save of an issue's parts has in the briefing app, in one place: the page cache
and the search documents are kept in step with every content change (post_save, post_delete,
Keyword's pre_delete and the keywords m2m). The editorial app's effects (translation state, the
edit token) are in editorial/receivers.py.

A change moves the content generation on in the database, in the change's own transaction, and
removes the cache's copy of it twice: at once (so that the rest of the same request or transaction
never sees an old page) and again after the commit (a reader who rendered between the first
removal and the commit saw the old rows; the second one drops what they cached).
Search documents are rebuilt after the commit, once per changed issue however many of its rows
a transaction saved.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from . import cache
from .models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from .search import rebuild_search_documents


class _AfterCommit:
    """One on-commit callback per transaction, collecting the issues it changed."""

    def __init__(self):
        self.briefing_ids = set()
        self.done = False

    def __call__(self):
        self.done = True
        rebuild_search_documents(self.briefing_ids)
        cache.forget_generation()


def _pending(connection):
    # A callback still queued belongs to the current transaction (Django drops the callbacks of
    # a rolled-back transaction), so it is safe to add to it.
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _AfterCommit) and not callback.done:
            return callback
    return None


def changed(briefing_ids) -> None:
    cache.content_changed()
    connection = transaction.get_connection()
    callback = _pending(connection) if connection.in_atomic_block else None
    if callback is None:
        callback = _AfterCommit()
        callback.briefing_ids.update(briefing_ids)
        # Outside a transaction this runs at once.
        transaction.on_commit(callback)
    else:
        callback.briefing_ids.update(briefing_ids)


def _briefing_ids(instance) -> list[int]:
    if isinstance(instance, Briefing):
        return [instance.pk]
    if isinstance(instance, DeepDive | ReadMore):
        return [instance.briefing_id]
    if isinstance(instance, Takeaway):
        try:
            return [instance.deep_dive.briefing_id]
        except DeepDive.DoesNotExist:  # deleted along with its deep dive
            return []
    if isinstance(instance, Keyword):
        return list(instance.briefings.values_list("pk", flat=True))
    return []


def on_content_saved_or_deleted(sender, instance, **kwargs):
    changed(_briefing_ids(instance))


def on_keywords_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:
        changed([instance.pk])
    elif action == "pre_clear":
        # The issues of a keyword are only known before the clear.
        changed(instance.briefings.values_list("pk", flat=True))
    else:
        changed(pk_set or ())


def connect():
    for model in (Briefing, DeepDive, Takeaway, ReadMore, Keyword):
        post_save.connect(
            on_content_saved_or_deleted, sender=model, dispatch_uid=f"content-{model}"
        )
        post_delete.connect(
            on_content_saved_or_deleted, sender=model, dispatch_uid=f"content-del-{model}"
        )
    # A deleted keyword's issues are only known before its links are removed.
    pre_delete.connect(on_content_saved_or_deleted, sender=Keyword, dispatch_uid="content-pre-kw")
    m2m_changed.connect(
        on_keywords_changed, sender=Briefing.keywords.through, dispatch_uid="content-keywords"
    )
