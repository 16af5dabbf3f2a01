import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Briefing


def get_published_briefing(year: int, month: int, day: int) -> Briefing:
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise Http404("No such date") from None
    return get_object_or_404(Briefing.objects.published().with_contents(), date=date)


def _rendered(request, template, briefing, preview):
    response = render(request, template, {"briefing": briefing, "preview": preview})
    if preview:
        # A draft must never reach a shared cache or a search engine.
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


def render_issue(request, briefing, *, preview=False):
    return _rendered(request, "briefing/issue.html", briefing, preview)


def render_parallel(request, briefing, *, preview=False):
    return _rendered(request, "briefing/issue.html", briefing, preview)


def latest(request):
    briefing = Briefing.objects.published().with_contents().order_by("-date").first()
    if briefing is None:
        return render(request, "briefing/empty.html", status=404)
    return render_issue(request, briefing)


def issue(request, year, month, day):
    briefing = get_published_briefing(year, month, day)
    return render_issue(request, briefing)
