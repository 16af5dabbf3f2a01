"""The Redis cache is optional at run time: short timeouts, then a circuit breaker.

The cache backend is django-redis with IGNORE_EXCEPTIONS (settings.py): a failed cache call
is a miss, so every page is rendered from the database while Redis is down. That alone is not
enough: with Redis frozen (the process stopped, the kernel still accepting connections), every
call would wait for its socket timeout, several times per request. So the connections of the
pool below report their failures to a per-process breaker; once it is open, cache calls fail at
once (as a miss) for `CACHE_BREAKER_SECONDS` (settings.py, 5 s), after which the next call tries
Redis again.

An outage is logged as one warning a minute per process (not a traceback per request), and
its end as one line.
"""

import logging
import threading
import time

from django.conf import settings
from redis.connection import Connection, ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# At most one warning per this many seconds while the outage lasts.
WARNING_INTERVAL = 60.0


class CacheBreaker:
    def __init__(self):
        self._lock = threading.Lock()
        self.open_until = 0.0
        self.failing_since = None
        self.last_warning = None
        self.last_error = ""

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self.open_until = now + settings.CACHE_BREAKER_SECONDS
            self.last_error = " ".join(str(error).split()) or type(error).__name__
            if self.failing_since is None:
                self.failing_since = now
            warn = self.last_warning is None or now - self.last_warning >= WARNING_INTERVAL
            if warn:
                self.last_warning = now
        if warn:
            logger.warning(
                "Cache unavailable, pages are rendered from the database: %s", self.last_error
            )

    def succeeded(self) -> None:
        if self.failing_since is None:
            return
        with self._lock:
            since, self.failing_since, self.last_warning = self.failing_since, None, None
            self.open_until = 0.0
        if since is not None:
            logger.warning("Cache reachable again after %.0f s", time.monotonic() - since)

    def reset(self) -> None:
        """Forget everything (tests)."""
        self.__init__()


breaker = CacheBreaker()


def _unreachable(error: Exception) -> bool:
    """Redis is not there (refused, unreachable) or does not answer (timeout); not a connection
    closed during the handshake, which redis-py retries."""
    if isinstance(error, RedisTimeoutError | TimeoutError):
        return True
    text = str(error).lower()
    return "refused" in text or "unreachable" in text or "error 111" in text or "timed out" in text


class GuardedConnection(Connection):
    """A redis-py connection that tells the breaker about failures and successes."""

    def connect(self, *args, **kwargs):
        try:
            return super().connect(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            if _unreachable(exc):
                breaker.trip(exc)
            raise

    # On an open connection only a timeout opens the breaker: a connection closed under us
    # (Redis restarted, an idle connection dropped) is retried by redis-py on a new one, whose
    # connect() reports a Redis that is really gone.
    def send_packed_command(self, *args, **kwargs):
        try:
            return super().send_packed_command(*args, **kwargs)
        except RedisTimeoutError as exc:
            breaker.trip(exc)
            raise

    def read_response(self, *args, **kwargs):
        try:
            response = super().read_response(*args, **kwargs)
        except RedisTimeoutError as exc:
            breaker.trip(exc)
            raise
        breaker.succeeded()
        return response


class GuardedConnectionPool(ConnectionPool):
    """Hands out no connection while the breaker is open: the call fails at once."""

    def __init__(self, *args, **kwargs):
        kwargs["connection_class"] = GuardedConnection
        super().__init__(*args, **kwargs)

    def get_connection(self, *args, **kwargs):
        if breaker.is_open():
            raise RedisConnectionError(f"cache unavailable ({breaker.last_error})")
        return super().get_connection(*args, **kwargs)


def cache_status() -> str:
    """ "ok" or "unavailable", for /readyz: one PING unless the breaker is already open."""
    from django.core.cache import cache

    if breaker.is_open():
        return "unavailable"
    client = getattr(cache, "client", None)
    if client is None:  # the in-process cache cannot be unavailable
        return "ok"
    try:
        client.get_client(write=False).ping()
    except Exception as exc:  # any failure to answer is "unavailable"
        breaker.trip(exc)
        return "unavailable"
    return "ok"
