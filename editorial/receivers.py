"""Every effect a save of an issue's parts has in the editorial app, in one place.

On post_save / post_delete of Briefing, DeepDive, Takeaway, ReadMore and Keyword, and when an
issue's keywords change:
1. translation state (editorial.translation.state): the records of the object's translated
   fields are brought up to date (saved) or dropped at once (deleted);
2. the edit token: a part of an issue saved or deleted moves the issue's updated_at on, so every
   edit form opened before notices the change;
3. the issue's stored completeness (editorial.translation.completeness) is recomputed.

1, 2 and 3 happen once per write, not per row: inside a revision (every write path makes one:
editorial.history.revision) they wait for the revision to be saved, still in the same
transaction, and run for every object and issue the write changed, in a fixed number of
queries. A save outside any revision (the shell, a test's factory) applies them at once.
Writes that send no signals (the importer's bulk_create) call `rows_written` themselves.

The briefing app's own effects (page cache, search documents) are in briefing/receivers.py.
QuerySet.update(), bulk_create() and raw SQL send no signals: after such writes run the
`resync` command.
"""

import threading

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from reversion.signals import post_revision_commit

from briefing.content import LANGUAGE_CODES, TRANSLATED_FIELDS, issue_ids
from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway

from .models import TranslationState
from .translation.completeness import update_completeness
from .translation.state import sync_states


def record_translation_state(sender, instance, raw=False, update_fields=None, **kwargs):
    # raw saves are not skipped: reversion's revert() saves with raw=True, and a restore must
    # update the records like any other write.
    fields = TRANSLATED_FIELDS[sender]
    columns = {
        f"{field}{suffix}"
        for field in fields
        for suffix in ("", *(f"_{c}" for c in LANGUAGE_CODES))
    }
    if update_fields is not None and not columns.intersection(update_fields):
        return  # e.g. save(update_fields=["status"]): no text changed
    if reversion.is_active():
        _pending.objects[(sender, instance.pk)] = instance
    else:
        sync_states([instance])


def drop_translation_state(sender, instance, **kwargs):
    _pending.objects.pop((sender, instance.pk), None)
    TranslationState.objects.filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk
    ).delete()


class _Pending(threading.local):
    def __init__(self):
        self.objects = {}  # (model, pk): the saved instance, whose texts to record
        self.touch, self.completeness = set(), set()


_pending = _Pending()


def issues_changed(briefing_ids, *, touch: bool, deleted: bool = False) -> None:
    """Effects 2 (if `touch`) and 3 for these issues: at the end of the current revision, or at
    once outside any revision. A deletion outside a revision may be one step of deleting the
    whole issue (the cascade deletes its parts first), so it waits for the commit."""
    ids = set(briefing_ids)
    if reversion.is_active():
        _pending.completeness |= ids
        if touch:
            _pending.touch |= ids
    elif deleted:
        transaction.on_commit(lambda: _apply(ids if touch else set(), ids))
    else:
        _apply(ids if touch else set(), ids)


def _apply(touch_ids: set, completeness_ids: set) -> None:
    if touch_ids:
        # update(), not save(): no signals, no revision of its own, and no recursion.
        Briefing.objects.filter(pk__in=touch_ids).update(updated_at=timezone.now())
    update_completeness(completeness_ids)


def flush_pending(**kwargs) -> None:
    """The revision was saved (post_revision_commit, inside its transaction)."""
    objects, touch, completeness = _pending.objects, _pending.touch, _pending.completeness
    _pending.objects, _pending.touch, _pending.completeness = {}, set(), set()
    sync_states(list(objects.values()))  # before completeness, which reads the records
    _apply(touch, completeness)


def rows_written(objects, briefing_ids, *, touch: bool = True) -> None:
    """Rows of these issues written without signals (bulk_create): the effects of their saves."""
    objects = [obj for obj in objects if type(obj) in TRANSLATED_FIELDS]
    if reversion.is_active():
        _pending.objects.update({(type(obj), obj.pk): obj for obj in objects})
    else:
        sync_states(objects)
    issues_changed(briefing_ids, touch=touch)


def part_saved(sender, instance, **kwargs):
    issues_changed(issue_ids(instance), touch=sender in (DeepDive, Takeaway, ReadMore))


def part_deleted(sender, instance, **kwargs):
    issues_changed(
        issue_ids(instance), touch=sender in (DeepDive, Takeaway, ReadMore), deleted=True
    )


def keywords_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    issues_changed(pk_set or () if reverse else [instance.pk], touch=False)


def connect() -> None:
    for model in TRANSLATED_FIELDS:
        post_save.connect(
            record_translation_state,
            sender=model,
            dispatch_uid=f"translation_state_saved_{model}",
        )
        post_delete.connect(
            drop_translation_state, sender=model, dispatch_uid=f"translation_state_deleted_{model}"
        )
    for model in (Briefing, DeepDive, Takeaway, ReadMore, Keyword):
        post_save.connect(part_saved, sender=model, dispatch_uid=f"issue_saved_{model}")
        post_delete.connect(part_deleted, sender=model, dispatch_uid=f"issue_deleted_{model}")
    m2m_changed.connect(
        keywords_changed, sender=Briefing.keywords.through, dispatch_uid="issue_keywords"
    )
    post_revision_commit.connect(flush_pending, dispatch_uid="issue_revision_saved")
