"""Data migrations, run on rows the tests make (their schema is the current one)."""

import importlib

import pytest
from django.apps import apps

from briefing.models import ContentGeneration, DeepDive, ReadMore, Takeaway
from tests.factories import make_briefing

pytestmark = pytest.mark.django_db

numbered_from_one_again = importlib.import_module(
    "briefing.migrations.0010_parts_numbered_from_one_again"
)


def numbering(briefing):
    deep_dives = briefing.deep_dives.order_by("position")
    return (
        [(d.position, d.title_en) for d in deep_dives],
        [[(t.position, t.text_en) for t in d.takeaways.order_by("position")] for d in deep_dives],
        [(r.position, r.title_en) for r in briefing.read_more.order_by("position")],
    )


def number_from_zero(model, **parent):
    """As an admin save did before editorial.inlines numbered every row itself."""
    for index, row in enumerate(model.objects.filter(**parent).order_by("position")):
        model.objects.filter(pk=row.pk).update(position=row.position + 100)
        model.objects.filter(pk=row.pk).update(position=index)


def test_parts_numbered_from_0_are_numbered_as_before_in_the_same_order():
    briefing = make_briefing(deep_dives=2, takeaways=2, read_more=2)
    untouched = make_briefing(briefing.date.replace(day=18), deep_dives=2, read_more=1)
    expected, expected_untouched = numbering(briefing), numbering(untouched)
    number_from_zero(DeepDive, briefing=briefing)
    for deep_dive in briefing.deep_dives.all():
        number_from_zero(Takeaway, deep_dive=deep_dive)
    number_from_zero(ReadMore, briefing=briefing)
    assert [n for n, _title in numbering(briefing)[0]] == [0, 1]
    generation = ContentGeneration.objects.get(pk=1).number

    numbered_from_one_again.forwards(apps, None)

    assert numbering(briefing) == expected
    assert expected[0][0][0] == 1 and expected[2][0][0] == 3  # read-more after the deep dives
    assert numbering(untouched) == expected_untouched
    assert ContentGeneration.objects.get(pk=1).number == generation + 1


def test_read_more_items_left_behind_a_deleted_deep_dive_follow_the_deep_dives_again():
    briefing = make_briefing(deep_dives=3, takeaways=0, read_more=2)
    briefing.deep_dives.get(position=3).delete()  # as the admin did: read-more kept 4 and 5

    numbered_from_one_again.forwards(apps, None)

    assert [n for n, _title in numbering(briefing)[2]] == [3, 4]


def test_numbers_from_1_are_left_alone_and_no_page_goes_stale():
    briefing = make_briefing(deep_dives=2, takeaways=2, read_more=2)
    expected = numbering(briefing)
    generation = ContentGeneration.objects.get(pk=1).number

    numbered_from_one_again.forwards(apps, None)

    assert numbering(briefing) == expected
    assert ContentGeneration.objects.get(pk=1).number == generation
