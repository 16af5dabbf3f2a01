"""The benchmark's ceiling: the cheapest page Django can serve through the full middleware stack.

Only routed when the bench app is installed and BENCHMARK_BASELINE is on (never in normal
runs): `make bench` compares every real page's throughput with this constant page of the same
size, on the same server.
"""

from functools import lru_cache

from django.http import HttpResponse
from django.urls import path

MAX_SIZE = 1_000_000


@lru_cache(maxsize=16)
def constant_page(size: int) -> bytes:
    head = b"<!doctype html><html lang=en><title>baseline</title><p>"
    tail = b"</p></html>\n"
    return head + b"x" * max(size - len(head) - len(tail), 0) + tail


def baseline(request, size):
    return HttpResponse(constant_page(min(size, MAX_SIZE)), content_type="text/html; charset=utf-8")


urlpatterns = [
    path("bench/baseline/<int:size>/", baseline, name="bench-baseline"),
]
