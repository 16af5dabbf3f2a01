"""Rendered public pages, cached and revalidated against the content generation.

Every public response is stored in the configured `default` cache (in-process locally, Redis in
production, shared by every worker and instance) under a key made of the request path and the
language, together with the *content generation* it was rendered in, and is only served while
that generation is current. The generation is one row in PostgreSQL (`ContentGeneration`):

- any change to an issue, deep dive, takeaway, read-more item or keyword moves its number on, in
  the change's own transaction (signals in briefing/receivers.py);
- every request a cached page answers reads that number first (one primary-key query), so the
  very next request after an edit's commit, in any process, misses the old pages, whatever the
  cache holds: a Redis that missed the edit (unreachable or frozen at the time) and comes back
  with its old keys, a copy written back late by a slow reader, or an empty Redis;
- the token pages are stored with also names the last publication time passed, so a scheduled
  issue appears on time without anyone saving anything.

The rest of the generation (token, Last-Modified, when the next scheduled issue is due) is kept
in the cache beside the pages, with the number it belongs to, and read together with the page
(`get_many`): a hit is one small query and one cache round trip. `ETag` and `Last-Modified`
derive from the generation, so a conditional GET for a stored page is answered 304 without
sending the page. While PostgreSQL is unreachable (no edit can be made then), cached pages are
checked against the newest generation known, so they keep answering.
"""

import functools
import hashlib
import math
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import F, Subquery
from django.db.models.functions import Now
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language, get_language_from_path

from config.database import time_limit

from .models import Briefing, ContentGeneration

# The cache's copy of the generation: (number, token, last modified, valid until), used only
# while the database's number is the same.
GENERATION_KEY = "briefing:generation"
# The last generation read from the database, without expiry: what cached pages are checked
# against while the database itself is unreachable (no edit can happen then).
LAST_GENERATION_KEY = "briefing:generation:last"
# How long reading the generation from the database may take before the last one is used.
GENERATION_READ_SECONDS = 0.5
# A page of an old generation is never served again; the timeout only frees its memory.
PAGE_TIMEOUT = 24 * 60 * 60
# Responses headers worth replaying from the cache (never cookies).
STORED_HEADERS = ("Content-Type", "X-Robots-Tag", "Content-Disposition")
# Headers PageCacheMiddleware does not store: derived from the generation on every hit, or set
# for the replayed content. Cookies are not headers here (`response.cookies`): never stored.
NOT_STORED_HEADERS = {"etag", "last-modified", "cache-control", "content-length"}
# Paths under the language prefix that are never public pages (config/urls.py).
STAFF_AREAS = ("admin/", "editorial/")
# The one query a cached page costs. Written out because it runs on every hit: building it
# through the ORM costs several times the round trip itself (docs/performance.md).
NUMBER_QUERY = f"SELECT number FROM {ContentGeneration._meta.db_table} WHERE id = 1"

# The last generation this process read from the database (see _load_generation).
_last_read = None


@dataclass(frozen=True)
class Generation:
    token: str
    last_modified: int  # seconds since the epoch

    def etag(self, key: str) -> str:
        digest = hashlib.sha256(f"{self.token}:{key}".encode()).hexdigest()[:24]
        return f'"{digest}"'


def current_generation() -> Generation:
    return _valid_copy(cache.get(GENERATION_KEY), _current_number()) or _load_generation()


def _current_number() -> int | None:
    """The database's generation number (-1 when it has no row yet), or None when the database
    cannot answer within GENERATION_READ_SECONDS."""
    try:
        # Quick or not at all: cached pages must keep answering within a second while PostgreSQL
        # hangs (config/database.py).
        with time_limit(GENERATION_READ_SECONDS):
            return _query_number()
    except DatabaseError:
        return None


def _query_number() -> int:
    # The query is the connection's health check: Django's own (CONN_HEALTH_CHECKS) would cost
    # a second round trip on every cached page. Like it, a persistent connection found broken
    # (PostgreSQL restarted since the last request) is replaced once; without that, this
    # request would fall back to the last generation read, older than any edit made meanwhile.
    unchecked = connection.connection is not None and not connection.health_check_done
    connection.health_check_done = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(NUMBER_QUERY)
            row = cursor.fetchone()
    except DatabaseError:
        if not unchecked or connection.in_atomic_block:
            raise
        connection.close()
        return _query_number()
    return row[0] if row is not None else -1


def _valid_copy(copy, number: int | None) -> Generation | None:
    """The cache's copy of the generation if it is the database's: the same number (or, when the
    database could not be read, the newest one known) and no scheduled issue published since."""
    if not isinstance(copy, tuple) or len(copy) != 4:
        return None
    copy_number, token, last_modified, valid_until = copy
    if number is not None and copy_number != number:
        return None
    if valid_until is not None and valid_until <= time.time():
        return None
    return Generation(token, last_modified)


def _read_generation() -> tuple[int, str, int, float | None]:
    """(number, token, last modified, valid until) from the database, in one query.

    The token changes with every content change and whenever a scheduled issue's publication
    time passes: it is valid until the next one (None: no issue is scheduled).
    """
    now = timezone.now()
    published = Briefing.objects.filter(status=Briefing.Status.PUBLISHED)
    row = (
        ContentGeneration.objects.filter(pk=1)
        .annotate(
            last_at=Subquery(
                published.filter(publish_at__lte=now)
                .order_by("-publish_at")
                .values("publish_at")[:1]
            ),
            next_at=Subquery(
                published.filter(publish_at__gt=now).order_by("publish_at").values("publish_at")[:1]
            ),
        )
        .values_list("number", "changed_at", "last_at", "next_at")
        .first()
    )
    if row is None:  # the row is made by a migration; only a flushed database lacks it
        ContentGeneration.objects.get_or_create(pk=1)
        return _read_generation()
    number, changed_at, last_at, next_at = row
    last_published = last_at.timestamp() if last_at else 0
    token = f"{number}.{last_published:.0f}"
    last_modified = math.ceil(max(changed_at.timestamp(), last_published))
    return number, token, last_modified, next_at.timestamp() if next_at else None


def _load_generation() -> Generation:
    """The generation from the database, copied into the cache.

    While the database is unreachable, the last one read (no edit can be made meanwhile), so that
    cached pages keep being served."""
    global _last_read
    try:
        with time_limit(GENERATION_READ_SECONDS):
            number, token, last_modified, valid_until = _read_generation()
    except DatabaseError:
        # This process's own copy when the cache has none (it may have been unreachable when
        # the generation was last read).
        last = cache.get(LAST_GENERATION_KEY) or _last_read
        if last is None:
            raise
        return Generation(*last[:2])
    last = cache.get(LAST_GENERATION_KEY)
    if last is not None and last[0] == token:
        last_modified = last[1]  # as another process already gave it (see below)
    elif last is not None and last_modified <= last[1]:
        # Strictly later than the previous generation's, or a client holding that Last-Modified
        # (from within the same second) would be told nothing changed.
        last_modified = last[1] + 1
    timeout = PAGE_TIMEOUT
    if valid_until is not None:
        # Gone by itself when the next scheduled issue is due (its pages are then rendered anew).
        timeout = max(1, min(timeout, math.ceil(valid_until - time.time())))
    cache.set(GENERATION_KEY, (number, token, last_modified, valid_until), timeout)
    cache.set(LAST_GENERATION_KEY, (token, last_modified), None)
    _last_read = (token, last_modified)
    return Generation(token, last_modified)


def content_changed() -> None:
    """Make every cached page stale: a new generation in the database, in the caller's
    transaction. Called once per transaction that changes content. Nothing is sent to the cache:
    every request compares its copy with the database's number."""
    updated = ContentGeneration.objects.filter(pk=1).update(
        number=F("number") + 1, changed_at=Now()
    )
    if not updated:
        ContentGeneration.objects.update_or_create(pk=1, defaults={"number": 1})


def refresh_generation() -> None:
    """After a content change's commit: the cache's copy and the last generation known replaced
    by the new one at once, so that the pages checked against it during a database outage that
    begins right after the edit are the edit's (one query)."""
    try:
        _load_generation()
    except DatabaseError:
        pass  # the next request reads it


def _canonical_query(request, used: tuple[str, ...]) -> str | None:
    """The query string to redirect to, or None when the request's is already canonical: only
    parameters the view reads, each once."""
    if not request.META.get("QUERY_STRING"):
        return None
    if settings.BENCHMARK_BASELINE:  # `make bench` makes uncached requests with ?bench=N
        used = (*used, "bench")
    given = request.GET
    if all(name in used and len(given.getlist(name)) == 1 for name in given):
        return None
    return urlencode([(name, given[name]) for name in used if name in given])


def _page_key(request, lang: str | None = None) -> str:
    # The language is in the path too; it is named here so that a cached page can never be
    # served in the wrong language whatever the URL scheme becomes. The query string is
    # re-encoded, so that the same parameters written differently (%20 or +, %61 or a) share
    # one entry.
    key = f"{lang or get_language()}:{request.path}"
    if request.META.get("QUERY_STRING"):
        key += f"?{request.GET.urlencode()}"
    return key


def _storage_key(page_key: str) -> str:
    # Not keyed by generation: a page is stored with the generation it was rendered in (and is
    # only served while that generation is current), so each page has one entry that a newer
    # rendering replaces, and a hit reads the generation and the page in one cache round trip.
    digest = hashlib.sha256(page_key.encode()).hexdigest()
    return f"briefing:page:{digest}"


def _mark_public(response, generation: Generation, page_key: str) -> None:
    response.headers["ETag"] = generation.etag(page_key)
    response.headers["Last-Modified"] = http_date(generation.last_modified)
    # Browsers and proxies revalidate every time (cheap: a 304), so an edit is seen at once.
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)


def _fetch(page_key: str) -> tuple[object, tuple | None]:
    """The cache's copy of the generation and the page stored under `page_key` (None if there
    is none), in one cache round trip."""
    storage_key = _storage_key(page_key)
    found = cache.get_many([GENERATION_KEY, storage_key])
    return found.get(GENERATION_KEY), found.get(storage_key)


def _lookup(
    page_key: str, *, start: bool = True, fetched: tuple | None = None
) -> tuple[Generation | None, tuple | None]:
    """The current generation and the page stored in it (None on a miss): one cache round trip
    (none when `fetched`, what `_fetch` gave earlier in the request, is passed) and one
    primary-key query.

    When the cache has no copy of the current generation, it is read from the database (a
    larger query), unless `start` is false: then the generation is None too, as it is without a
    query when no page is stored at all."""
    copy, stored = fetched if fetched is not None else _fetch(page_key)
    if stored is None and not start:
        return None, None
    # Read at every lookup, after the request began: an edit committed before it is seen here,
    # whatever the cache holds.
    generation = _valid_copy(copy, _current_number())
    if generation is None:
        if not start:
            return None, None
        generation = _load_generation()
    if stored is not None and stored[0] != generation.token:
        stored = None  # rendered before the last content change: stale
    return generation, stored


def _replay(request, generation: Generation, page_key: str, stored: tuple):
    # A 304 is only sent for a validator we issued with a 200 of this generation.
    not_modified = get_conditional_response(
        request, etag=generation.etag(page_key), last_modified=generation.last_modified
    )
    if not_modified is not None:
        _mark_public(not_modified, generation, page_key)
        return not_modified
    _token, status, headers, content = stored
    response = HttpResponse(content, status=status)
    for name, header in headers.items():
        response.headers[name] = header
    _mark_public(response, generation, page_key)
    return response


def _storable(response) -> bool:
    return response.status_code == 200 and "private" not in response.headers.get(
        "Cache-Control", ""
    )


def cached_page(view=None, *, query: tuple[str, ...] = ()):
    """Serve a public GET view from the page cache, with ETag/Last-Modified and 304s.

    Only 200 responses that are not marked private are stored; the wrapped view must not depend
    on anything but the URL (no user, no cookies). A hit costs one cache round trip (the
    generation and the page together) and one primary-key query (the generation's number, which
    makes any edit seen at once). Pages under a language prefix are looked up and stored
    by `PageCacheMiddleware` (below) when it is installed, so that a hit skips the rest of the
    middleware too; this decorator serves the others (sitemap, robots.txt) by itself.

    `query` names the query parameters the view reads (`@cached_page(query=("q", "page"))`). A
    request with any other parameter, or with one of these twice, is redirected to the URL with
    only the parameters the view reads (its last value of each, as `QueryDict.get` gives):
    anyone can make up new query strings, and each would otherwise render the page from the
    database and store another copy of it.
    """
    if view is None:
        return functools.partial(cached_page, query=query)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        canonical = _canonical_query(request, query)
        if canonical is not None:
            return HttpResponsePermanentRedirect(
                request.path + (f"?{canonical}" if canonical else "")
            )
        # Set by PageCacheMiddleware on a miss: the page key, the generation when it found a
        # stale page, and what it fetched from the cache (so a miss costs one round trip).
        looked_up = getattr(request, "page_cache_lookup", None)
        page_key, generation, fetched = looked_up or (_page_key(request), None, None)
        if generation is None:
            # Not looked up yet, or the middleware could not tell the generation without
            # reading it in full (a stored page is then still served if it is current, as
            # during a database outage with the cache's copy of the generation gone).
            generation, stored = _lookup(page_key, fetched=fetched)
            if stored is not None:
                return _replay(request, generation, page_key, stored)

        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if _storable(response):
            if looked_up is not None:
                # Stored by the middleware, with the headers the inner middleware adds.
                response.page_cache_entry = (_storage_key(page_key), generation.token)
            else:
                headers = {name: response[name] for name in STORED_HEADERS if name in response}
                entry = (generation.token, 200, headers, response.content)
                cache.set(_storage_key(page_key), entry, PAGE_TIMEOUT)
            _mark_public(response, generation, page_key)
        return response

    return wrapper


class PageCacheMiddleware:
    """Serve stored pages under a language prefix (/ja/…, /en/…) before the middleware below.

    A stored page does not depend on the session, the user, CSRF or messages, so a hit need
    not run them: it costs one cache round trip, one primary-key query and little else, which
    makes a cached page about as cheap as the cheapest page Django can serve. It is stored here, on its way out,
    with the headers the middleware below adds (X-Frame-Options, Content-Language, …); the
    middleware above (security headers, CSP) runs for hits as for any response. Only views
    wrapped in `cached_page` are ever stored, and the Host header is checked before a hit as it
    is for every request.

    The staff areas are left alone (no cache round trip, and they keep working without the
    cache). A miss makes no query here (a redirect to the canonical query string needs none):
    the view's `cached_page` reads the generation when it has a page to store.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lang = get_language_from_path(request.path_info)
        if (
            lang is None
            or request.method not in ("GET", "HEAD")
            or request.path_info[len(lang) + 2 :].startswith(STAFF_AREAS)
        ):
            return self.get_response(request)
        request.get_host()  # raises DisallowedHost (400) for a host not in ALLOWED_HOSTS
        page_key = _page_key(request, lang)
        fetched = _fetch(page_key)
        generation, stored = _lookup(page_key, start=False, fetched=fetched)
        if stored is not None:
            response = _replay(request, generation, page_key, stored)
            if response.status_code == 200:
                response.headers["Content-Length"] = str(len(response.content))
            return response
        # A miss (the generation is None unless a stale page was found: the view's
        # `cached_page` reads it, from what was fetched here and the database).
        request.page_cache_lookup = (page_key, generation, fetched)
        response = self.get_response(request)
        entry = getattr(response, "page_cache_entry", None)
        if entry is not None and _storable(response):
            storage_key, token = entry
            headers = {
                name: value
                for name, value in response.headers.items()
                if name.lower() not in NOT_STORED_HEADERS
            }
            cache.set(storage_key, (token, 200, headers, response.content), PAGE_TIMEOUT)
        return response


def mark_private(response) -> None:
    """For previews: never stored here nor by any browser or proxy."""
    patch_cache_control(response, private=True, no_store=True)
    for header in ("ETag", "Last-Modified"):
        if header in response.headers:
            del response.headers[header]
