"""The public reading site. Every issue shown here comes from `Briefing.objects.published()`."""

import datetime
import functools
import re

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import (
    Count,
    Max,
    Min,
    Q,
)
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import search as search_module
from .cache import cached_page, mark_private
from .content import KEYWORD, translated_values
from .issue_page import (
    Contents,
    parallel_sections,
    published_issue,
    published_with_neighbours,
    sections,
)
from .links import cached_reverse
from .localization import localized, minutes_to_read, reader_language
from .models import Briefing, Keyword
from .serialization import percent_written

ISSUES_PER_PAGE = 20
# The picture shown when an issue is shared (Open Graph, JSON-LD).
SHARE_IMAGE = "briefing/share.png"


def issue_date(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise Http404("No such date") from None


def issue_url(date: datetime.date) -> str:
    return cached_reverse("briefing:issue", year=date.year, month=date.month, day=date.day)


def parallel_url(date: datetime.date) -> str:
    return cached_reverse("briefing:parallel", year=date.year, month=date.month, day=date.day)


def _neighbours(briefing: Briefing, *, parallel: bool = False) -> dict:
    """The previous and next *published* issues' dates, URLs and themes: from
    `_published_with_neighbours()`'s annotations when the issue was loaded through it, else
    (a preview) the dates alone in one query."""
    if hasattr(briefing, "previous_date"):
        found = {
            "previous": (briefing.previous_date, briefing.previous_theme),
            "next": (briefing.next_date, briefing.next_theme),
        }
    else:
        dates = Briefing.objects.published().aggregate(
            previous=Max("date", filter=Q(date__lt=briefing.date)),
            next=Min("date", filter=Q(date__gt=briefing.date)),
        )
        found = {name: (date, "") for name, date in dates.items()}
    url = parallel_url if parallel else issue_url
    return {
        name: _dated(date, url=url(date), theme=theme or "") if date else None
        for name, (date, theme) in found.items()
    }


def _dated(date: datetime.date, **values) -> dict:
    """A date with its label in the reader's language and its machine form, as pages show
    them (what the `date` filter would give, worked out once)."""
    return {
        "date": date,
        "label": date_format(date, "DATE_FORMAT"),
        "iso": date.isoformat(),
        **values,
    }


def _news_article(
    briefing: Briefing, contents: Contents, lang: str, path: str, date_label: str
) -> dict:
    """schema.org NewsArticle for search engines (rendered with escaping by `ld_json`).

    Only text written in `lang` is given: the other language's text under `inLanguage: lang`
    would be a false claim; a neutral headline stands in for a theme not yet translated.
    `path` is the issue's URL, `date_label` its date as the page writes it.
    """
    url = settings.SITE_URL + path

    def written(obj, field):
        return getattr(obj, f"{field}_{lang}") or ""

    neutral = _("Daily Briefing, %(date)s") % {"date": date_label}
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": written(briefing, "theme") or neutral,
        "description": written(briefing, "tldr") or neutral,
        "inLanguage": lang,
        "url": url,
        "mainEntityOfPage": url,
        "image": settings.SITE_URL + static(SHARE_IMAGE),
        "keywords": [
            name
            for keyword in contents.items(briefing, KEYWORD)
            if (name := written(keyword, "name"))
        ],
        "publisher": {"@type": "Organization", "name": _("Daily Briefing")},
    }
    if briefing.publish_at:
        # Every date a machine reads is the publication moment: `updated_at` also moves when an
        # archive is imported or restored, which says nothing about the issue itself.
        data["datePublished"] = data["dateModified"] = localtime(briefing.publish_at).isoformat()
    return data


def _issue_context(contents: Contents, preview: bool, *, parallel: bool = False) -> dict:
    briefing = contents.issue
    lang = reader_language()
    # One walk over the issue's texts for both figures.
    all_values = [values for _path, values in translated_values(briefing, items=contents.items)]
    # The side-by-side view is a way of reading the issue, not another page of it.
    path = issue_url(briefing.date)
    issue_date = _dated(briefing.date)
    return {
        "briefing": briefing,
        "issue_date": issue_date,
        "preview": preview,
        "noindex": preview,
        "neighbours": _neighbours(briefing, parallel=parallel),
        "reading_minutes": minutes_to_read(all_values, lang),
        "translated_percent": percent_written(all_values)[lang],
        "news_article": _news_article(briefing, contents, lang, path, issue_date["label"]),
        "canonical_path": path,
        "parallel_path": parallel_url(briefing.date),
        **(parallel_sections(contents) if parallel else sections(contents)),
    }


def _respond(request, template: str, context: dict, preview: bool):
    response = render(request, template, context)
    if preview:
        mark_private(response)
    return response


def _contents(briefing: Briefing, preview: bool) -> Contents:
    # A preview's issue comes with its parts (and keyword names kept for its publication, in
    # memory only: editorial.keywords.with_waiting_names).
    return Contents.prefetched(briefing) if preview else Contents.load(briefing)


def render_issue(request, briefing: Briefing, *, preview: bool = False):
    """The issue page of `briefing`, public or (preview=True) an editor's preview.

    A public issue is loaded by `issue_page.published_issue()` (or `published_with_neighbours()`)
    and its parts are read here in four queries; a previewed one is loaded with
    `Briefing.objects.with_contents()`, and one more query finds its previous/next links, which
    only ever point to published issues. With preview=True the page shows a "not published"
    banner, asks robots not to index it and is sent `Cache-Control: private, no-store`; it is
    never stored in the page cache (only views wrapped in `cached_page` are).
    """
    context = _issue_context(_contents(briefing, preview), preview)
    return _respond(request, "briefing/issue.html", context, preview)


def render_parallel(request, briefing: Briefing, *, preview: bool = False):
    """Both languages side by side; same loading and preview rules as `render_issue`."""
    context = _issue_context(_contents(briefing, preview), preview, parallel=True)
    return _respond(request, "briefing/parallel.html", context, preview)


@require_safe
@cached_page
def latest(request):
    briefing = published_with_neighbours().order_by("-date").first()
    if briefing is None:
        return render(request, "briefing/empty.html", status=404)
    return render_issue(request, briefing)


@require_safe
@cached_page
def issue(request, year, month, day):
    return render_issue(request, published_issue(issue_date(year, month, day)))


@require_safe
@cached_page
def parallel(request, year, month, day):
    return render_parallel(request, published_issue(issue_date(year, month, day)))


def _page(request, queryset, paginator_class=Paginator):
    """One page of issues; a page number that does not exist is 404, not a guess."""
    paginator = paginator_class(queryset, ISSUES_PER_PAGE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page") from None


@functools.lru_cache(maxsize=1024)
def _month_link(lang: str, year: int, month: int | None) -> tuple[str, str]:
    """A year's or a month's archive URL and label in `lang`. They never change while the
    process runs, and ten years of archive are 130 of them on every archive page."""
    with translation.override(lang):
        if month is None:
            return reverse("briefing:archive_year", args=[year]), str(year)
        label = date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT")
        return reverse("briefing:archive_month", args=[year, month]), label


def _month_nav(months: list[dict], year: int | None, month: int | None) -> dict:
    """The archive's navigation, compact enough for ten years: every year in one row, and the
    months of the year being read (else the newest) with their issue counts in another.

    `months` is [{"month": first day, "count": n}] newest first."""
    lang = translation.get_language()
    years = {}
    for entry in months:
        years.setdefault(entry["month"].year, []).append(entry)
    shown = year if year in years else next(iter(years), None)
    return {
        "years": [
            {
                "year": number,
                "url": _month_link(lang, number, None)[0],
                "current": number == year and month is None,
                "shown": number == shown,
            }
            for number in years
        ],
        "year": shown,
        "months": [
            {
                "label": _month_link(lang, entry["month"].year, entry["month"].month)[1],
                "url": _month_link(lang, entry["month"].year, entry["month"].month)[0],
                "count": entry["count"],
                "current": (entry["month"].year, entry["month"].month) == (year, month),
            }
            for entry in reversed(years.get(shown, []))
        ],
    }


class _WholeMonth(Paginator):
    """A month's issues on one page: at most 31, never split."""

    def __init__(self, object_list, _per_page):
        super().__init__(object_list, 31)


@require_safe
@cached_page(query=("page",))
def archive(request, year=None, month=None):
    issues = Briefing.objects.published().for_listing()
    if year is not None:
        issues = issues.filter(date__year=year)
    if month is not None:
        if not 1 <= month <= 12:
            raise Http404("No such month")
        issues = issues.filter(date__month=month)
    months = list(
        Briefing.objects.published()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    )
    page = _page(request, issues, _WholeMonth if month is not None else Paginator)
    if year is not None and not page.object_list:
        raise Http404("No issues in this period")
    return render(
        request,
        "briefing/archive.html",
        {
            "page": page,
            "month_nav": _month_nav(months, year, month),
            "year": year,
            "month": datetime.date(year, month, 1) if month else None,
        },
    )


def _nearest_dates(wanted: datetime.date) -> list[datetime.date]:
    """The published issues just before and just after a date (or on it), at most one each."""
    published = Briefing.objects.published()
    return [
        *published.filter(date__lte=wanted).order_by("-date").values_list("date", flat=True)[:1],
        *published.filter(date__gt=wanted).order_by("date").values_list("date", flat=True)[:1],
    ]


_ISSUE_PATH = re.compile(r"^/[a-z]{2}/(\d{4})/(\d{1,2})/(\d{1,2})/")


def issues_near_path(path: str) -> list[datetime.date]:
    """For the 404 page: the published issues nearest to the date an issue address names
    (an issue not yet out, or mistyped); nothing, and no query, for any other address."""
    match = _ISSUE_PATH.match(path)
    if match is None:
        return []
    year, month, day = (int(part) for part in match.groups())
    try:
        wanted = datetime.date(year, month, day)
    except ValueError:
        wanted = datetime.date(min(max(year, 1), 9999), min(max(month, 1), 12), 1)
    return _nearest_dates(wanted)


@require_safe
def jump_to_date(request):
    """The jump-to-date form (a plain GET form, no JavaScript): the issue of that date, else a
    page saying there is none, with the published issues nearest to it (the nearer first; the
    earlier one when two are as near)."""
    try:
        wanted = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return render(
            request,
            "briefing/archive_jump.html",
            {"value": request.GET.get("date", "")[:40]},
            status=400,
        )
    dates = _nearest_dates(wanted)
    if not dates:
        return redirect("briefing:archive")
    if wanted in dates:
        return redirect(issue_url(wanted))
    nearest = sorted(dates, key=lambda date: (abs((date - wanted).days), date))
    return render(request, "briefing/archive_jump.html", {"wanted": wanted, "nearest": nearest})


def _keyword_or_redirect(slug: str):
    """The keyword whose slug is `slug` in any case; `Safety` finds `safety`."""
    keyword = Keyword.objects.filter(slug=slug).first()
    if keyword is None:
        keyword = get_object_or_404(Keyword, slug__iexact=slug)
    return keyword


@require_safe
@cached_page(query=("page",))
def keyword(request, slug):
    keyword = _keyword_or_redirect(slug)
    if keyword.slug != slug:
        return redirect(keyword, permanent=True)
    page = _page(
        request,
        Briefing.objects.published().filter(keywords=keyword).for_listing(),
    )
    if not page.object_list:
        # A keyword used only by unpublished issues does not exist for readers.
        raise Http404("No published issue has this keyword")
    return render(request, "briefing/keyword.html", {"keyword": keyword, "page": page})


@require_safe
@cached_page
def keyword_index(request):
    """Every keyword of a published issue, with how many issues carry it, by name."""
    lang = reader_language()
    keywords = list(
        Keyword.objects.filter(briefings__in=Briefing.objects.published())
        .annotate(count=Count("briefings"))
        .order_by()
    )
    for item in keywords:
        item.label = localized(item, "name", lang)
    keywords.sort(key=lambda item: search_module.normalise(item.label.text or item.slug))
    return render(request, "briefing/keyword_index.html", {"keywords": keywords})


@require_safe
@cached_page(query=("q", "page"))
def search(request):
    query = search_module.clean_query(request.GET.get("q", ""))
    context = {"query": query, "max_length": search_module.MAX_QUERY_LENGTH}
    if len(query) > search_module.MAX_QUERY_LENGTH:
        context["problem"] = "too_long"
    elif query:
        page = _page(request, search_module.search(query), search_module.ResultPaginator)
        lang = reader_language()
        context["page"] = page
        context["results"] = [
            {
                "briefing": briefing,
                "snippet": search_module.snippet(briefing.search_document, query, lang),
            }
            for briefing in page.object_list
        ]
    return render(request, "briefing/search.html", context)


@require_safe
@cached_page
def robots_txt(request):
    return render(
        request,
        "briefing/robots.txt",
        {"sitemap_url": settings.SITE_URL + reverse("sitemap")},
        content_type="text/plain; charset=utf-8",
    )
