"""The database watchdog (config/database.py) gives up on each wait at its own deadline, however
many others are armed, and whatever order they were armed in; the breaker it opens withdraws its
outage report once the database answers."""

import socket
import time

from django.core.cache import cache

from config import database
from config.database import Watchdog


def shut_down_after(watchdog: Watchdog, sock: socket.socket, limit: float) -> float | None:
    """Seconds until the watchdog shut `sock` down (a read returns EOF), None if it did not."""
    started = time.monotonic()
    sock.settimeout(limit)
    try:
        data = sock.recv(1)
    except TimeoutError:
        return None
    assert data == b""
    return time.monotonic() - started


def test_a_short_wait_armed_after_a_long_one_is_given_up_on_time():
    watchdog = Watchdog()
    long_wait, long_peer = socket.socketpair()
    short_wait, short_peer = socket.socketpair()
    try:
        long_token = watchdog.arm(long_wait.fileno(), 30)
        time.sleep(0.05)  # the watchdog now sleeps until the long deadline
        short_token = watchdog.arm(short_wait.fileno(), 0.2)

        waited = shut_down_after(watchdog, short_wait, 5)

        assert waited is not None and waited < 1
        assert watchdog.disarm(short_token) is True
        assert watchdog.disarm(long_token) is False
    finally:
        for sock in (long_wait, long_peer, short_wait, short_peer):
            sock.close()


def test_a_long_wait_armed_after_a_short_one_is_not_given_up_early():
    watchdog = Watchdog()
    short_wait, short_peer = socket.socketpair()
    long_wait, long_peer = socket.socketpair()
    try:
        short_token = watchdog.arm(short_wait.fileno(), 0.2)
        long_token = watchdog.arm(long_wait.fileno(), 0.6)

        assert shut_down_after(watchdog, short_wait, 5) is not None
        assert shut_down_after(watchdog, long_wait, 0.2) is None  # not yet
        assert shut_down_after(watchdog, long_wait, 5) is not None
        assert (watchdog.disarm(short_token), watchdog.disarm(long_token)) == (True, True)
    finally:
        for sock in (short_wait, short_peer, long_wait, long_peer):
            sock.close()


def test_a_breaker_whose_first_probe_succeeds_leaves_no_outage_reported(monkeypatch):
    """The report is written before the probe starts: written after a probe that succeeded at
    once, it would keep every new process away from a database that answers, for 10 s."""
    report = database._report

    def slow_report(reason):  # one Redis round trip on a busy machine
        time.sleep(0.05)
        report(reason)

    monkeypatch.setattr(database, "_report", slow_report)
    cache.delete(database.REPORT_KEY)
    breaker = database.DatabaseBreaker()

    breaker.trip("no answer within 0.5 s", probe=lambda: None)

    assert breaker.wait_closed(2) is True
    assert cache.get(database.REPORT_KEY) is None
