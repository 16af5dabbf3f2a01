"""When PostgreSQL freezes (its processes stopped: connections accepted, nothing answered).

Against a PostgreSQL cluster of the tests' own (tests/fault_servers.py), frozen with SIGSTOP,
through the WSGI entry point gunicorn calls. The site must not wait on it: uncached pages 503,
cached pages served, /readyz 503, and everything back by itself once it thaws.
"""

import datetime
import time

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from briefing import cache as page_cache
from config.database import breaker
from tests.factories import make_briefing
from tests.fault_servers import ScratchPostgres
from tests.outage import wsgi_get

pytestmark = [pytest.mark.faults, pytest.mark.postgresql]


def _point_at(settings_dict, server):
    connection.close()
    connection.settings_dict.update(settings_dict)


@pytest.fixture(scope="session")
def frozen_database_server(django_db_setup, django_db_blocker):
    """A migrated database with one published issue on a cluster of its own."""
    server = ScratchPostgres()
    server.init()
    server.start()
    original = {key: connection.settings_dict[key] for key in ("HOST", "PORT", "NAME")}
    ours = {"HOST": "127.0.0.1", "PORT": str(server.port), "NAME": "postgres"}
    try:
        with django_db_blocker.unblock():
            _point_at(ours, server)
            try:
                call_command("migrate", verbosity=0)
                make_briefing()
            finally:
                _point_at(original, server)
        yield server, ours, original
    finally:
        server.destroy()


@pytest.fixture
def frozen_database(frozen_database_server, django_db_blocker):
    server, ours, original = frozen_database_server
    breaker.reset()
    with django_db_blocker.unblock():
        _point_at(ours, server)
        try:
            yield server
        finally:
            server.thaw()
            breaker.reset()
            _point_at(original, server)


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
    messages = [r.getMessage() for r in caplog.records if r.name == "config.database"]
    assert messages[0] == (
        f"Database unavailable ({breaker_reason}): requests that need it answer 503 until it"
        " is back"
    )
    assert messages[1].startswith("Database reachable again after ")
    assert len(messages) == 2


def test_readiness_gives_up_on_a_frozen_database_before_the_breaker_knows(frozen_database):
    assert wsgi_get("/readyz").status_code == 200

    frozen_database.freeze()
    ready = wsgi_get("/readyz")

    assert (ready.status_code, ready.text) == (503, "database unavailable\n")
    # On the open connection; a new connection would give up after 2 s (libpq's least).
    assert breaker.reason == "no answer within 1.5 s"


@pytest.mark.parametrize("copy", ["kept", "evicted"])
def test_a_cached_page_is_served_when_the_generation_cannot_be_read(frozen_database, copy):
    from django.core.cache import cache

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
    from django.core.cache import cache

    with time_machine.travel(datetime.datetime(2030, 6, 1, 9, 0, tzinfo=datetime.UTC)):
        cached = wsgi_get("/ja/2026/05/19/")
        assert cached.status_code == 200
        # Redis was unreachable when they were written, or evicted them: this process's copy
        # serves.
        cache.delete_many([page_cache.GENERATION_KEY, page_cache.LAST_GENERATION_KEY])
        frozen_database.freeze()
        during = wsgi_get("/ja/2026/05/19/")

    assert (during.status_code, during.text) == (200, cached.text)
