"""Cached pages through a PostgreSQL outage under gunicorn: several worker processes, one Redis.

The in-process fault tests (tests/test_database_freeze.py, tests/test_outage.py) serve every
request from the test's own process, which has itself read the generation and stored the page.
Here a real gunicorn with several workers serves the site from a PostgreSQL cluster and a Redis
of the test's own (tests/fault_servers.py), as `make loadtest` does: a page stored by one worker
must be served by any other, and by a worker started during the outage, which has never read
anything from the database.
"""

import concurrent.futures
import os
import re
import signal
import time

import pytest

from bench.common import Gunicorn, fetch, server_env
from tests.fault_servers import ScratchRedis

pytestmark = [pytest.mark.faults, pytest.mark.postgresql]

CACHED = "/ja/2026/05/19/"
UNCACHED = "/en/2026/05/19/"
WORKERS = 3


@pytest.fixture
def site(scratch_database_server, tmp_path):
    """gunicorn against the session's scratch cluster and a Redis of its own."""
    postgres, _ours, _original = scratch_database_server
    redis = ScratchRedis()
    redis.start()
    env = server_env(
        postgres.url("postgres"),
        REDIS_URL=redis.url,
        DJANGO_CACHE_KEY_PREFIX="gunicorn-outage",
        # The debug settings' static storage needs no collectstatic; nothing on the path under
        # test depends on DEBUG.
        DJANGO_DEBUG="1",
        GUNICORN_LOG_LEVEL="warning",
    )
    server = Gunicorn(env, workers=WORKERS, log_dir=tmp_path)
    try:
        server.start()
        yield server, postgres
    finally:
        try:
            # Running again, for the rest of the session.
            if (postgres.data / "postmaster.pid").exists():
                postgres.thaw()
            else:
                postgres.start()
        finally:
            server.stop()
            redis.destroy()


def get_in_parallel(server, path: str, count: int) -> list[tuple[int, bytes]]:
    """`count` simultaneous requests, so that every worker takes some: (status, body)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _n: fetch(server.base_url + path, timeout=15), range(count)))


def served_times(log_path, offset: int, count: int) -> list[int]:
    """Milliseconds each of `count` requests took in its worker, from gunicorn's access log after
    `offset` (the format of gunicorn.conf.py; a line is written just after its response)."""
    deadline = time.monotonic() + 5
    while True:
        with open(log_path, "rb") as log:
            log.seek(offset)
            text = log.read().decode(errors="replace")
        times = [int(ms) for ms in re.findall(r'"GET [^"]*" \d{3} \S+ (\d+)ms', text)]
        if len(times) >= count or time.monotonic() > deadline:
            return times
        time.sleep(0.05)


def replace_workers(server) -> None:
    """gunicorn's HUP: new worker processes, as max_requests or a crash would give."""
    old = set(server.worker_pids())
    os.kill(server.process.pid, signal.SIGHUP)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pids = set(server.worker_pids())
        if len(pids) == WORKERS and not pids & old:
            return
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not replace its workers:\n{server.tail()}")


@pytest.mark.parametrize("outage", ["stop", "freeze"])
def test_every_worker_serves_cached_pages_while_postgresql_is_away(site, outage):
    server, postgres = site
    stored = fetch(server.base_url + CACHED)
    assert stored[0] == 200
    warm = get_in_parallel(server, CACHED, 2 * WORKERS)

    if outage == "stop":
        postgres.stop("fast")
    else:
        postgres.freeze()
    during = get_in_parallel(server, CACHED, 2 * WORKERS)
    uncached = fetch(server.base_url + UNCACHED, timeout=15)
    replace_workers(server)
    served_before = server.log_path.stat().st_size
    # Workers started during the outage: they never reached the database, nor read a generation.
    new_workers = get_in_parallel(server, CACHED, 2 * WORKERS)
    new_uncached = get_in_parallel(server, UNCACHED, WORKERS)

    assert warm == [stored] * (2 * WORKERS)
    assert during == [stored] * (2 * WORKERS), server.tail()
    assert uncached[0] == 503
    assert new_workers == [stored] * (2 * WORKERS), server.tail()
    assert [status for status, _body in new_uncached] == [503] * WORKERS
    # None of them waited on the database: a new connection to a frozen server gives up only
    # after libpq's least connect_timeout, 2 s (a stopped one refuses at once). Timed by the
    # workers themselves (gunicorn's access log), not counting a worker's start.
    timed = served_times(server.log_path, served_before, 3 * WORKERS)
    assert len(timed) == 3 * WORKERS, server.tail()
    assert max(timed) < 2000, f"{timed}\n{server.tail()}"
