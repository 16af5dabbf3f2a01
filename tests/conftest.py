import os

import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, as a fresh request would."""
    with translation.override("ja"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rendered pages must not leak from one test to the next (the database is rolled back,
    which sends no signal to invalidate them)."""
    cache.clear()
    yield
    cache.clear()


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
            "tests marked `postgresql` or `faults` are deselected here; they run in the"
            " PostgreSQL pass"
        )


def pytest_collection_modifyitems(config, items):
    if _on_postgresql():
        return

    def heavy(item):
        return item.get_closest_marker("postgresql") or item.get_closest_marker("faults")

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
