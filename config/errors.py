"""The site's error pages, and the middleware that turns a database outage into the 503 page.

Error pages are rendered without the request's context processors and without
base.html: they must render while the database is down and must not fail in turn.
"""

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import get_language_from_path, gettext_lazy

logger = logging.getLogger(__name__)

# Connection-level failures: PostgreSQL down or restarting, the network cut, a persistent
# connection broken. Retrying later is the right advice for each of them.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def render_error(template_name: str, *, status: int, context: dict | None = None) -> HttpResponse:
    body = loader.get_template(template_name).render(context or {})
    response = HttpResponse(body, status=status)
    if status >= 500:
        response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception):
    if isinstance(exception, RequestDataTooBig):
        return too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return render_error("400.html", status=400)


def page_not_found(request, exception):
    from briefing.views import issues_near_path

    try:
        nearest = issues_near_path(request.path)
    except DATABASE_UNAVAILABLE:
        nearest = []  # the page still offers the latest issue, the archive and search
    return render_error("404.html", status=404, context={"nearest": nearest})


def server_error(request):
    # Also reached when a middleware (not a view) failed on the database.
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_UNAVAILABLE):
        return service_unavailable()
    return render_error("500.html", status=500)


def service_unavailable() -> HttpResponse:
    response = render_error("503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def too_large(limit: int) -> HttpResponse:
    return render_error("413.html", status=413, context={"limit": limit})


class DatabaseUnavailableMiddleware:
    """Answer with the 503 page while the database cannot be reached.

    Pages that do not need the database (cached public pages, the probes) keep being
    served. Nothing needs restarting afterwards: a broken persistent connection is closed
    at the end of the failed request (Django's close_old_connections) and the next
    request opens a new one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        # One line per failed request, not a traceback: an outage would flood the log.
        logger.error(
            "Database unavailable, answered 503 to %s %s: %s",
            request.method,
            request.path,
            " ".join(str(exception).split()),
        )
        response = service_unavailable()
        # Already logged above; Django would log the 503 again.
        response._has_been_logged = True
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than MAX_REQUEST_SIZE (uploads included) with 413.

    DATA_UPLOAD_MAX_MEMORY_SIZE caps the form fields (pasted text) but not uploaded files;
    this caps the whole body before any of it is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_SIZE:
            return too_large(settings.MAX_REQUEST_SIZE)
        return self.get_response(request)


def _has_nul(query) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )


class NulCharacterMiddleware:
    """Refuse a NUL character in the path, the query string or a form field with 400.

    No text on the site can hold one (PostgreSQL refuses it in text columns). Before the page
    cache, so that such a URL is neither redirected nor stored; form fields are checked in
    `process_view`, where CSRF checking reads them anyway. Uploaded files are checked by their
    readers (editorial/translation/po.py, the import form).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET):
            return self.refuse(request)
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method == "POST" and _has_nul(request.POST):
            return self.refuse(request)
        return None

    @staticmethod
    def refuse(request) -> HttpResponse:
        # Before LocaleMiddleware: the page speaks the language of its path.
        language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        # Lazy: each language's half of the page says it in its own language.
        reason = gettext_lazy("The request contains a NUL character, which no text can hold.")
        with translation.override(language):
            return render_error("400.html", status=400, context={"reason": reason})
