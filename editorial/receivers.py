"""Every effect a save of an issue's parts has in the editorial app, in one place.

On post_save / post_delete of Briefing, DeepDive, Takeaway, ReadMore and Keyword:
- translation state (editorial.translation.state): the records of every translated field are
  brought up to date (saved) or dropped (deleted);
- the edit token (editorial.history): a part of an issue saved or deleted moves the issue's
  updated_at on, so every edit form opened before notices the change.

The briefing app's own effects (page cache, search documents) are in briefing/receivers.py.
QuerySet.update(), bulk_create() and raw SQL send no signals: after such writes, call
editorial.translation.state.rebuild_states(briefing).
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from briefing.models import Briefing, DeepDive, ReadMore, Takeaway
from briefing.serialization import LANGUAGE_CODES

from .models import TranslationState
from .translation.state import TRANSLATED_FIELDS, sync_states


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
    sync_states([instance])


def drop_translation_state(sender, instance, **kwargs):
    TranslationState.objects.filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk
    ).delete()


def touch_issue(sender, instance, **kwargs):
    """A part of an issue changed by any path (admin, translator editor, PO import, restore):
    the issue's updated_at moves on, so every edit form opened before notices the change."""
    if sender is Takeaway:
        issues = Briefing.objects.filter(deep_dives=instance.deep_dive_id)
    else:
        issues = Briefing.objects.filter(pk=instance.briefing_id)
    # update(), not save(): no signals, no revision of its own, and no recursion.
    issues.update(updated_at=timezone.now())


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
    for model in (DeepDive, Takeaway, ReadMore):
        post_save.connect(touch_issue, sender=model, dispatch_uid=f"touch_issue_{model.__name__}")
        post_delete.connect(
            touch_issue, sender=model, dispatch_uid=f"touch_issue_delete_{model.__name__}"
        )
