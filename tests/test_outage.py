"""When PostgreSQL goes away: 503 for what needs it, the rest still served, recovery by itself."""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from tests.factories import make_briefing
from tests.outage import database_relay, wsgi_get  # noqa: F401

handler400 = "config.errors.bad_request"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"


def page_without_database(request):
    """Stands for any page served without the database, such as a cached public page."""
    return HttpResponse(f"served in {request.LANGUAGE_CODE}")


# The site's URLs plus one page that needs no database, behind the full middleware stack.
urlpatterns = [
    *i18n_patterns(path("no-database/", page_without_database)),
    *site_urlpatterns,
]

# The embedded SQLite cannot go away, so these run in the PostgreSQL pass only.
pytestmark = [pytest.mark.urls(__name__), pytest.mark.postgresql]


def test_it_answers_503_while_the_database_is_down_and_recovers_without_restart(
    database_relay,  # noqa: F811
):
    make_briefing()
    assert wsgi_get("/ja/2026/05/19/").status_code == 200

    database_relay.cut()
    # Not cached yet, so it needs the database.
    down = wsgi_get("/en/2026/05/19/")
    down_again = wsgi_get("/en/2026/05/19/")

    assert down.status_code == 503
    assert down.headers["Retry-After"] == "30"
    assert down.headers["Cache-Control"] == "no-store"
    assert "一時的にご利用いただけません" in down.text
    assert "Temporarily unavailable" in down.text
    assert down_again.status_code == 503

    database_relay.start()
    back = wsgi_get("/en/2026/05/19/")

    assert back.status_code == 200
    assert "Theme 05/19" in back.text


def test_cached_public_pages_keep_being_served_during_an_outage(database_relay):  # noqa: F811
    make_briefing()
    before = wsgi_get("/ja/2026/05/19/")

    database_relay.cut()
    during = wsgi_get("/ja/2026/05/19/")

    assert (during.status_code, during.text) == (200, before.text)
    # The same issue in the other language was never cached.
    assert wsgi_get("/en/2026/05/19/").status_code == 503


def test_a_cached_page_shows_an_edit_made_while_its_worker_was_cut_off(
    database_relay,  # noqa: F811
):
    from django.db import connection

    make_briefing()
    assert "Theme 05/19" in wsgi_get("/en/2026/05/19/").text  # cached; its connection kept

    database_relay.cut()  # PostgreSQL restarted: this worker's connection is broken
    database_relay.start()
    # Meanwhile another worker, on a connection of its own, saves an edit.
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.execute("UPDATE briefing_briefing SET theme_en = 'Edited meanwhile'")
        other.execute("UPDATE briefing_contentgeneration SET number = number + 1")
        other.commit()
    finally:
        other.close()
    after = wsgi_get("/en/2026/05/19/")

    assert (after.status_code, "Edited meanwhile" in after.text) == (200, True)


def test_pages_without_the_database_keep_being_served_during_an_outage(
    database_relay,  # noqa: F811
):
    database_relay.cut()

    page = wsgi_get("/en/no-database/")
    alive = wsgi_get("/healthz")

    assert (page.status_code, page.text) == (200, "served in en")
    assert (alive.status_code, alive.text) == (200, "ok\n")


def test_readiness_follows_the_database(database_relay):  # noqa: F811
    assert (wsgi_get("/readyz").status_code, wsgi_get("/readyz").text) == (200, "ready\n")

    database_relay.cut()
    down = wsgi_get("/readyz")

    assert (down.status_code, down.text) == (503, "database unavailable\n")

    database_relay.start()
    assert wsgi_get("/readyz").status_code == 200


def test_an_outage_is_logged_as_one_line_per_request(database_relay, caplog):  # noqa: F811
    database_relay.cut()

    wsgi_get("/ja/")

    records = [r for r in caplog.records if r.name.startswith("config")]
    assert len(records) == 1
    assert records[0].levelname == "ERROR"
    assert records[0].getMessage().startswith("Database unavailable, answered 503 to GET /ja/: ")
    assert records[0].exc_info is None
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_a_lost_connection_is_found_unusable_in_a_request(db):
    """Django asks whether a connection is usable at the end of a request that failed on it;
    the answer for a lost one is no (so it is replaced), never an error (a 500)."""
    from django.db import connection

    from config.database import _request_finished, _request_started

    connection.ensure_connection()
    connection.connection.pgconn.finish()  # lost underneath Django
    _request_started()
    try:
        assert connection.is_usable() is False
    finally:
        _request_finished()
        connection.close()
