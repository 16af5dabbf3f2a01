"""Every part's number follows from its order again: deep dives and takeaways from 1, read-more
items after the deep dives (docs/text-format.md).

Until editorial.inlines numbered every row itself, a save of the issue page kept the index
django-nested-admin's script sends as a row's number (0, 1, 2 …) wherever the row had not moved,
and read-more items kept their first number when a deep dive was added or deleted. Only groups
whose numbers differ are written; every cached page is then made stale once.
"""

from itertools import groupby

from django.db import migrations
from django.db.models import Count, F, Max
from django.db.models.functions import Now


def number_groups(model, parent: str, first_number) -> bool:
    """Number each group of `model`'s rows under one `parent` in order, from
    `first_number(parent_id)`; whether any number changed."""
    rows = model.objects.order_by(parent, "position").values_list(parent, "pk", "position")
    wrong = []
    for parent_id, group in groupby(rows, key=lambda row: row[0]):
        group = list(group)
        first = first_number(parent_id)
        numbers = range(first, first + len(group))
        if [position for _parent, _pk, position in group] != list(numbers):
            wrong.append([(pk, number) for (_parent, pk, _position), number in zip(group, numbers)])
    if not wrong:
        return False
    # Out of the way first: numbers are unique per parent.
    top = model.objects.aggregate(top=Max("position"))["top"] or 0
    moved = [pk for group in wrong for pk, _number in group]
    model.objects.filter(pk__in=moved).update(position=F("position") + top + 1)
    for group in wrong:
        for pk, number in group:
            model.objects.filter(pk=pk).update(position=number)
    return True


def forwards(apps, schema_editor):
    DeepDive = apps.get_model("briefing", "DeepDive")
    Takeaway = apps.get_model("briefing", "Takeaway")
    ReadMore = apps.get_model("briefing", "ReadMore")
    ContentGeneration = apps.get_model("briefing", "ContentGeneration")

    deep_dives = dict(
        DeepDive.objects.values_list("briefing_id").annotate(count=Count("pk")).order_by()
    )
    changed = number_groups(DeepDive, "briefing_id", lambda briefing_id: 1)
    changed |= number_groups(Takeaway, "deep_dive_id", lambda deep_dive_id: 1)
    changed |= number_groups(
        ReadMore, "briefing_id", lambda briefing_id: deep_dives.get(briefing_id, 0) + 1
    )
    if changed:
        ContentGeneration.objects.filter(pk=1).update(number=F("number") + 1, changed_at=Now())


class Migration(migrations.Migration):
    dependencies = [
        ("briefing", "0009_completeness"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
