"""When PostgreSQL freezes (its processes stopped: connections accepted, nothing answered).

Against a PostgreSQL cluster of the tests' own (tests/fault_servers.py), frozen with SIGSTOP,
through the WSGI entry point gunicorn calls. The site must not wait on it: uncached pages 503,
cached pages served, /readyz 503, and everything back by itself once it thaws.
"""

import datetime
import time

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection

from briefing import cache as page_cache
from config.database import REPORT_KEY, breaker
from tests.outage import point_at, wsgi_get

pytestmark = [pytest.mark.faults, pytest.mark.postgresql]


@pytest.fixture
def frozen_database(scratch_database_server, django_db_blocker):
    server, ours, original = scratch_database_server
    breaker.reset()
    with django_db_blocker.unblock():
        point_at(ours)
        try:
            yield server
        finally:
            server.thaw()
            breaker.reset()
            point_at(original)


def wait_until_closed(limit: float = 15) -> bool:
    deadline = time.monotonic() + limit
    while breaker.is_open and time.monotonic() < deadline:
        time.sleep(0.05)
    return not breaker.is_open


def test_uncached_pages_503_cached_pages_answer_and_it_recovers_by_itself(frozen_database, caplog):
    cached = wsgi_get("/ja/2026/05/19/")
    assert cached.status_code == 200

    frozen_database.freeze()
    first = wsgi_get("/en/2026/05/19/")  # waits for the watchdog, then opens the breaker
    assert breaker.is_open
    during = {path: wsgi_get(path) for path in ("/en/archive/", "/ja/2026/05/19/", "/readyz")}

    assert first.status_code == 503
    # The page cache's generation check (it has a fallback, so it waits least), on the open
    # (persistent) connection; a new connection would give up after 2 s with "connection
    # timeout expired".
    assert breaker.reason == "no answer within 0.5 s"
    assert {path: r.status_code for path, r in during.items()} == {
        "/en/archive/": 503,
        "/ja/2026/05/19/": 200,
        "/readyz": 503,
    }
    assert during["/ja/2026/05/19/"].text == cached.text
    assert during["/readyz"].text == "database unavailable\n"
    # Reported to the other processes (config/database.py).
    assert cache.get(REPORT_KEY) == "no answer within 0.5 s"
    # Refused by the breaker, without waiting on the server again.
    refusals = [r.getMessage() for r in caplog.records if r.name == "config.errors"]
    assert refusals[1] == (
        "Database unavailable, answered 503 to GET /en/archive/: "
        "database unavailable (no answer within 0.5 s)"
    )

    breaker_reason = breaker.reason
    frozen_database.thaw()
    assert wait_until_closed()
    assert wsgi_get("/en/2026/05/19/").status_code == 200
    assert wsgi_get("/readyz").status_code == 200
    assert cache.get(REPORT_KEY) is None
    messages = [r.getMessage() for r in caplog.records if r.name == "config.database"]
    assert messages[0] == (
        f"Database unavailable ({breaker_reason}): requests that need it answer 503 until it"
        " is back"
    )
    assert messages[1].startswith("Database reachable again after ")
    assert len(messages) == 2


def test_a_process_without_a_connection_believes_another_ones_report_within_half_a_second(
    frozen_database,
):
    """A gunicorn worker started during the outage (tests/test_gunicorn_outage.py): it has no
    connection yet, and a new one to a frozen server would wait 2 s (libpq's least)."""
    cached = wsgi_get("/ja/2026/05/19/")
    connection.close()
    frozen_database.freeze()
    cache.set(REPORT_KEY, "no answer within 0.5 s", 10)  # by another process

    started = time.monotonic()
    during = {path: wsgi_get(path) for path in ("/ja/2026/05/19/", "/en/2026/05/19/", "/readyz")}
    seconds = time.monotonic() - started

    assert {path: r.status_code for path, r in during.items()} == {
        "/ja/2026/05/19/": 200,
        "/en/2026/05/19/": 503,
        "/readyz": 503,
    }
    assert during["/ja/2026/05/19/"].text == cached.text
    assert breaker.reason == "no answer within 0.5 s, reported by another process"
    # Half a second for the first (its probe's chance to prove the report wrong), then none.
    assert seconds < 2


def test_a_report_left_behind_keeps_no_process_from_a_database_that_answers(frozen_database):
    connection.close()
    cache.set(REPORT_KEY, "no answer within 0.5 s", 10)  # an outage that is over

    page = wsgi_get("/en/2026/05/19/")

    assert page.status_code == 200
    assert not breaker.is_open
    assert cache.get(REPORT_KEY) is None  # withdrawn by the probe that proved it wrong


def test_readiness_gives_up_on_a_frozen_database_before_the_breaker_knows(frozen_database):
    assert wsgi_get("/readyz").status_code == 200

    frozen_database.freeze()
    ready = wsgi_get("/readyz")

    assert (ready.status_code, ready.text) == (503, "database unavailable\n")
    # On the open connection; a new connection would give up after 2 s (libpq's least).
    assert breaker.reason == "no answer within 1.5 s"


@pytest.mark.parametrize("copy", ["kept", "evicted"])
def test_a_cached_page_is_served_when_the_generation_cannot_be_read(frozen_database, copy):
    # Later than the publication (at the time the session's fixture made it).
    with time_machine.travel(datetime.datetime(2030, 6, 1, 9, 0, tzinfo=datetime.UTC)):
        cached = wsgi_get("/ja/2026/05/19/")
        assert cached.status_code == 200
        frozen_database.freeze()
        if copy == "evicted":  # then the last generation read, kept without expiry, serves
            cache.delete(page_cache.GENERATION_KEY)
        during = wsgi_get("/ja/2026/05/19/")

    assert (during.status_code, during.text) == (200, cached.text)
    assert breaker.reason == "no answer within 0.5 s"


def test_a_cached_page_is_served_even_when_the_cache_lost_the_last_generation(frozen_database):
    with time_machine.travel(datetime.datetime(2030, 6, 1, 9, 0, tzinfo=datetime.UTC)):
        cached = wsgi_get("/ja/2026/05/19/")
        assert cached.status_code == 200
        # Redis was unreachable when they were written, or evicted them: this process's copy
        # serves.
        cache.delete_many([page_cache.GENERATION_KEY, page_cache.LAST_GENERATION_KEY])
        frozen_database.freeze()
        during = wsgi_get("/ja/2026/05/19/")

    assert (during.status_code, during.text) == (200, cached.text)
