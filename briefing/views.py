"""The public reading site. Every issue shown here comes from `Briefing.objects.published()`."""

import datetime
import functools

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import (
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from modeltranslation.translator import translator

from . import search as search_module
from .cache import cached_page, mark_private
from .localization import reader_language, reading_minutes
from .models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from .serialization import briefing_to_dict, completeness

ISSUES_PER_PAGE = 20
# The picture shown when an issue is shared (Open Graph, JSON-LD).
SHARE_IMAGE = "briefing/share.png"
# What a list of issues (archive, keyword pages) shows: loading the lead and the untranslated
# copies of each field too would read several times as much text for nothing.
LISTING_FIELDS = ("date", "theme_ja", "theme_en", "tldr_ja", "tldr_en")


def issue_date(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise Http404("No such date") from None


def issue_url(date: datetime.date) -> str:
    return reverse(
        "briefing:issue", kwargs={"year": date.year, "month": date.month, "day": date.day}
    )


def parallel_url(date: datetime.date) -> str:
    return reverse(
        "briefing:parallel", kwargs={"year": date.year, "month": date.month, "day": date.day}
    )


@functools.cache
def _shown_fields(model) -> tuple[str, ...]:
    """Every field but the untranslated original of each translated one: modeltranslation keeps
    it as a copy of the default language, and the pages only read `<field>_<lang>`."""
    originals = translator.get_options_for_model(model).all_fields
    return tuple(field.name for field in model._meta.concrete_fields if field.name not in originals)


def _published_with_neighbours():
    """Published issues, each with the dates of the previous and next published issues
    (`previous_date`, `next_date`), read in the same query through the date index."""
    published = Briefing.objects.published()

    def nearest(lookup: str, order: str):
        later_or_earlier = published.filter(**{f"date__{lookup}": OuterRef("date")})
        return Subquery(later_or_earlier.order_by(order).values("date")[:1])

    return published.only(*_shown_fields(Briefing)).annotate(
        previous_date=nearest("lt", "-date"), next_date=nearest("gt", "date")
    )


def get_published_briefing(year: int, month: int, day: int) -> Briefing:
    return get_object_or_404(_published_with_neighbours(), date=issue_date(year, month, day))


def _load_contents(briefing: Briefing) -> None:
    # Four queries whatever the issue holds; relations already prefetched (for instance by
    # `with_contents()`) are not fetched again.
    def shown(model):
        return model.objects.only(*_shown_fields(model))

    prefetch_related_objects(
        [briefing],
        Prefetch("keywords", queryset=shown(Keyword)),
        Prefetch(
            "deep_dives",
            queryset=shown(DeepDive).prefetch_related(
                Prefetch("takeaways", queryset=shown(Takeaway))
            ),
        ),
        Prefetch("read_more", queryset=shown(ReadMore)),
    )


def _neighbours(briefing: Briefing, *, parallel: bool = False) -> dict:
    """The previous and next *published* issues' URLs: from `_published_with_neighbours()`'s
    annotations when the issue was loaded through it, else in one query."""
    if hasattr(briefing, "previous_date"):
        dates = {"previous": briefing.previous_date, "next": briefing.next_date}
    else:
        dates = Briefing.objects.published().aggregate(
            previous=Max("date", filter=Q(date__lt=briefing.date)),
            next=Min("date", filter=Q(date__gt=briefing.date)),
        )
    url = parallel_url if parallel else issue_url
    return {
        name: {"date": date, "url": url(date)} if date else None for name, date in dates.items()
    }


def _news_article(briefing: Briefing, lang: str) -> dict:
    """schema.org NewsArticle for search engines (rendered with escaping by `ld_json`).

    Only text written in `lang` is given: the other language's text under `inLanguage: lang`
    would be a false claim; a neutral headline stands in for a theme not yet translated.
    """
    url = settings.SITE_URL + issue_url(briefing.date)

    def written(obj, field):
        return getattr(obj, f"{field}_{lang}") or ""

    neutral = _("Daily Briefing, %(date)s") % {"date": date_format(briefing.date, "DATE_FORMAT")}
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
            name for keyword in briefing.keywords.all() if (name := written(keyword, "name"))
        ],
        "publisher": {"@type": "Organization", "name": _("Daily Briefing")},
    }
    if briefing.publish_at:
        # Every date a machine reads is the publication moment: `updated_at` also moves when an
        # archive is imported or restored, which says nothing about the issue itself.
        data["datePublished"] = data["dateModified"] = localtime(briefing.publish_at).isoformat()
    return data


def _issue_context(briefing: Briefing, preview: bool, *, parallel: bool = False) -> dict:
    _load_contents(briefing)
    lang = reader_language()
    return {
        "briefing": briefing,
        "preview": preview,
        "noindex": preview,
        "neighbours": _neighbours(briefing, parallel=parallel),
        "reading_minutes": reading_minutes(briefing, lang),
        "translated_percent": completeness(briefing_to_dict(briefing))[lang],
        "news_article": _news_article(briefing, lang),
        # The side-by-side view is a way of reading the issue, not another page of it.
        "canonical_path": issue_url(briefing.date),
    }


def _respond(request, template: str, context: dict, preview: bool):
    response = render(request, template, context)
    if preview:
        mark_private(response)
    return response


def render_issue(request, briefing: Briefing, *, preview: bool = False):
    """The issue page of `briefing`, public or (preview=True) an editor's preview.

    `briefing` is any Briefing instance, for instance `Briefing.objects.get(date=...)`: its
    contents are loaded here in four queries (relations already prefetched with
    `Briefing.objects.with_contents()` are reused), plus one query for the previous/next links,
    which only ever point to published issues, unless the issue was loaded with them
    (`_published_with_neighbours()`, as the public views do). With preview=True the page shows
    a "not published" banner, asks robots not to index it and is sent `Cache-Control: private,
    no-store`; it is never stored in the page cache (only views wrapped in `cached_page` are).
    """
    context = _issue_context(briefing, preview)
    return _respond(request, "briefing/issue.html", context, preview)


def render_parallel(request, briefing: Briefing, *, preview: bool = False):
    """Both languages side by side; same loading and preview rules as `render_issue`."""
    context = _issue_context(briefing, preview, parallel=True)
    return _respond(request, "briefing/parallel.html", context, preview)


@require_safe
@cached_page
def latest(request):
    briefing = _published_with_neighbours().order_by("-date").first()
    if briefing is None:
        return render(request, "briefing/empty.html", status=404)
    return render_issue(request, briefing)


@require_safe
@cached_page
def issue(request, year, month, day):
    return render_issue(request, get_published_briefing(year, month, day))


@require_safe
@cached_page
def parallel(request, year, month, day):
    return render_parallel(request, get_published_briefing(year, month, day))


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


def _month_nav(months: list[datetime.date], year: int | None, month: int | None) -> list[dict]:
    """The archive's list of years and months, newest first, with links and labels."""
    lang = translation.get_language()
    years = []
    for month_start in months:
        if not years or years[-1]["year"] != month_start.year:
            url, _label = _month_link(lang, month_start.year, None)
            current = month_start.year == year and month is None
            years.append({"year": month_start.year, "url": url, "current": current, "months": []})
        url, label = _month_link(lang, month_start.year, month_start.month)
        current = (month_start.year, month_start.month) == (year, month)
        years[-1]["months"].append({"label": label, "url": url, "current": current})
    return years


@require_safe
@cached_page(query=("page",))
def archive(request, year=None, month=None):
    issues = Briefing.objects.published().only(*LISTING_FIELDS).order_by("-date")
    if year is not None:
        issues = issues.filter(date__year=year)
    if month is not None:
        if not 1 <= month <= 12:
            raise Http404("No such month")
        issues = issues.filter(date__month=month)
    months = list(Briefing.objects.published().dates("date", "month", order="DESC"))
    page = _page(request, issues)
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


@require_safe
@cached_page(query=("page",))
def keyword(request, slug):
    keyword = get_object_or_404(Keyword, slug=slug)
    page = _page(
        request,
        Briefing.objects.published()
        .filter(keywords=keyword)
        .only(*LISTING_FIELDS)
        .order_by("-date"),
    )
    if not page.object_list:
        # A keyword used only by unpublished issues does not exist for readers.
        raise Http404("No published issue has this keyword")
    return render(request, "briefing/keyword.html", {"keyword": keyword, "page": page})


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
