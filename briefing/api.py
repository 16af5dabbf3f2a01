"""Read-only JSON API of published issues: /api/v1/briefings/ and /api/v1/briefings/<date>/.

An issue is given in the project's one JSON shape (`briefing.serialization.briefing_to_dict`).
"""

import datetime

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localtime
from django.views.decorators.http import require_safe

from .cache import cached_page
from .models import Briefing
from .serialization import LANGUAGE_CODES, briefing_to_dict, translations

PAGE_SIZE = 20


def _not_found(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=404)


def _links(briefing: Briefing) -> dict:
    date = briefing.date
    kwargs = {"year": date.year, "month": date.month, "day": date.day}
    return {
        "api": settings.SITE_URL + reverse("api_briefing", kwargs={"date": date.isoformat()}),
        "html": {code: settings.SITE_URL + _in_language(code, kwargs) for code in LANGUAGE_CODES},
    }


def _completeness(briefing: Briefing) -> dict[str, int | None]:
    """Per language, the share (%) of the issue written and up to date; the same stored figure
    the editors see (briefing.models.Completeness). Load with prefetch_related("completeness")."""
    rows = {row.language: row.percent for row in briefing.completeness.all()}
    return {code: rows.get(code) for code in LANGUAGE_CODES}


def _in_language(code: str, kwargs: dict) -> str:
    with translation.override(code):
        return reverse("briefing:issue", kwargs=kwargs)


@require_safe
@cached_page(query=("page",))
def briefing_list(request):
    paginator = Paginator(
        Briefing.objects.published().prefetch_related("completeness").order_by("-date"),
        PAGE_SIZE,
    )
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        return _not_found("No such page.")
    base = settings.SITE_URL + reverse("api_briefings")
    return JsonResponse(
        {
            "count": paginator.count,
            "next": f"{base}?page={page.next_page_number()}" if page.has_next() else None,
            "previous": f"{base}?page={page.previous_page_number()}"
            if page.has_previous()
            else None,
            "results": [
                {
                    "date": briefing.date.isoformat(),
                    "published_at": localtime(briefing.publish_at).isoformat(),
                    "theme": translations(briefing, "theme"),
                    "tldr": translations(briefing, "tldr"),
                    "completeness": _completeness(briefing),
                    "links": _links(briefing),
                }
                for briefing in page.object_list
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
@cached_page
def briefing_detail(request, date):
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError:
        return _not_found("No such date.")
    briefing = (
        Briefing.objects.published()
        .with_contents()
        .prefetch_related("completeness")
        .filter(date=day)
        .first()
    )
    if briefing is None:
        return _not_found("No published briefing on this date.")
    data = briefing_to_dict(briefing) | {
        "published_at": localtime(briefing.publish_at).isoformat(),
        "completeness": _completeness(briefing),
        "links": _links(briefing),
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
