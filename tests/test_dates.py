"""True publication dates: what machines read about when an issue came out."""

import datetime
import json
import re
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
import time_machine
from django.core.management import CommandError

from briefing.models import Briefing
from editorial.interchange.importing import save_briefing_data
from editorial.interchange.textformat import parse_briefing_text
from tests.factories import SEED, make_briefing, run_command

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
# Long after the demo issue's date (2026-05-19): importing it then is a backfill.
LATER = datetime.datetime(2026, 11, 29, 13, 48, tzinfo=datetime.UTC)


def test_a_backfill_published_on_import_is_stamped_with_its_own_date_at_the_edition_hour():
    with time_machine.travel(LATER, tick=False):
        output = run_command("import_briefing", str(SEED), "--publish")

    briefing = Briefing.objects.get()
    assert briefing.publish_at == datetime.datetime(2026, 5, 19, 7, 0, tzinfo=TOKYO)
    assert output.startswith("Imported 2026-05-19 (Published as of 2026-05-19T07:00:00+09:00): ")


def test_the_edition_hour_is_a_setting(settings):
    settings.EDITION_TIME = datetime.time(5, 30)
    with time_machine.travel(LATER, tick=False):
        run_command("import_briefing", str(SEED), "--publish")

    assert Briefing.objects.get().publish_at == datetime.datetime(2026, 5, 19, 5, 30, tzinfo=TOKYO)


def test_todays_issue_published_before_its_edition_hour_is_stamped_now():
    now = datetime.datetime(2026, 5, 19, 6, 15, tzinfo=TOKYO)
    with time_machine.travel(now, tick=False):
        run_command("import_briefing", str(SEED), "--publish")

    assert Briefing.objects.get().publish_at == now


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2026-05-19T08:30:00+09:00", datetime.datetime(2026, 5, 19, 8, 30, tzinfo=TOKYO)),
        # Without an offset: in TIME_ZONE.
        ("2026-05-19T08:30", datetime.datetime(2026, 5, 19, 8, 30, tzinfo=TOKYO)),
        ("2026-05-19T00:00:00Z", datetime.datetime(2026, 5, 19, 9, 0, tzinfo=TOKYO)),
    ],
)
def test_publish_at_sets_the_moment_explicitly(given, expected):
    with time_machine.travel(LATER, tick=False):
        run_command("import_briefing", str(SEED), "--publish-at", given)

    briefing = Briefing.objects.get()
    assert (briefing.status, briefing.publish_at) == (Briefing.Status.PUBLISHED, expected)


def test_publish_at_in_the_future_schedules_the_issue():
    with time_machine.travel(datetime.datetime(2026, 5, 18, 12, 0, tzinfo=TOKYO), tick=False):
        run_command("import_briefing", str(SEED), "--publish-at", "2026-05-19T07:00+09:00")
        assert list(Briefing.objects.published()) == []
        assert list(Briefing.objects.scheduled().values_list("date", flat=True)) == [
            datetime.date(2026, 5, 19)
        ]


def test_a_publish_at_that_is_not_a_moment_is_refused_and_nothing_is_saved():
    with pytest.raises(CommandError, match="publish-at"):
        run_command("import_briefing", str(SEED), "--publish-at", "tomorrow")
    assert Briefing.objects.count() == 0


def test_the_demo_issue_gets_its_true_date():
    with time_machine.travel(LATER, tick=False):
        run_command("load_demo_issue")

    assert Briefing.objects.get().publish_at == datetime.datetime(2026, 5, 19, 7, 0, tzinfo=TOKYO)


@pytest.fixture
def backfilled(client):
    """The demo issue imported months after its date, then read."""
    with time_machine.travel(LATER, tick=False):
        save_briefing_data(parse_briefing_text(SEED.read_bytes()), publish=True)
    return "2026-05-19T07:00:00+09:00"


def test_every_date_a_machine_reads_is_the_publication_moment(client, backfilled):
    page = client.get("/en/2026/05/19/").content.decode()
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))
    assert (ld["datePublished"], ld["dateModified"]) == (backfilled, backfilled)
    assert f'<meta property="article:published_time" content="{backfilled}">' in page

    rss = ET.fromstring(client.get("/en/feed/").content).find("channel/item")
    assert rss.findtext("pubDate") == "Mon, 18 May 2026 22:00:00 +0000"
    atom = ET.fromstring(client.get("/en/feed/atom/").content)
    entry = atom.find("{http://www.w3.org/2005/Atom}entry")
    moment = datetime.datetime.fromisoformat(backfilled)
    for element in ("published", "updated"):
        stamp = entry.findtext(f"{{http://www.w3.org/2005/Atom}}{element}")
        assert datetime.datetime.fromisoformat(stamp) == moment

    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    sm = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    lastmods = {u.findtext(f"{sm}loc"): u.findtext(f"{sm}lastmod") for u in sitemap}
    assert lastmods["http://127.0.0.1:8000/en/2026/05/19/"] == "2026-05-19"

    assert client.get("/api/v1/briefings/2026-05-19/").json()["published_at"] == backfilled
    listed = client.get("/api/v1/briefings/").json()["results"]
    assert [item["published_at"] for item in listed] == [backfilled]


def test_publishing_now_stamps_now():
    from editorial.workflow import publish_now

    briefing = make_briefing(status=Briefing.Status.REVIEW)
    now = datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(now, tick=False):
        publish_now(briefing)

    briefing.refresh_from_db()
    assert briefing.publish_at == now
