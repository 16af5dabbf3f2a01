"""The watchdog that gives up on a query PostgreSQL never answers (config/database.py), on its
own: sockets stand in for database connections, so these run without any database."""

import socket
import time

from config.database import Watchdog


def wait_for_shutdown(sock, within: float) -> float:
    """Seconds until the other end of `sock` was shut down (recv returns b"")."""
    started = time.monotonic()
    sock.settimeout(within)
    assert sock.recv(1) == b""
    return time.monotonic() - started


def test_it_shuts_a_connection_down_when_its_time_is_up():
    watchdog = Watchdog()
    ours, theirs = socket.socketpair()
    with ours, theirs:
        token = watchdog.arm(ours.fileno(), 0.05)
        assert wait_for_shutdown(theirs, within=2) < 1
        assert watchdog.disarm(token) is True


def test_a_query_answered_in_time_is_left_alone():
    watchdog = Watchdog()
    ours, theirs = socket.socketpair()
    with ours, theirs:
        token = watchdog.arm(ours.fileno(), 0.2)
        assert watchdog.disarm(token) is False
        time.sleep(0.4)
        ours.sendall(b"x")
        assert theirs.recv(1) == b"x"


def test_a_shorter_limit_armed_later_is_kept_on_time():
    # The thread sleeps until the earliest deadline it knows and is woken only for an earlier
    # one: a short limit armed after a long one must still fire at its own time.
    watchdog = Watchdog()
    long_ours, long_theirs = socket.socketpair()
    ours, theirs = socket.socketpair()
    with long_ours, long_theirs, ours, theirs:
        long_token = watchdog.arm(long_ours.fileno(), 30)
        time.sleep(0.05)  # the thread is asleep until the long deadline
        token = watchdog.arm(ours.fileno(), 0.05)
        assert wait_for_shutdown(theirs, within=5) < 1
        assert watchdog.disarm(token) is True
        assert watchdog.disarm(long_token) is False


def test_limits_armed_while_the_thread_sleeps_still_fire():
    # Deadlines after the one the thread sleeps until do not wake it; it finds them when it
    # wakes for that one.
    watchdog = Watchdog()
    pairs = [socket.socketpair() for _ in range(3)]
    try:
        tokens = []
        for ours, _theirs in pairs:
            tokens.append(watchdog.arm(ours.fileno(), 0.1))
            time.sleep(0.03)
        for _ours, theirs in pairs:
            assert wait_for_shutdown(theirs, within=5) < 2
        assert [watchdog.disarm(token) for token in tokens] == [True, True, True]
    finally:
        for ours, theirs in pairs:
            ours.close()
            theirs.close()
