"""RSS 2.0 and Atom feeds of published issues, in the language of the URL prefix."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from .cache import cached_page
from .localization import localized
from .models import Briefing

FEED_LENGTH = 30


class IssuesFeed(Feed):
    def __call__(self, request, *args, **kwargs):
        return cached_page(super().__call__)(request, *args, **kwargs)

    def title(self):
        return _("Daily Briefing")

    def description(self):
        return _("A bilingual daily briefing, in Japanese and English.")

    # Absolute links from SITE_URL: Django's feeds would otherwise use the Host header of
    # whoever asked first (the feed is cached).
    def link(self):
        return settings.SITE_URL + reverse("briefing:latest")

    def feed_url(self):
        return settings.SITE_URL + reverse("briefing:feed")

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def items(self):
        return Briefing.objects.published().order_by("-date")[:FEED_LENGTH]

    def item_title(self, item):
        date = date_format(item.date, "DATE_FORMAT")
        theme = localized(item, "theme").text
        return f"{date} · {theme}" if theme else date

    def item_description(self, item):
        # Feed readers treat the description as HTML, so the editor's text goes in escaped.
        return linebreaks(localized(item, "tldr").text, autoescape=True)

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        # As everywhere machines read a date: the publication moment (see _news_article).
        return item.publish_at


class AtomIssuesFeed(IssuesFeed):
    feed_type = Atom1Feed

    def feed_url(self):
        return settings.SITE_URL + reverse("briefing:feed_atom")

    def subtitle(self):
        return self.description()
