"""Every effect a save of an issue's parts has in the briefing app, in one place: the page cache
and the search documents are kept in step with every content change (post_save, post_delete,
Keyword's pre_delete and the keywords m2m). The editorial app's effects (translation state, the
edit token) are in editorial/receivers.py.

Once per write, not per row: a write path (admin save, import, translator editor, PO import,
restore) is one transaction with one django-reversion revision, and the effects run when the
revision is saved (post_revision_commit, still inside the transaction) for every issue the write
changed. A save outside any revision (the shell, a test's factory) has them at once.

- The content generation moves on in the database, in the write's own transaction
  (briefing.cache.content_changed): every cached page is stale from the commit on, in every
  process, whether or not the cache can be reached;
- after the commit, the changed issues' search documents are rebuilt and the cache's copy of the
  generation is replaced by the new one (briefing.cache.refresh_generation).

Writes that send no signals (bulk_create, QuerySet.update(), raw SQL) call issues_changed()
themselves, or are followed by `manage.py resync`.
"""

import threading

import reversion
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from reversion.signals import post_revision_commit

from . import cache
from .content import issue_ids
from .models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from .search import rebuild_search_documents


class _Pending(threading.local):
    def __init__(self):
        self.briefing_ids = set()


_pending = _Pending()
# Issues whose search documents wait for a commit. Shared by the on-commit callbacks of all
# transactions: the first to run rebuilds them all, the others find nothing left to do (the
# issues of a rolled-back transaction are rebuilt by the next commit, which changes nothing).
_after_commit = _Pending()


def issues_changed(briefing_ids) -> None:
    """Effects of a change to these issues: at the end of the current revision (once however
    many of their rows the write saved), or at once outside any revision."""
    if reversion.is_active():
        _pending.briefing_ids.update(briefing_ids)
    else:
        _apply(set(briefing_ids))


def flush_pending(**kwargs) -> None:
    """The revision was saved (post_revision_commit, inside its transaction)."""
    ids, _pending.briefing_ids = _pending.briefing_ids, set()
    if ids:
        _apply(ids)


def _apply(briefing_ids: set) -> None:
    cache.content_changed()
    _after_commit.briefing_ids |= briefing_ids
    # Outside a transaction this runs at once.
    transaction.on_commit(_rebuild_after_commit)


def _rebuild_after_commit() -> None:
    ids, _after_commit.briefing_ids = _after_commit.briefing_ids, set()
    if ids:
        rebuild_search_documents(ids)
        cache.refresh_generation()


def on_content_saved_or_deleted(sender, instance, **kwargs):
    issues_changed(issue_ids(instance))


def on_keywords_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:
        issues_changed([instance.pk])
    elif action == "pre_clear":
        # The issues of a keyword are only known before the clear.
        issues_changed(instance.briefings.values_list("pk", flat=True))
    else:
        issues_changed(pk_set or ())


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
    post_revision_commit.connect(flush_pending, dispatch_uid="content-revision-saved")
