"""The 404, 500 and 503 pages: bilingual, standalone, without the database, leaking nothing."""

import datetime
import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

handler400 = "config.errors.bad_request"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"


def crash(request):
    raise RuntimeError("internal detail: the password is hunter2")


def forbidden(request):
    raise PermissionDenied("internal reason")


def database_gone(request):
    raise OperationalError('connection to server at "db" (10.0.0.5), port 5432 failed')


class DatabaseGoneMiddleware:
    """A middleware (not a view) that fails on the database, as a session save would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    *i18n_patterns(
        path("crash/", crash),
        path("forbidden/", forbidden),
        path("database-gone/", database_gone),
    ),
    *site_urlpatterns,
]

HEADINGS = {
    403: ("アクセスできません", "Access denied"),
    404: ("ページが見つかりません", "Page not found"),
    500: ("エラーが発生しました", "Something went wrong"),
    503: ("一時的にご利用いただけません", "Temporarily unavailable"),
}


@pytest.fixture
def visitor():
    """A browser: server errors come back as pages, not as exceptions in the test."""
    return Client(raise_request_exception=False)


def assert_error_page(response, status, lang):
    body = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{lang}">' in body
    ja, en = HEADINGS[status]
    assert f"<h1>{ja}</h1>" in body
    assert f"<h1>{en}</h1>" in body
    assert f'<section lang="{lang}" class="current">' in body
    assert '<link rel="stylesheet" href="/static/errors.css">' in body
    # Standalone: not built on base.html, so it cannot fail the way the site's pages did.
    assert "<header>" not in body
    return body


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_unknown_address_gets_the_bilingual_404_page_without_the_database(visitor, lang):
    # No django_db mark: touching the database would fail the test.
    response = visitor.get(f"/{lang}/no/such/page/")

    body = assert_error_page(response, 404, lang)
    assert f'<a href="/{lang}/">' in body


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_crash_gets_the_500_page_with_no_traceback_or_settings(visitor, lang):
    response = visitor.get(f"/{lang}/crash/")

    body = assert_error_page(response, 500, lang)
    assert response["Cache-Control"] == "no-store"
    for leak in ("Traceback", "RuntimeError", "hunter2", django_settings.SECRET_KEY, "crash.py"):
        assert leak not in body


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_forbidden_page_gets_the_bilingual_403_page(visitor, lang):
    response = visitor.get(f"/{lang}/forbidden/")

    body = assert_error_page(response, 403, lang)
    assert "internal reason" not in body


@pytest.mark.urls(__name__)
def test_a_crash_is_logged_with_its_traceback_and_request(visitor, caplog):
    visitor.get("/en/crash/")

    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.name == "django.request"
    assert record.getMessage() == "Internal Server Error: /en/crash/"
    assert record.exc_info[0] is RuntimeError
    assert record.request.path == "/en/crash/"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_database_connection_error_in_a_view_gets_the_503_page(visitor, lang):
    response = visitor.get(f"/{lang}/database-gone/")

    body = assert_error_page(response, 503, lang)
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert "10.0.0.5" not in body


@pytest.mark.urls(__name__)
def test_a_database_connection_error_in_a_middleware_gets_the_503_page(visitor, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.DatabaseGoneMiddleware"]

    response = visitor.get("/en/crash/")

    assert_error_page(response, 503, "en")
    assert response["Retry-After"] == "30"


def test_the_error_pages_css_is_their_own(client):
    from django.contrib.staticfiles import finders

    css = finders.find("errors.css")

    assert css is not None
    assert ".error section.current" in open(css, encoding="utf-8").read()


@pytest.mark.django_db
def test_a_form_sent_without_a_valid_csrf_token_gets_a_bilingual_explanation():
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/en/admin/login/", {"username": "a", "password": "b"})

    body = response.content.decode()
    assert response.status_code == 403
    assert "<h1>The form has expired</h1>" in body
    assert "<h1>フォームの有効期限が切れました</h1>" in body
    assert "CSRF" not in body


def test_errors_go_to_stderr_as_one_line_with_their_context_in_production():
    """Django's default would mail them to ADMINS and print nothing when DEBUG is off."""
    script = (
        "import logging; "
        "logging.getLogger('django.request').error('Internal Server Error: /en/x/'); "
        "logging.getLogger('django.request').warning('Not Found: /en/y/')"
    )
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")
    } | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "briefing.example.com",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ERROR \[django\.request\] \d+ "
        r"Internal Server Error: /en/x/",
        line,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "offered"),
    [
        ("/en/2026/05/20/", ["/en/2026/05/19/", "/en/2026/05/25/"]),  # not published
        ("/en/2026/05/30/", ["/en/2026/05/25/"]),  # after the latest
        ("/ja/2026/02/30/", ["/ja/2026/05/19/"]),  # no such day: the month's start
        ("/en/2026/05/19/nothing/", ["/en/2026/05/19/", "/en/2026/05/25/"]),
    ],
)
def test_a_missing_issue_offers_the_nearest_issues_and_search(visitor, path, offered):
    from briefing.models import Briefing
    from tests.factories import make_briefing

    make_briefing(datetime.date(2026, 5, 19))
    make_briefing(datetime.date(2026, 5, 20), status=Briefing.Status.DRAFT)
    make_briefing(datetime.date(2026, 5, 25))

    response = visitor.get(path)

    body = response.content.decode()
    assert response.status_code == 404
    current = re.search(r'<section lang="\w+" class="current">(.*?)</section>', body, re.S).group(1)
    assert re.findall(r'<ul class="nearest">.*?</ul>', current, re.S)
    assert re.findall(r'<li><a href="([^"]+)"><time', current) == offered
    lang = path[1:3]
    assert f'<form class="search" action="/{lang}/search/" method="get" role="search">' in current


def test_the_404_page_keeps_the_sites_look_and_icon(visitor):
    body = visitor.get("/en/no/such/page/").content.decode()

    assert '<link rel="icon" href="/static/briefing/favicon.svg" type="image/svg+xml">' in body
