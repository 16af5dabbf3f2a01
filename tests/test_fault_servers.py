"""The fault tests' own servers are each on a port of their own, and a Redis is really Redis.

`make loadtest` builds its PostgreSQL and its Redis before starting either. When both were given
the same port, the Redis exited at start while the PostgreSQL answered on that port, so the site's
"Redis" was PostgreSQL: every cache call failed, no page was ever cached, and during the
PostgreSQL outage the cached issue pages answered 503.
"""

import os
import socket
import threading

import pytest

from tests.fault_servers import HOST, ScratchPostgres, ScratchRedis

pytestmark = pytest.mark.faults


@pytest.fixture
def port_range(monkeypatch):
    # The ports this run may use (a shared machine sets them), else a range of our own.
    monkeypatch.setenv("FAULT_TEST_PORTS", os.environ.get("FAULT_TEST_PORTS") or "18300-18399")


def test_servers_built_before_either_listens_get_different_ports(port_range):
    postgres, redis, other_redis = ScratchPostgres(), ScratchRedis(), ScratchRedis()
    try:
        ports = [postgres.port, redis.port, other_redis.port]
        assert len(set(ports)) == 3, ports
    finally:
        for server in (postgres, redis, other_redis):
            server.destroy()


def test_redis_refuses_to_start_on_a_port_another_server_answers(port_range):
    redis = ScratchRedis()
    # Stands for a PostgreSQL on the same port: it accepts connections, then closes them.
    squatter = socket.create_server((HOST, redis.port))

    def close_every_connection():
        while True:
            try:
                client, _address = squatter.accept()
            except OSError:
                return
            client.close()

    threading.Thread(target=close_every_connection, daemon=True).start()
    try:
        with pytest.raises(
            RuntimeError, match=f"redis-server exited at start \\(port {redis.port}"
        ):
            redis.start()
    finally:
        squatter.close()
        redis.destroy()
