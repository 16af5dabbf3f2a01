"""/sitemap.xml: every published issue and keyword page, in both languages.

The side-by-side views (`…/both/`) are left out: they are canonical to the issue's page."""

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

    # The public address, never the Host header of whoever asked first (the sitemap is cached).
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return settings.SITE_URL.split("://", 1)[1]


class IssueSitemap(_Bilingual):
    changefreq = "never"

    def items(self):
        return Briefing.objects.published().order_by("-date")

    def lastmod(self, item):
        return item.publish_at


class KeywordSitemap(_Bilingual):
    changefreq = "weekly"

    def items(self):
        published_with_keyword = Briefing.objects.published().filter(keywords=OuterRef("pk"))
        return Keyword.objects.filter(Exists(published_with_keyword)).order_by("slug")


class PageSitemap(_Bilingual):
    changefreq = "daily"

    def items(self):
        return ["briefing:latest", "briefing:archive", "briefing:keyword_index"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "issues": IssueSitemap,
    "keywords": KeywordSitemap,
}
