"""/sitemap.xml: every published issue, its parallel view and keyword pages, in both languages."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import reverse

from .models import Briefing, Keyword


class _Bilingual(Sitemap):
    # One <url> per language, each listing the other languages and x-default as alternates.
    i18n = True
    alternates = True
    x_default = True
    protocol = urlsplit(settings.SITE_URL).scheme or "https"


class IssueSitemap(_Bilingual):
    changefreq = "never"

    def items(self):
        return Briefing.objects.published().order_by("-date")

    def lastmod(self, item):
        return item.updated_at


class ParallelSitemap(IssueSitemap):
    priority = 0.3

    def location(self, item):
        date = item.date
        return reverse(
            "briefing:parallel", kwargs={"year": date.year, "month": date.month, "day": date.day}
        )


class KeywordSitemap(_Bilingual):
    changefreq = "weekly"

    def items(self):
        published_with_keyword = Briefing.objects.published().filter(keywords=OuterRef("pk"))
        return Keyword.objects.filter(Exists(published_with_keyword)).order_by("slug")


class PageSitemap(_Bilingual):
    changefreq = "daily"

    def items(self):
        return ["briefing:latest", "briefing:archive"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "issues": IssueSitemap,
    "parallel": ParallelSitemap,
    "keywords": KeywordSitemap,
}
