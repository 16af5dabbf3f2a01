"""Made-up query strings neither reach the database nor fill the page cache: they redirect."""

import pytest
from django.core.cache import caches
from django_redis.cache import RedisCache

from tests.factories import make_briefing

pytestmark = pytest.mark.django_db

# Every cached public page, with the query parameters its view reads.
CACHED_PAGES = {
    "/en/": (),
    "/en/2026/05/19/": (),
    "/ja/2026/05/19/both/": (),
    "/en/archive/": ("page",),
    "/en/archive/2026/": ("page",),
    "/en/keywords/ai/": ("page",),
    "/en/search/": ("q", "page"),
    "/en/feed/": (),
    "/en/feed/atom/": (),
    "/sitemap.xml": ("p",),
    "/robots.txt": (),
    "/api/v1/briefings/": ("page",),
    "/api/v1/briefings/2026-05-19/": (),
}


def stored_entries() -> int:
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return len(cache.keys("*"))
    return len(cache._cache)


@pytest.fixture
def briefing():
    return make_briefing(keywords=["AI"])


@pytest.mark.parametrize("path", CACHED_PAGES)
def test_unknown_parameters_redirect_without_the_database_or_a_cache_entry(
    client, briefing, django_assert_num_queries, path
):
    assert client.get(path).status_code == 200
    entries = stored_entries()

    with django_assert_num_queries(0):
        responses = [client.get(path, {"x": n}) for n in range(5)]

    assert {(r.status_code, r["Location"]) for r in responses} == {(301, path)}
    assert stored_entries() == entries


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/en/archive/?page=1&utm_source=x", "/en/archive/?page=1"),
        ("/en/search/?page=1&q=Theme&x=1", "/en/search/?q=Theme&page=1"),
        ("/en/search/?q=a&q=Theme", "/en/search/?q=Theme"),
        ("/api/v1/briefings/?page=1&page=1", "/api/v1/briefings/?page=1"),
        ("/en/2026/05/19/?page=2", "/en/2026/05/19/"),
    ],
)
def test_a_query_string_keeps_only_what_the_view_reads(client, briefing, url, canonical):
    response = client.get(url)

    assert (response.status_code, response["Location"]) == (301, canonical)
    assert client.get(canonical).status_code == 200


def test_a_query_string_the_view_reads_is_served_and_cached(
    client, briefing, django_assert_num_queries
):
    first = client.get("/en/search/?q=Theme")
    with django_assert_num_queries(1):  # the content generation's number
        again = client.get("/en/search/?q=Theme")

    assert first.status_code == 200
    assert again.content == first.content


def test_the_same_parameters_written_differently_share_one_cache_entry(client, briefing):
    first = client.get("/en/search/?q=Theme%2005")
    entries = stored_entries()
    again = client.get("/en/search/?q=Theme+05")
    once_more = client.get("/en/search/?q=%54heme 05")

    assert first.status_code == again.status_code == once_more.status_code == 200
    assert again.content == first.content == once_more.content
    assert stored_entries() == entries
