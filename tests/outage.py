"""A real database outage for tests: PostgreSQL reached through a TCP relay that can be cut.

Cutting the relay breaks the open (persistent) connection and refuses new ones, as a
PostgreSQL restart or a network failure would; restoring it is PostgreSQL coming back at
the same address. Nothing in Django is patched.
"""

import io
import socket
import threading
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection


class DatabaseRelay:
    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = 0
        self._server = None
        self._sockets = []
        self._lock = threading.Lock()

    def start(self):
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen()
        self.port = server.getsockname()[1]
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def cut(self):
        """Refuse new connections and break the open ones."""
        with self._lock:
            sockets, self._sockets = self._sockets + [self._server], []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self, server):
        while True:
            try:
                client, _address = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            for source, destination in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, destination), daemon=True).start()

    @staticmethod
    def _pipe(source, destination):
        try:
            while data := source.recv(65536):
                destination.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, destination):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def point_at(settings_dict: dict) -> None:
    """The default connection re-pointed (HOST, PORT, NAME); the next query connects there."""
    connection.close()
    connection.settings_dict.update(settings_dict)


class WSGIResponse:
    def __init__(self, status: str, headers: list, body: bytes):
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.text = body.decode()


def wsgi_get(path: str, **environ) -> WSGIResponse:
    """GET through the same WSGI entry point gunicorn calls, request signals included.

    Django's test client disconnects close_old_connections around each request; a real
    server does not, and the recovery from an outage depends on it.
    """
    env = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO(), **environ}
    setup_testing_defaults(env)
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, headers

    result = WSGIHandler()(env, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()
    return WSGIResponse(started["status"], started["headers"], body)


@pytest.fixture
def database_relay(transactional_db):
    """The default connection re-pointed at a DatabaseRelay for the test (PostgreSQL only)."""
    # Tests using it carry the `postgresql` marker; conftest deselects them on SQLite.
    assert connection.vendor == "postgresql", "an outage can only be simulated on PostgreSQL"
    settings_dict = connection.settings_dict
    original = settings_dict["HOST"], settings_dict["PORT"]
    relay = DatabaseRelay(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    relay.start()
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(relay.port)
    try:
        yield relay
    finally:
        relay.cut()
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = original
