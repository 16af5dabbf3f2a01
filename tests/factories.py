"""Small builders for real briefings in the test database."""

import datetime

from django.utils import timezone

from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from editorial.management.commands.load_demo_issue import DEMO_ISSUE

# The moment clock-dependent tests stand in (the `frozen_clock` fixture): the morning of the
# default issue date, in Tokyo.
NOW = datetime.datetime(2026, 5, 19, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))

# The demo issue, the real issue the plain-text format was written from.
SEED = DEMO_ISSUE


def make_briefing(
    date=datetime.date(2026, 5, 19),
    *,
    status=Briefing.Status.PUBLISHED,
    publish_at=None,
    deep_dives=1,
    takeaways=2,
    read_more=1,
    keywords=(),
    **fields,
) -> Briefing:
    if status == Briefing.Status.PUBLISHED and publish_at is None:
        publish_at = timezone.now() - datetime.timedelta(hours=1)
    defaults = {
        "theme_ja": f"テーマ {date:%m/%d}",
        "theme_en": f"Theme {date:%m/%d}",
        "lead_ja": "リード文。",
        "lead_en": "The lead.",
        "tldr_ja": "要約です。",
        "tldr_en": "The summary.",
    }
    briefing = Briefing.objects.create(
        date=date, status=status, publish_at=publish_at, **(defaults | fields)
    )
    for number in range(1, deep_dives + 1):
        deep_dive = DeepDive.objects.create(
            briefing=briefing,
            position=number,
            title_ja=f"ディープダイブ{number}",
            title_en=f"Deep dive {number}",
            what_happened_ja="出来事。",
            what_happened_en="What happened.",
            why_it_matters_ja="重要性。",
            why_it_matters_en="Why it matters.",
            practical_points_ja="実践。",
            practical_points_en="Practical points.",
        )
        for takeaway_number in range(1, takeaways + 1):
            Takeaway.objects.create(
                deep_dive=deep_dive,
                position=takeaway_number,
                text_ja=f"ポイント{takeaway_number}",
                text_en=f"Takeaway {takeaway_number}",
            )
    for offset in range(1, read_more + 1):
        ReadMore.objects.create(
            briefing=briefing,
            position=deep_dives + offset,
            title_ja=f"関連記事{offset}",
            title_en=f"Related {offset}",
            summary_ja="概要。",
            summary_en="Summary.",
            url=f"https://example.com/{offset}",
        )
    for name_en in keywords:
        keyword, _created = Keyword.objects.get_or_create(
            slug=name_en.lower().replace(" ", "-"),
            defaults={"name_en": name_en, "name_ja": f"{name_en}（日本語）"},
        )
        briefing.keywords.add(keyword)
    return briefing


def make_user(username="editor", *, role=None, staff=True, superuser=False):
    """A user with a password of "pw"; `role` is a group name from editorial.roles."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username, password="pw", is_staff=staff, is_superuser=superuser
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user


def run_command(*args) -> str:
    """Run a management command; return what it printed."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
