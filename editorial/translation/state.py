"""Keeping TranslationState in step with every save of a translated model.

editorial.receivers calls sync_states on post_save, so every path that saves a model keeps the
status: the admin, the translator editor, the importers, reversion restores (raw saves included)
and any other code. QuerySet.update(), bulk_create() and raw SQL send no signals and bypass it:
after such a write call rebuild_states(briefing), which records any text it finds changed.
"""

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from briefing.content import LANGUAGE_CODES, TRANSLATED_FIELDS, walk
from briefing.models import Briefing
from editorial.models import TranslationState


def normalize(text) -> str:
    # Line-ending and surrounding-whitespace edits are not changes a translator must follow.
    return (text or "").replace("\r\n", "\n").strip()


def fingerprint(text) -> str:
    return hashlib.sha256(normalize(text).encode()).hexdigest()


EMPTY_FINGERPRINT = fingerprint("")


def other_language(code: str) -> str:
    (other,) = [c for c in LANGUAGE_CODES if c != code]
    return other


def text_of(obj, field: str, code: str) -> str:
    return normalize(getattr(obj, f"{field}_{code}"))


def states_for(objects) -> dict:
    """{(model, object id, field, language): TranslationState} for the objects, in one query."""
    ids_by_model = {}
    for obj in objects:
        ids_by_model.setdefault(type(obj), set()).add(obj.pk)
    if not ids_by_model:
        return {}
    # Filtering on the content type's natural key (a join) rather than ContentType ids keeps the
    # query count independent of the content-type cache.
    condition = Q()
    for model, ids in ids_by_model.items():
        condition |= Q(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
            object_id__in=ids,
        )
    models_by_name = {model._meta.model_name: model for model in TRANSLATED_FIELDS}
    states = {}
    for state in TranslationState.objects.filter(condition).select_related("content_type"):
        model = models_by_name[state.content_type.model]
        states[(model, state.object_id, state.field, state.language)] = state
    return states


def sync_states(objects) -> int:
    """Record, for every language whose text changed since its last record, the other language's
    text at this moment. Objects may be of different models. Returns how many records changed."""
    objects = [obj for obj in objects if obj.pk is not None]
    if not objects:
        return 0
    content_types = ContentType.objects.get_for_models(*{type(obj) for obj in objects})
    existing = states_for(objects)

    upserts, stale = [], []
    for obj in objects:
        model = type(obj)
        for field in TRANSLATED_FIELDS[model]:
            texts = {code: text_of(obj, field, code) for code in LANGUAGE_CODES}
            states = {code: existing.get((model, obj.pk, field, code)) for code in LANGUAGE_CODES}
            for code, source in _changed_records(texts, states).items():
                upserts.append(
                    TranslationState(
                        content_type=content_types[model],
                        object_id=obj.pk,
                        field=field,
                        language=code,
                        text_hash=fingerprint(texts[code]),
                        source_hash=fingerprint(source),
                        source_text=source,
                    )
                )
            stale.extend(state.pk for code, state in states.items() if state and not texts[code])
    if stale:
        TranslationState.objects.filter(pk__in=stale).delete()
    if upserts:
        TranslationState.objects.bulk_create(
            upserts,
            update_conflicts=True,
            unique_fields=["content_type", "object_id", "field", "language"],
            update_fields=["text_hash", "source_hash", "source_text", "updated_at"],
        )
    return len(upserts) + len(stale)


def _changed_records(texts: dict, states: dict) -> dict:
    """{language: the source text to record} for the records one save must rewrite.

    - A language whose text changed is recorded against the other language's current text,
      except an original (first written while the other language was empty), which stays
      the original: its translation arriving or being polished never makes it outdated.
    - A language that changed while it was behind (missing or outdated) is catching up with
      the other; the other is recorded against the new text too, so catching up does not in
      turn make the other language look outdated.
    """
    records = {}
    for code in LANGUAGE_CODES:
        other = other_language(code)
        state = states[code]
        if not texts[code] or (state and state.text_hash == fingerprint(texts[code])):
            continue
        original = state is not None and state.source_hash == EMPTY_FINGERPRINT
        records[code] = "" if original else texts[other]
        behind = state is None or (not original and state.source_hash != fingerprint(texts[other]))
        other_state = states[other]
        if (
            behind
            and texts[other]
            and other_state is not None
            and other_state.source_hash != EMPTY_FINGERPRINT
            and other_state.text_hash == fingerprint(texts[other])
        ):
            records.setdefault(other, texts[code])
    return records


def mark_still_correct(obj, field: str, code: str) -> None:
    """The translator checked this language against the current source: it is up to date again."""
    source = text_of(obj, field, other_language(code))
    TranslationState.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        field=field,
        language=code,
        defaults={
            "text_hash": fingerprint(text_of(obj, field, code)),
            "source_hash": fingerprint(source),
            "source_text": source,
        },
    )


def keep_source_current(obj, field: str, target: str) -> None:
    """The target text was just written as a translation (translator editor, PO import): the
    source it was translated from stays up to date, however the translation was reworded."""
    source = other_language(target)
    translation = text_of(obj, field, target)
    TranslationState.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        field=field,
        language=source,
    ).exclude(source_hash=EMPTY_FINGERPRINT).update(
        source_hash=fingerprint(translation), source_text=translation
    )


def briefing_objects(briefing) -> list:
    """The briefing and every translated object in it (load it with with_contents())."""
    return [node.item for node in walk(briefing) if node.part.translated]


@transaction.atomic
def rebuild_states(briefing) -> int:
    """Bring the records of one briefing up to date after writes that sent no signal."""
    briefing = Briefing.objects.with_contents().get(pk=briefing.pk)
    return sync_states(briefing_objects(briefing))
