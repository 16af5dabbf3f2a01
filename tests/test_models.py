import datetime

import pytest
from django.db import IntegrityError, transaction

from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from tests.factories import NOW, make_briefing

pytestmark = pytest.mark.django_db

# Around the frozen clock (the `frozen_clock` fixture).
PAST = NOW - datetime.timedelta(seconds=1)
FUTURE = NOW + datetime.timedelta(seconds=1)


@pytest.mark.parametrize(
    ("status", "publish_at", "is_public"),
    [
        (Briefing.Status.PUBLISHED, PAST, True),
        (Briefing.Status.PUBLISHED, NOW, True),
        (Briefing.Status.PUBLISHED, FUTURE, False),
        (Briefing.Status.PUBLISHED, None, False),
        (Briefing.Status.DRAFT, PAST, False),
        (Briefing.Status.DRAFT, FUTURE, False),
        (Briefing.Status.DRAFT, None, False),
        (Briefing.Status.REVIEW, PAST, False),
        (Briefing.Status.REVIEW, None, False),
    ],
)
def test_published_is_status_published_and_publish_at_passed(
    frozen_clock, status, publish_at, is_public
):
    briefing = Briefing.objects.create(date=datetime.date(2026, 5, 19), status=status)
    # Bypass the factory's default so that publish_at=None is really stored.
    Briefing.objects.filter(pk=briefing.pk).update(publish_at=publish_at)

    assert list(Briefing.objects.published()) == ([briefing] if is_public else [])
    briefing.refresh_from_db()
    assert briefing.is_published is is_public


def test_it_refuses_two_briefings_on_one_date():
    make_briefing(datetime.date(2026, 5, 19))
    with pytest.raises(IntegrityError), transaction.atomic():
        Briefing.objects.create(date=datetime.date(2026, 5, 19))


def test_it_refuses_two_deep_dives_with_one_position():
    briefing = make_briefing(deep_dives=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeepDive.objects.create(briefing=briefing, position=1)


def test_it_refuses_two_takeaways_with_one_position():
    deep_dive = make_briefing(deep_dives=1, takeaways=1).deep_dives.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Takeaway.objects.create(deep_dive=deep_dive, position=1)


def test_it_refuses_two_read_more_items_with_one_position():
    briefing = make_briefing(deep_dives=1, read_more=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadMore.objects.create(briefing=briefing, position=2)


def test_it_refuses_two_keywords_with_one_slug():
    Keyword.objects.create(slug="safety", name_en="Safety")
    with pytest.raises(IntegrityError), transaction.atomic():
        Keyword.objects.create(slug="safety", name_en="Safety again")


def test_same_positions_are_allowed_in_different_parents():
    first = make_briefing(datetime.date(2026, 5, 19), deep_dives=2, takeaways=2)
    second = make_briefing(datetime.date(2026, 5, 20), deep_dives=2, takeaways=2)

    assert [d.position for d in first.deep_dives.all()] == [1, 2]
    assert [d.position for d in second.deep_dives.all()] == [1, 2]


def test_string_forms_name_the_issue_and_number():
    briefing = make_briefing(deep_dives=1, takeaways=1, read_more=1, keywords=["Safety"])
    deep_dive = briefing.deep_dives.get()

    assert str(briefing) == "2026-05-19"
    assert str(deep_dive) == "2026-05-19 · 01"
    assert str(deep_dive.takeaways.get()) == "2026-05-19 · 01 · 01"
    assert str(briefing.read_more.get()) == "2026-05-19 · 02"
    assert str(briefing.keywords.get()) == "Safety（日本語）"
