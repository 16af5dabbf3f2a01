"""Liveness and readiness probes for load balancers, Docker and Kubernetes.

They are answered by the first middleware, before the Host header is checked and before
the HTTPS redirect: a probe comes from inside the network, by IP address, over plain HTTP.
Neither answer is cached or depends on the language.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse

from config.database import time_limit
from config.redis_cache import cache_status

READY_QUERY_SECONDS = 1.5

logger = logging.getLogger(__name__)


def _plain(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(text, content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = "no-store"
    return response


def healthz(request) -> HttpResponse:
    """The process is alive and serving requests; the database is not consulted."""
    return _plain("ok\n")


def readyz(request) -> HttpResponse:
    """The process can serve pages that need the database: 503 while it is unreachable.

    The cache is optional: without it the instance still serves every page (from the database),
    so it stays ready, and says that its cache is degraded."""
    try:
        # A load balancer's probe times out after a few seconds: answer within 2.
        with time_limit(READY_QUERY_SECONDS), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("Not ready: the database is unreachable: %s", " ".join(str(exc).split()))
        return _plain("database unavailable\n", status=503)
    if cache_status() != "ok":
        return _plain("ready, cache degraded\n")
    return _plain("ready\n")


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
