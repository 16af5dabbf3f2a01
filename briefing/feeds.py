"""RSS 2.0 and Atom feeds of published issues, in the language of the URL prefix.

Each item carries the whole issue (theme, lead, TL;DR, the deep dives with their takeaways and
sources, the read-more items), so a feed reader is a way to read the briefing, not a teaser."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .cache import cached_page
from .localization import reader_language
from .models import Briefing, DeepDive

FEED_LENGTH = 30


class IssuesFeed(Feed):
    description_template = "briefing/feeds/item.html"

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

    def author_name(self):
        return _("Daily Briefing")

    def author_link(self):
        return settings.SITE_URL + reverse("briefing:latest")

    def item_author_name(self, item):
        return _("Daily Briefing")

    def items(self):
        # Four queries whatever the feed holds: the issues, then their deep dives, takeaways
        # and read-more items.
        return (
            Briefing.objects.published()
            .order_by("-date")
            .prefetch_related(
                Prefetch("deep_dives", queryset=DeepDive.objects.prefetch_related("takeaways")),
                "read_more",
            )[:FEED_LENGTH]
        )

    def item_title(self, item):
        date = date_format(item.date, "DATE_FORMAT")
        # The feed's language only (as every page's metadata): a theme not yet translated
        # leaves the date alone rather than a title in the other language under xml:lang.
        theme = getattr(item, f"theme_{reader_language()}")
        return f"{date} · {theme}" if theme else date

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
