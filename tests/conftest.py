import os

import pytest
import time_machine
from django.core.cache import caches
from django.utils import translation

from tests.cache_keys import delete_own_keys
from tests.factories import NOW


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, as a fresh request would."""
    with translation.override("ja"):
        yield


@pytest.fixture(autouse=True)
def _cache_reachable():
    """A test that made Redis or PostgreSQL unreachable must not leave the next one with an open
    breaker (or a generation read before): they are per process (config/redis_cache.py,
    config/database.py, briefing/cache.py)."""
    from briefing import cache as page_cache
    from config.database import breaker as database_breaker
    from config.redis_cache import breaker

    breaker.reset()
    database_breaker.reset()
    page_cache._last_read = None
    yield
    breaker.reset()
    database_breaker.reset()
    page_cache._last_read = None


@pytest.fixture(autouse=True)
def _empty_cache(_cache_reachable):
    """Rendered pages must not leak from one test to the next (the database is rolled back,
    which sends no signal to invalidate them). On Redis only the tests' own keys are deleted,
    never the whole database (tests/cache_keys.py)."""
    delete_own_keys(caches["default"])
    yield
    delete_own_keys(caches["default"])


@pytest.fixture(scope="session")
def scratch_database_server(django_db_setup, django_db_blocker):
    """A PostgreSQL cluster of the session's own (tests/fault_servers.py), to stop and freeze:
    its `postgres` database migrated, with one published issue (2026-05-19). Yields the server,
    the connection settings that point at it and those of the test database."""
    from django.core.management import call_command
    from django.db import connection

    from tests.factories import make_briefing
    from tests.fault_servers import ScratchPostgres
    from tests.outage import point_at

    server = ScratchPostgres()
    server.init()
    server.start()
    original = {key: connection.settings_dict[key] for key in ("HOST", "PORT", "NAME")}
    ours = {"HOST": "127.0.0.1", "PORT": str(server.port), "NAME": "postgres"}
    try:
        with django_db_blocker.unblock():
            point_at(ours)
            try:
                call_command("migrate", verbosity=0)
                make_briefing()
            finally:
                point_at(original)
        yield server, ours, original
    finally:
        server.destroy()


@pytest.fixture
def frozen_clock():
    """The clock stopped at NOW, for a test whose answer depends on the time: request it before
    making any data, so that "scheduled", "due" and "saved after" mean the same on every day the
    suite runs. `frozen_clock.move_to(...)` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The real hasher is slow on purpose; tests log users in hundreds of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_report_header(config):
    if not _on_postgresql():
        return (
            "tests marked `postgresql`, `faults` or `browser` are deselected here; they run in the"
            " PostgreSQL pass"
        )


def pytest_collection_modifyitems(config, items):
    if _on_postgresql():
        return

    def heavy(item):
        # Real-browser tests are slow: CI runs them once, in the PostgreSQL pass.
        return any(item.get_closest_marker(name) for name in ("postgresql", "faults", "browser"))

    deselected = [item for item in items if heavy(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not heavy(item)]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (CI=true) a skipped test is a failure: everything must really run there."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {reason}"
