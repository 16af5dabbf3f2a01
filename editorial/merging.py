"""Three-way merge of two people's saves of one issue.

An edit form remembers which revision of the issue it opened (the edit token). When someone
else saved in between, each field of the form is settled against three values: the one the
form opened with (that revision), the one now in the database (theirs) and the one posted
(mine). A field only one side changed takes that side's value; a field both changed to
different values is a conflict, shown with theirs, mine and the original, and settled by the
person saving with a choice per field (posted as `resolve:<field name>`). Nothing is ever
overwritten without being seen.
"""

import functools
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from reversion.models import Revision

from briefing.models import Briefing
from editorial import history

RESOLVE = "resolve:"
UNKNOWN = object()
MINE, THEIRS, ORIGINAL = "mine", "theirs", "original"
CHOICES = (
    (MINE, _("Keep mine")),
    (THEIRS, _("Take theirs")),
    (ORIGINAL, _("Go back to the original")),
)


@dataclass
class Conflict:
    name: str  # the field's name in the POST
    label: str
    original: str
    theirs: str
    mine: str

    @property
    def choice_name(self) -> str:
        return RESOLVE + self.name

    @property
    def choices(self):
        return CHOICES


@dataclass(frozen=True)
class Token:
    """What an edit form remembers: the issue's updated_at and its newest revision then."""

    updated_at: str
    revision_id: int | None

    def __str__(self):
        return f"{self.updated_at}|{self.revision_id or ''}"

    @classmethod
    def parse(cls, value: str) -> "Token":
        updated_at, _sep, revision = (value or "").partition("|")
        return cls(updated_at, int(revision) if revision.isdigit() else None)

    @classmethod
    def of(cls, briefing: Briefing) -> "Token":
        newest = history.issue_versions(briefing.pk).only("revision_id").first()
        return cls(history.edit_token(briefing), newest.revision_id if newest else None)


def snapshot(revision_id: int, briefing_pk: int) -> history.Snapshot | None:
    revision = Revision.objects.filter(pk=revision_id).only("date_created").first()
    if revision is None:
        return None
    return _snapshot(revision, revision.pk, revision.date_created, briefing_pk)


@functools.lru_cache(maxsize=64)
def _snapshot(revision, revision_id, date_created, briefing_pk) -> history.Snapshot:
    # A revision never changes once written; the key names it by id and time, so a database
    # that reuses ids (a test's rolled-back transaction) never gets an old snapshot.
    return history.Snapshot(revision, briefing_pk)


def base_object(token: Token, briefing_pk: int, model, pk):
    """The object as the form opened it, or None when that is not known."""
    if token.revision_id is None or pk is None:
        return None
    found = snapshot(token.revision_id, briefing_pk)
    if found is None or found.briefing is None:
        return None
    return found.find(model, pk)


def _comparable(value):
    if value is None:
        return ""
    if isinstance(value, models.QuerySet | list | tuple | set):
        return tuple(sorted(str(getattr(item, "pk", item)) for item in value))
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return str(value)


def _shown(value) -> str:
    if isinstance(value, models.QuerySet | list | tuple | set):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def _value(obj, field_name: str, m2m_ids=None):
    field = obj._meta.get_field(field_name)
    if field.many_to_many:
        ids = m2m_ids if m2m_ids is not None else [o.pk for o in getattr(obj, field_name).all()]
        return list(field.related_model.objects.filter(pk__in=ids))
    return getattr(obj, field.attname if field.is_relation else field_name)


def merge(form, base, theirs, base_m2m=None) -> list[Conflict]:
    """Settle each field of a cleaned model form (mine) against `base` and `theirs`.

    Called from the form's clean(), before the cleaned data reaches the instance. Fields taken
    from theirs are also put back into the form's data, so a page shown again shows them.
    """
    conflicts = []
    model_fields = {f.name for f in form._meta.model._meta.get_fields()}
    data = form.data.copy()
    for name in list(form.cleaned_data):
        if name not in model_fields or name == "id":
            continue
        field = form._meta.model._meta.get_field(name)
        if field.is_relation and not field.many_to_many:
            continue  # the parent link: never edited here
        # Without the opened version (an issue no revision recorded yet), every field the two
        # sides wrote differently is shown for a choice.
        original = _value(base, name, (base_m2m or {}).get(name)) if base is not None else None
        current = _value(theirs, name)
        mine = form.cleaned_data[name]
        b = _comparable(original) if base is not None else UNKNOWN
        t, m = _comparable(current), _comparable(mine)
        if t == b or m == t:
            continue  # only I changed it, or we both wrote the same
        choice = form.data.get(RESOLVE + form.add_prefix(name))
        if m == b or choice == THEIRS:
            settled = current
        elif choice == ORIGINAL:
            settled = original
        elif choice == MINE:
            continue
        else:
            conflicts.append(
                Conflict(
                    form.add_prefix(name),
                    str(form.fields[name].label or name),
                    _shown(original),
                    _shown(current),
                    _shown(mine),
                )
            )
            continue
        form.cleaned_data[name] = settled
        if not field.many_to_many:
            data[form.add_prefix(name)] = "" if settled is None else str(settled)
    form.data = data
    return conflicts
