"""When Redis goes away or freezes: every page from the database, saves work, nothing stale after.

Against a Redis server of the test's own (tests/fault_servers.py), stopped or frozen with
SIGSTOP. The breaker leaves Redis alone for 5 s after a failure (CACHE_BREAKER_SECONDS); "5 s
later" is simulated with `breaker.reset()` (time_machine cannot move the monotonic clock the
breaker reads). Another worker process is simulated by resetting this process's state
(`another_worker()`).
"""

import time

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefing import cache as page_cache
from config.redis_cache import breaker
from config.settings import redis_cache
from editorial.roles import EDITORS
from tests.admin_forms import change_form_data
from tests.factories import make_briefing, make_user
from tests.fault_servers import ScratchRedis

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

URL = "/en/2026/05/19/"
PUBLIC_PATHS = [
    URL,
    "/ja/2026/05/19/",
    "/en/2026/05/19/both/",
    "/en/",
    "/en/archive/",
    "/en/search/?q=Theme",
    "/en/feed/",
    "/sitemap.xml",
    "/robots.txt",
    "/api/v1/briefings/",
    "/api/v1/briefings/2026-05-19/",
]


@pytest.fixture
def redis_server(settings):
    server = ScratchRedis()
    server.start()
    settings.CACHES = {**settings.CACHES, "default": redis_cache(server.url, "fault-test")}
    breaker.reset()
    try:
        yield server
    finally:
        server.destroy()
        breaker.reset()


def edit_theme(briefing, theme: str) -> None:
    briefing.theme_en = theme
    briefing.save()


def cache_warnings(caplog) -> list[str]:
    return [
        f"{record.levelname} {record.getMessage()}"
        for record in caplog.records
        if record.name == "config.redis_cache"
    ]


@pytest.mark.parametrize("outage", ["stop", "freeze"])
def test_every_public_page_is_rendered_from_the_database_during_an_outage(
    client, redis_server, caplog, outage
):
    make_briefing()
    cached = client.get(URL)
    assert client.get(URL).content == cached.content

    getattr(redis_server, outage)()
    responses = {path: client.get(path) for path in PUBLIC_PATHS for _ in range(3)}

    assert {path: response.status_code for path, response in responses.items()} == dict.fromkeys(
        PUBLIC_PATHS, 200
    )
    assert "Theme 05/19" in responses[URL].content.decode()
    # One warning, not one per request or per cache call, and no traceback.
    [warning] = cache_warnings(caplog)
    reason = "Error 111 connecting" if outage == "stop" else "Timeout"
    assert warning.startswith(
        f"WARNING Cache unavailable, pages are rendered from the database: {reason}"
    )
    assert not [record for record in caplog.records if record.exc_info]
    assert not [record for record in caplog.records if record.name == "django.request"]


@pytest.mark.parametrize("outage", ["stop", "freeze"])
def test_readiness_says_the_cache_is_degraded(client, redis_server, outage):
    assert client.get("/readyz").content == b"ready\n"

    getattr(redis_server, outage)()
    first = client.get("/readyz")
    breaker.reset()  # 5 s later: Redis is tried again
    again = client.get("/readyz")

    assert (first.status_code, first.content) == (200, b"ready, cache degraded\n")
    assert (again.status_code, again.content) == (200, b"ready, cache degraded\n")


def test_pages_come_from_the_cache_again_once_the_breaker_time_is_over(
    client, redis_server, settings
):
    settings.CACHE_BREAKER_SECONDS = 1
    make_briefing()
    client.get(URL)
    redis_server.freeze()
    client.get(URL)  # opens the breaker
    redis_server.thaw()

    with CaptureQueriesContext(connection) as still_open:
        assert client.get(URL).status_code == 200
    time.sleep(1.1)
    with CaptureQueriesContext(connection) as closed:
        assert client.get(URL).status_code == 200

    assert len(still_open) > 1  # rendered from the database
    assert [query["sql"] for query in closed.captured_queries] == [page_cache.NUMBER_QUERY]


@pytest.mark.parametrize("outage", ["stop", "freeze"])
def test_admin_saves_succeed_during_an_outage(redis_server, outage):
    briefing = make_briefing()
    editor = Client()
    editor.force_login(make_user("erika", role=EDITORS))
    url = reverse("admin:briefing_briefing_change", args=[briefing.pk])
    form = change_form_data(editor.get(url))

    getattr(redis_server, outage)()
    saved = editor.post(url, form | {"theme_en": "Saved while the cache was down"})

    assert saved.status_code == 302
    briefing.refresh_from_db()
    assert briefing.theme_en == "Saved while the cache was down"
    assert "Saved while the cache was down" in Client().get(URL).content.decode()


def test_a_thawed_redis_with_its_old_keys_serves_no_page_older_than_an_edit(client, redis_server):
    briefing = make_briefing()
    assert "Theme 05/19" in client.get(URL).content.decode()  # stored in Redis

    redis_server.freeze()
    # A reader first: the breaker opens, so nothing of the edit is sent to Redis (a command
    # sent to a frozen Redis runs when it thaws).
    during = client.get(URL)
    edit_theme(briefing, "Edited while Redis was frozen")
    redis_server.thaw()
    breaker.reset()
    after = client.get(URL)

    assert "Theme 05/19" in during.content.decode()
    assert "Edited while Redis was frozen" in after.content.decode()


def another_worker() -> None:
    """Requests from here on are served as by a second worker process: its own connection to
    Redis, a closed breaker (it saw no failure, or its 5 s are over), and nothing else of the
    first worker's (no generation read before)."""
    caches["default"] = caches.create_connection("default")
    breaker.reset()
    page_cache._last_read = None


@pytest.mark.parametrize(
    "outage", ["frozen, breaker open", "frozen during the edit", "restarted with its keys"]
)
def test_another_worker_serves_no_page_older_than_an_edit_made_while_redis_was_away(
    client, redis_server, outage
):
    briefing = make_briefing()
    assert "Theme 05/19" in client.get(URL).content.decode()  # page and generation in Redis

    # Worker A: Redis goes away and an editor saves; the edit cannot reach Redis.
    if outage == "restarted with its keys":
        redis_server.stop_keeping_keys()
    else:
        redis_server.freeze()
    if outage == "frozen, breaker open":
        client.get(URL)  # a reader opens the breaker: the edit sends nothing to Redis
    edit_theme(briefing, "Edited while Redis was away")
    if outage == "restarted with its keys":
        redis_server.start()
    else:
        redis_server.thaw()
    another_worker()
    # Redis answers again with the keys it held (well within 5 s of the edit).
    assert cache.get(page_cache.GENERATION_KEY) is not None
    after = client.get(URL)
    again = client.get(URL)

    assert "Edited while Redis was away" in after.content.decode()
    assert again.content == after.content


def test_a_restarted_empty_redis_serves_no_page_older_than_an_edit(client, redis_server):
    briefing = make_briefing()
    assert "Theme 05/19" in client.get(URL).content.decode()

    redis_server.stop()
    edit_theme(briefing, "Edited while Redis was down")
    redis_server.start()
    another_worker()
    after = client.get(URL)
    again = client.get(URL)

    assert "Edited while Redis was down" in after.content.decode()
    assert again.content == after.content
