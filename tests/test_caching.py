import datetime
import time
import uuid

import pytest
import redis
import time_machine
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client, override_settings
from django.utils import timezone
from django_redis.cache import RedisCache

from briefing.cache import GENERATION_KEY, NUMBER_QUERY, current_generation
from briefing.models import Briefing
from config.settings import redis_cache
from editorial.roles import EDITORS
from tests.cache_keys import TEST_REDIS_URL, delete_own_keys
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db

URL = "/en/2026/05/19/"


def only_the_generation_number(queries) -> bool:
    """A cached page's one query: the content generation's number, by primary key."""
    return [query["sql"] for query in queries.captured_queries] == [NUMBER_QUERY]


def test_a_repeat_view_is_served_from_the_cache_with_one_query(client, django_assert_num_queries):
    make_briefing()
    first = client.get(URL)

    with django_assert_num_queries(1) as queries:
        second = client.get(URL)

    assert only_the_generation_number(queries)

    assert second.status_code == 200
    assert second.content == first.content
    assert second.headers["Content-Type"] == "text/html; charset=utf-8"
    assert second.headers["Content-Language"] == "en"
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert second.headers["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_a_conditional_get_is_answered_304_with_one_query_each(client, django_assert_num_queries):
    make_briefing()
    first = client.get(URL)

    with django_assert_num_queries(2) as queries:
        by_etag = client.get(URL, headers={"if-none-match": first.headers["ETag"]})
        by_date = client.get(URL, headers={"if-modified-since": first.headers["Last-Modified"]})

    assert {query["sql"] for query in queries.captured_queries} == {NUMBER_QUERY}
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_date.status_code == 304


def test_pages_and_languages_have_their_own_validators(client):
    make_briefing()

    etags = {client.get(url).headers["ETag"] for url in [URL, "/ja/2026/05/19/", "/en/archive/"]}

    assert len(etags) == 3


def test_an_edit_is_visible_on_the_very_next_request(client):
    briefing = make_briefing()
    first = client.get(URL)
    assert "Theme 05/19" in first.content.decode()

    briefing.theme_en = "A corrected theme"
    briefing.save()
    response = client.get(URL, headers={"if-none-match": first.headers["ETag"]})

    assert response.status_code == 200
    assert "A corrected theme" in response.content.decode()
    assert response.headers["ETag"] != first.headers["ETag"]
    assert response.headers["Last-Modified"] != first.headers["Last-Modified"]


def test_an_edit_of_a_takeaway_or_a_keyword_is_visible_on_the_very_next_request(client):
    briefing = make_briefing(keywords=["Safety"])
    client.get(URL)

    takeaway = briefing.deep_dives.get().takeaways.get(position=1)
    takeaway.text_en = "A sharper takeaway"
    takeaway.save()
    assert "A sharper takeaway" in client.get(URL).content.decode()

    keyword = briefing.keywords.get()
    keyword.name_en = "AI safety"
    keyword.save()
    assert "AI safety" in client.get(URL).content.decode()

    briefing.keywords.clear()
    assert "AI safety" not in client.get(URL).content.decode()


def test_publishing_is_visible_on_the_very_next_request(client):
    briefing = make_briefing(status=Briefing.Status.DRAFT)
    assert client.get(URL).status_code == 404
    assert client.get("/en/").status_code == 404

    briefing.status = Briefing.Status.PUBLISHED
    briefing.publish_at = timezone.now()
    briefing.save()

    assert client.get(URL).status_code == 200
    assert client.get("/en/").context["briefing"] == briefing


def test_unpublishing_and_deleting_are_visible_on_the_very_next_request(client):
    briefing = make_briefing()
    assert client.get(URL).status_code == 200

    briefing.status = Briefing.Status.DRAFT
    briefing.save()
    assert client.get(URL).status_code == 404

    other = make_briefing(datetime.date(2026, 5, 20))
    assert client.get("/en/2026/05/20/").status_code == 200
    other.delete()
    assert client.get("/en/2026/05/20/").status_code == 404


# time_machine moves the in-process cache's clock only, not Redis's (when REDIS_URL is set);
# test_every_worker_sees_a_scheduled_issue_on_time covers Redis.
@override_settings(
    CACHES={
        **django_settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
)
def test_a_scheduled_issue_appears_when_its_time_comes_without_any_write(client):
    with time_machine.travel(datetime.datetime(2026, 5, 19, 5, 0, tzinfo=datetime.UTC)):
        make_briefing(datetime.date(2026, 5, 18))
        make_briefing(publish_at=datetime.datetime(2026, 5, 19, 6, 0, tzinfo=datetime.UTC))
        assert client.get("/en/").context["briefing"].date == datetime.date(2026, 5, 18)
        assert client.get(URL).status_code == 404

    with time_machine.travel(datetime.datetime(2026, 5, 19, 5, 59, 58, tzinfo=datetime.UTC)):
        assert client.get(URL).status_code == 404

    with time_machine.travel(datetime.datetime(2026, 5, 19, 6, 0, 1, tzinfo=datetime.UTC)):
        assert client.get(URL).status_code == 200
        assert client.get("/en/").context["briefing"].date == datetime.date(2026, 5, 19)


def _redis_settings():
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")
    return {
        **django_settings.CACHES,
        "default": redis_cache(TEST_REDIS_URL, f"briefing_public_test_{uuid.uuid4().hex}"),
    }


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request):
    """The cache as configured locally (in-process) and in production (Redis)."""
    if request.param == "locmem":
        yield
        return
    with override_settings(CACHES=_redis_settings()):
        yield
        delete_own_keys(caches["default"])


def new_worker():
    """What a second worker process has: its own connection to the shared cache, nothing else."""
    caches["default"] = caches.create_connection("default")


def test_every_worker_sees_an_invalidation(client, shared_cache, django_assert_num_queries):
    briefing = make_briefing()
    client.get(URL)  # worker A renders and stores the page

    new_worker()
    with django_assert_num_queries(1) as queries:
        assert "Theme 05/19" in client.get(URL).content.decode()  # worker B serves it
    assert only_the_generation_number(queries)

    new_worker()  # worker C saves an edit
    briefing.theme_en = "Changed by another worker"
    briefing.save()

    new_worker()
    assert "Changed by another worker" in client.get(URL).content.decode()


def test_a_copy_of_the_generation_written_back_after_an_edit_brings_no_old_page_back(
    client, shared_cache
):
    briefing = make_briefing()
    client.get(URL)
    copy = caches["default"].get(GENERATION_KEY)

    briefing.theme_en = "Changed by another worker"
    briefing.save()
    # A reader that read the generation just before the edit's commit stores it just after.
    caches["default"].set(GENERATION_KEY, copy)
    new_worker()

    assert "Changed by another worker" in client.get(URL).content.decode()


def test_every_worker_sees_a_scheduled_issue_on_time(client, shared_cache):
    # Redis expires keys by its own clock, which time_machine cannot move: the issue is due a
    # second after the real time, and the test waits for Redis to let the generation expire.
    start = datetime.datetime.now(datetime.UTC).replace(microsecond=0) + datetime.timedelta(
        seconds=1
    )
    due = start + datetime.timedelta(seconds=1)
    with time_machine.travel(start, tick=False) as clock:
        make_briefing(publish_at=due)
        new_worker()
        assert client.get(URL).status_code == 404
        generation = current_generation()

        clock.move_to(due + datetime.timedelta(seconds=1))
        new_worker()
        assert _expired_by_itself(GENERATION_KEY), "the generation outlived the scheduled issue"
        assert current_generation() != generation
        assert client.get(URL).status_code == 200


def _expired_by_itself(key) -> bool:
    """Whether `key` leaves the cache within three seconds, with nobody deleting it (it is
    due to expire one second after it was stored)."""
    for _ in range(60):
        if caches["default"].get(key) is None:
            return True
        time.sleep(0.05)
    return False


def test_the_tests_delete_only_their_own_redis_keys():
    with override_settings(CACHES=_redis_settings()):
        cache = caches["default"]
        assert isinstance(cache, RedisCache)
        _delete_only_own_keys(cache)


def _delete_only_own_keys(cache):
    foreign = f"not-the-tests:{uuid.uuid4().hex}"
    client = cache.client.get_client(write=True)
    client.set(foreign, "kept")
    try:
        cache.set("briefing:generation", "theirs")
        assert delete_own_keys(cache) == 1
        assert cache.get("briefing:generation") is None
        assert client.get(foreign) == b"kept"
    finally:
        client.delete(foreign)


@pytest.mark.parametrize("status", [Briefing.Status.DRAFT, Briefing.Status.PUBLISHED])
@pytest.mark.parametrize(
    "preview_url",
    ["/en/editorial/preview/2026-05-19/", "/en/editorial/preview/2026-05-19/parallel/"],
)
def test_a_preview_is_never_cached_nor_served_from_the_cache(client, status, preview_url):
    make_briefing(status=status, theme_en="Secret draft")
    editor = Client()
    editor.force_login(make_user("erika", role=EDITORS))

    # Through every middleware and the page cache, as a browser would ask, twice.
    for _ in range(2):
        preview = editor.get(preview_url)
        assert preview.status_code == 200
        assert preview.headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in preview.headers and "Last-Modified" not in preview.headers
        assert "Preview — not published" in preview.content.decode()

    anonymous = client.get(preview_url)
    assert anonymous.status_code == 404
    assert "Secret draft" not in anonymous.content.decode()
    public = client.get(URL)
    assert "Preview — not published" not in public.content.decode()
    if status == Briefing.Status.DRAFT:
        assert public.status_code == 404
        assert "Secret draft" not in public.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/en/feed/",
        "/en/feed/atom/",
        "/sitemap.xml",
        "/api/v1/briefings/",
        "/api/v1/briefings/2026-05-19/",
        "/en/archive/",
        "/en/2026/05/19/both/",
    ],
)
def test_every_cached_endpoint_shows_an_edit_on_the_next_request(
    client, django_assert_num_queries, path
):
    briefing = make_briefing(theme_en="Before", tldr_en="Before")
    first = client.get(path)
    with django_assert_num_queries(1) as queries:
        assert client.get(path).content == first.content
    assert only_the_generation_number(queries)

    briefing.theme_en = briefing.tldr_en = "After the edit"
    briefing.save()

    response = client.get(path)
    assert response.status_code == 200
    if path != "/sitemap.xml":
        assert "After the edit" in response.content.decode()
    assert response.headers["ETag"] != first.headers["ETag"]


def test_a_page_from_the_cache_has_the_headers_of_the_page_first_served(client, shared_cache):
    make_briefing()
    first = client.get(URL)
    second = client.get(URL)

    for name in (
        "Content-Type",
        "Content-Language",
        "X-Frame-Options",
        "Content-Security-Policy",
        "Referrer-Policy",
        "X-Content-Type-Options",
    ):
        assert name in first.headers
        assert second.headers[name] == first.headers[name]
    assert second.headers["Content-Length"] == str(len(first.content))
    assert second.content == first.content
    assert not second.cookies


def test_a_page_from_the_cache_is_refused_to_an_unknown_host(client):
    make_briefing()
    assert client.get(URL).status_code == 200

    assert client.get(URL, HTTP_HOST="unknown.example").status_code == 400


def test_the_staff_areas_do_not_need_the_page_cache(client):
    unreachable = {
        **django_settings.CACHES,
        "default": redis_cache("redis://127.0.0.1:1/0", "unreachable"),
    }
    with override_settings(CACHES=unreachable):
        caches["default"] = caches.create_connection("default")
        assert client.get("/en/admin/login/").status_code == 200
        assert client.get("/ja/editorial/").status_code in (302, 404)
    caches["default"] = caches.create_connection("default")
