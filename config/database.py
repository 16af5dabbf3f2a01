"""PostgreSQL fails fast: a watchdog for stuck queries and a circuit breaker (per process).

A stopped PostgreSQL refuses connections at once, but a frozen one (its processes stopped, an
overloaded machine, a half-open network path) does not: the kernel still accepts connections and
data, and nothing answers. `connect_timeout` bounds new connections; nothing in libpq bounds a
query on an open connection (PostgreSQL's statement_timeout is enforced by the server, which is
not running; TCP keepalives and tcp_user_timeout are answered by the kernel). So, during a web
request:

- a **watchdog** thread shuts the connection's socket down when a query, commit or rollback has
  waited longer than `DJANGO_DB_QUERY_TIMEOUT` (3 s): the query fails at once with a
  connection error, which the site answers with its 503 page;
- that failure, or a connection attempt that timed out, opens a **circuit breaker**: until PostgreSQL
  answers again, every request that needs the database gets the 503 page at once instead of
  waiting in turn, so workers stay free for the pages that do not need it (cached pages, the
  probes). A background thread tries a new connection every half second and closes the breaker
  as soon as one answers;
- the breaker is per process, so while it is open the process also **reports the outage** in the
  shared cache (Redis), renewed at every failed try and withdrawn when the database answers. A
  process about to open a new connection during a request (a worker started during the outage,
  or one whose connection had aged out) reads that report first and, when there is one, opens
  its own breaker and gives its probe half a second to prove the report wrong, rather than
  waiting for a frozen server's connect timeout (2 s at least, libpq's minimum): otherwise each
  new gunicorn worker (max_requests replaces them every few thousand requests) would keep its
  first requests, cached pages included, waiting 2 s. A report that is wrong (left behind, or
  from an instance cut off on its own) costs that request the few milliseconds of one probe.

Management commands and other work outside a request are left alone: a migration or a restore
may legitimately wait on a lock for longer. Used by the `config.postgresql` backend.
"""

import contextlib
import logging
import os
import socket
import threading
import time

from django.core.signals import request_finished, request_started

logger = logging.getLogger(__name__)

PROBE_INTERVAL = 0.5
# The outage report in the shared cache, and how long it lasts unless renewed: longer than a
# failed probe takes (a connect timeout, or a query timeout, plus the interval).
REPORT_KEY = "database:unavailable"
REPORT_SECONDS = 10
# How long a request waits for its process's first probe after reading a report.
REPORT_CHECK_SECONDS = 0.5

_request = threading.local()


def _request_started(**kwargs):
    _request.active = True
    _request.limit = None


def _request_finished(**kwargs):
    _request.active = False
    _request.limit = None


request_started.connect(_request_started, dispatch_uid="config.database.request_started")
request_finished.connect(_request_finished, dispatch_uid="config.database.request_finished")


def in_request() -> bool:
    return getattr(_request, "active", False)


@contextlib.contextmanager
def time_limit(seconds: float):
    """Lower the time a query may wait within the block (for work that has a fallback, such as
    checking a cached page's generation, or the readiness probe)."""
    previous = getattr(_request, "limit", None)
    _request.limit = seconds if previous is None else min(previous, seconds)
    try:
        yield
    finally:
        _request.limit = previous


def current_limit(default: float) -> float:
    limit = getattr(_request, "limit", None)
    return default if limit is None else min(limit, default)


class Watchdog:
    """One thread per process; arming and disarming costs a lock and a dictionary write."""

    def __init__(self):
        self._lock = threading.Condition()
        self._armed = {}  # token -> [deadline, fd, fired]
        self._next_token = 0
        self._thread = None
        self._wakes_at = None  # when the thread looks again (None: only when woken)

    def arm(self, fd: int, seconds: float) -> int:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="database-watchdog", daemon=True
                )
                self._thread.start()
            self._next_token += 1
            deadline = time.monotonic() + seconds
            self._armed[self._next_token] = [deadline, fd, False]
            # Woken only when it would otherwise look too late: waking it for every query
            # (a thread switch each time) was a fifth of what the page cache's query costs.
            if self._wakes_at is None or deadline < self._wakes_at:
                self._lock.notify()
            return self._next_token

    def disarm(self, token: int) -> bool:
        """Whether the watchdog fired for this token."""
        with self._lock:
            return self._armed.pop(token)[2]

    def _run(self):
        with self._lock:
            while True:
                now = time.monotonic()
                waiting = [entry for entry in self._armed.values() if not entry[2]]
                for entry in waiting:
                    if entry[0] <= now:
                        entry[2] = True
                        _shut_down(entry[1])
                pending = [entry[0] for entry in waiting if not entry[2]]
                self._wakes_at = max(now + 0.01, min(pending)) if pending else None
                self._lock.wait(timeout=self._wakes_at - now if pending else None)


def _shut_down(fd: int) -> None:
    """Wake whoever waits on the socket: their read fails as if the server had gone."""
    try:
        sock = socket.socket(fileno=os.dup(fd))
    except OSError:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.close()


watchdog = Watchdog()


class DatabaseBreaker:
    def __init__(self):
        self._lock = threading.Lock()
        self.open_since = None
        self.reason = ""
        self._probe = None

    @property
    def is_open(self) -> bool:
        return self.open_since is not None

    def trip(self, reason: str, probe) -> None:
        """Open (if closed) and start probing with `probe()`, which raises until the database
        answers."""
        with self._lock:
            if self.open_since is not None:
                return
            self.open_since = time.monotonic()
            self.reason = reason
        logger.warning(
            "Database unavailable (%s): requests that need it answer 503 until it is back", reason
        )
        # Reported before the probe starts: a probe that succeeds at once withdraws the report,
        # and a report written after that would outlive the outage it describes.
        _report(reason)
        self._probe = threading.Thread(
            target=self._wait_for_database, args=(probe,), name="database-probe", daemon=True
        )
        self._probe.start()

    def _wait_for_database(self, probe) -> None:
        while self.open_since is not None:
            try:
                probe()
            except Exception:  # any failure means "not yet"
                if self.open_since is not None:
                    _report(self.reason)
                time.sleep(PROBE_INTERVAL)
                continue
            self.close()

    def close(self) -> None:
        with self._lock:
            since, self.open_since = self.open_since, None
        if since is not None:
            _withdraw_report()
            logger.warning("Database reachable again after %.1f s", time.monotonic() - since)

    def reported_reason(self) -> str | None:
        """The reason another process gave for its open breaker, if one is reported (one cache
        read)."""
        from django.core.cache import cache

        report = cache.get(REPORT_KEY)
        return report if isinstance(report, str) else None

    def wait_closed(self, seconds: float) -> bool:
        """Whether the breaker is closed within `seconds` (by the probe)."""
        deadline = time.monotonic() + seconds
        while self.open_since is not None and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.open_since is None

    def reset(self) -> None:
        """Forget everything (tests): the probe thread stops at its next attempt."""
        with self._lock:
            self.open_since = None


def _report(reason: str) -> None:
    from django.core.cache import cache

    # Never stored from the report itself: the first reason travels, not a chain of them.
    cache.set(REPORT_KEY, reason.removesuffix(REPORTED_SUFFIX), REPORT_SECONDS)


def _withdraw_report() -> None:
    from django.core.cache import cache

    cache.delete(REPORT_KEY)


# Appended to the reason of a breaker opened on another process's report.
REPORTED_SUFFIX = ", reported by another process"

breaker = DatabaseBreaker()
