"""Django's PostgreSQL backend, failing fast when the server stops answering (config/database.py).

During a web request every query, commit, rollback and health check is watched (it gives up after
DJANGO_DB_QUERY_TIMEOUT seconds), and while the circuit breaker is open no connection or query is
attempted at all: the request fails at once with OperationalError, which the site answers with
its 503 page (config/errors.py). Outside requests it is Django's backend unchanged.
"""

import contextlib

from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.base import Database
from django.db.utils import OperationalError

from config.database import (
    REPORT_CHECK_SECONDS,
    REPORTED_SUFFIX,
    breaker,
    current_limit,
    in_request,
    watchdog,
)


def _socket(connection) -> int | None:
    """The connection's socket, or None when there is none to watch (no connection, or one
    already lost: whatever is attempted on it fails at once)."""
    if connection is None:
        return None
    try:
        return connection.pgconn.socket
    except Database.Error:
        return None


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(self._watched_execute)

    def _refuse_while_open(self):
        if breaker.is_open and in_request():
            raise OperationalError(f"database unavailable ({breaker.reason})")

    def _refuse_if_reported(self):
        """Before a new connection in a request: another process's report of an outage opens
        this one's breaker, and the connection is refused unless the probe proves it wrong within
        REPORT_CHECK_SECONDS (config/database.py); a frozen server would keep a connect waiting
        for 2 s."""
        if not in_request():
            return
        reason = breaker.reported_reason()
        if reason is None:
            return
        self._trip(reason + REPORTED_SUFFIX)
        if not breaker.wait_closed(REPORT_CHECK_SECONDS):
            self._refuse_while_open()

    def _trip(self, reason: str) -> None:
        breaker.trip(reason, self._probe)

    def _probe(self) -> None:
        """A new connection and one query, both bounded: raises unless the database answers."""
        connection = self.get_new_connection(self.get_connection_params())
        try:
            with self._watched(connection, settings.DATABASE_QUERY_TIMEOUT, always=True):
                connection.execute("SELECT 1")
        finally:
            connection.close()

    @contextlib.contextmanager
    def _watched(self, connection=None, seconds=None, *, always=False):
        connection = connection or self.connection
        fd = _socket(connection) if always or in_request() else None
        if fd is None:
            yield
            return
        seconds = current_limit(seconds or settings.DATABASE_QUERY_TIMEOUT)
        token = watchdog.arm(fd, seconds)
        reason = f"no answer within {seconds:g} s"
        try:
            yield
        except Exception as exc:
            if watchdog.disarm(token):
                self._gave_up(connection, reason)
                raise OperationalError(reason) from exc
            raise
        else:
            # Fired, and the error was handled below (a health check answers False instead).
            if watchdog.disarm(token):
                self._gave_up(connection, reason)

    def _gave_up(self, connection, reason: str) -> None:
        if connection is self.connection:
            self._trip(reason)

    def _watched_execute(self, execute, sql, params, many, context):
        with self._watched():
            return execute(sql, params, many, context)

    def ensure_connection(self):
        if self.connection is None:
            self._refuse_while_open()
            self._refuse_if_reported()
            try:
                super().ensure_connection()
            except OperationalError as exc:
                # Only a wait opens the breaker: a refused connection (PostgreSQL stopped) fails
                # at once anyway, and the next request simply tries again.
                if in_request() and "timeout" in str(exc):
                    self._trip(" ".join(str(exc).split()))
                raise

    def _cursor(self, name=None):
        self._refuse_while_open()
        return super()._cursor(name)

    def is_usable(self):
        try:
            with self._watched():
                return super().is_usable()
        except OperationalError:
            return False

    def _commit(self):
        with self._watched():
            return super()._commit()

    def _rollback(self):
        with self._watched():
            return super()._rollback()
