import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .links import cached_reverse


class Keyword(models.Model):
    # Blank in one language, like every translated field: with modeltranslation, a required
    # `name` would refuse a keyword named only in the language not active at the moment.
    # A keyword has a name in at least one language: its slug is made from it.
    name = models.CharField(_("name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")

    def __str__(self):
        return self.name_ja or self.name_en or self.slug

    def get_absolute_url(self):
        return cached_reverse("briefing:keyword", slug=self.slug)


class BriefingQuerySet(models.QuerySet):
    def published(self, now=None):
        """The one definition of public: published, and its publication time has come
        (`now`: the moment to judge at, the current one by default)."""
        now = timezone.now() if now is None else now
        return self.filter(status=Briefing.Status.PUBLISHED, publish_at__lte=now)

    def scheduled(self):
        """Published issues whose publication time is still to come."""
        return self.filter(status=Briefing.Status.PUBLISHED, publish_at__gt=timezone.now())

    def with_contents(self):
        """Everything an issue page, export or API response reads, in a fixed number of queries."""
        return self.prefetch_related(
            "keywords",
            models.Prefetch("deep_dives", queryset=DeepDive.objects.prefetch_related("takeaways")),
            "read_more",
        )

    def with_neighbours(self, lang: str, now=None):
        """Each issue with the date and theme (in `lang`) of the previous and next *published*
        issues (`previous_date`, `previous_theme`, `next_date`, `next_theme`), read in the same
        query through the date index (`now` as for `published`)."""
        published = Briefing.objects.published(now)
        theme = f"theme_{lang}"

        def nearest(lookup: str, order: str, field: str):
            later_or_earlier = published.filter(**{f"date__{lookup}": models.OuterRef("date")})
            return models.Subquery(later_or_earlier.order_by(order).values(field)[:1])

        return self.annotate(
            previous_date=nearest("lt", "-date", "date"),
            previous_theme=nearest("lt", "-date", theme),
            next_date=nearest("gt", "date", "date"),
            next_theme=nearest("gt", "date", theme),
        )

    def for_listing(self):
        """Newest first, with only what a list of issues (archive, keyword pages) shows: loading
        the lead and the untranslated copies of each field too would read several times as
        much text for nothing."""
        codes = [code for code, _name in settings.LANGUAGES]
        fields = [f"{name}_{code}" for name in ("theme", "tldr") for code in codes]
        return self.only("date", *fields).order_by("-date")


class Briefing(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    date = models.DateField(_("date"), unique=True)
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    lead = models.TextField(_("lead"), blank=True)
    tldr = models.TextField(_("TL;DR"), blank=True)
    keywords = models.ManyToManyField(
        Keyword, verbose_name=_("keywords"), related_name="briefings", blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "A published issue becomes public at this moment; a time in the future schedules it."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = BriefingQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        get_latest_by = "date"
        permissions = [("publish_briefing", _("Can publish, schedule and unpublish briefings"))]
        indexes = [
            # Covers `published()` with the date: the archive's month list and count and the
            # previous/next links read this small index alone instead of every issue's row.
            models.Index(fields=["status", "publish_at", "date"], name="briefing_published_date"),
        ]
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")

    def __str__(self):
        return self.date.isoformat()

    def get_absolute_url(self):
        return reverse(
            "briefing:issue",
            kwargs={"year": self.date.year, "month": self.date.month, "day": self.date.day},
        )

    def edition_moment(self) -> datetime.datetime:
        """The issue's own date at the edition hour (settings.EDITION_TIME, in TIME_ZONE)."""
        return datetime.datetime.combine(
            self.date, settings.EDITION_TIME, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
        )

    def publication_moment(self, now: datetime.datetime | None = None) -> datetime.datetime:
        """When an issue published now says it was published: now, or, for an issue whose
        edition hour has already passed (a backfill of a past date), that edition hour. An
        archive imported years later must not say every issue came out today."""
        now = now or timezone.now()
        return min(now, self.edition_moment())

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )


SOURCE_FIELDS = ("url", "title")


def validate_sources(value) -> None:
    """A deep dive's sources: a list of {"url": an http(s) link, "title": text, maybe empty}."""
    if not isinstance(value, list):
        raise ValidationError(_("Sources must be a list."))
    for number, source in enumerate(value, 1):
        if not isinstance(source, dict) or set(source) != set(SOURCE_FIELDS):
            raise ValidationError(
                _("Source %(number)d must have a url and a title."), params={"number": number}
            )
        url, title = source["url"], source["title"]
        if not isinstance(url, str) or not isinstance(title, str) or len(title) > 300:
            raise ValidationError(
                _("Source %(number)d must have a url and a title."), params={"number": number}
            )
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError(
                _("Source %(number)d is not an http(s) link: %(url)s"),
                params={"number": number, "url": url},
            ) from None


class DeepDive(models.Model):
    briefing = models.ForeignKey(
        Briefing, verbose_name=_("briefing"), related_name="deep_dives", on_delete=models.CASCADE
    )
    position = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    what_happened = models.TextField(_("what happened"), blank=True)
    why_it_matters = models.TextField(_("why it matters"), blank=True)
    practical_points = models.TextField(_("practical points"), blank=True)
    # Untranslated: what the deep dive reports on, as [{"url": …, "title": …}] in order. Kept in
    # the row (not a table of their own) so the issue page reads them without another query.
    sources = models.JSONField(
        _("sources"),
        default=list,
        blank=True,
        validators=[validate_sources],
        help_text=_(
            'Links to what the deep dive reports on: [{"url": "https://…", "title": "…"}].'
        ),
    )

    class Meta:
        ordering = ["briefing", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "position"], name="deep_dive_position_unique_per_briefing"
            )
        ]
        verbose_name = _("deep dive")
        verbose_name_plural = _("deep dives")

    def __str__(self):
        return f"{self.briefing} · {self.position:02d}"


class Takeaway(models.Model):
    deep_dive = models.ForeignKey(
        DeepDive, verbose_name=_("deep dive"), related_name="takeaways", on_delete=models.CASCADE
    )
    position = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["deep_dive", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["deep_dive", "position"], name="takeaway_position_unique_per_deep_dive"
            )
        ]
        verbose_name = _("key takeaway")
        verbose_name_plural = _("key takeaways")

    def __str__(self):
        return f"{self.deep_dive} · {self.position:02d}"


class ReadMore(models.Model):
    briefing = models.ForeignKey(
        Briefing, verbose_name=_("briefing"), related_name="read_more", on_delete=models.CASCADE
    )
    position = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Numbering continues after the deep dives.")
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)

    class Meta:
        ordering = ["briefing", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "position"], name="read_more_position_unique_per_briefing"
            )
        ]
        verbose_name = _("read-more item")
        verbose_name_plural = _("read-more items")

    def __str__(self):
        return f"{self.briefing} · {self.position:02d}"


class SearchDocument(models.Model):
    """All text of one issue in both languages, kept for search (see briefing/search.py).

    `body` is normalised (NFKC, case-folded) and carries a trigram GIN index on PostgreSQL, so a
    substring query (Japanese has no spaces to split words on) is answered from the index.
    """

    briefing = models.OneToOneField(
        Briefing,
        verbose_name=_("briefing"),
        related_name="search_document",
        on_delete=models.CASCADE,
        primary_key=True,
    )
    body = models.TextField(_("normalised text"))
    text_ja = models.TextField(_("Japanese text"), blank=True)
    text_en = models.TextField(_("English text"), blank=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self):
        return str(self.briefing_id)


class ContentGeneration(models.Model):
    """The number of the current content generation: one row, moved on by every content change.

    Kept in the database, in the same transaction as the change itself, so that it cannot be
    lost when the cache is unreachable at the time of the edit; every cached page is checked
    against this row's number (briefing/cache.py).
    """

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("content generation")
        verbose_name_plural = _("content generations")

    def __str__(self):
        return str(self.number)


class Completeness(models.Model):
    """How much of an issue is written and up to date in one language: the one completeness
    figure the admin list, the translation queue and editor, `translation_status`, the publish
    confirmation and the API all show.

    Derived data: editorial.translation.completeness computes it (from the texts and the
    translation state) in the transaction of every write; the `resync` command rebuilds it.
    """

    briefing = models.ForeignKey(
        Briefing, verbose_name=_("briefing"), related_name="completeness", on_delete=models.CASCADE
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    written = models.PositiveIntegerField(_("fields written"))  # in any language
    missing = models.PositiveIntegerField(_("missing"))
    outdated = models.PositiveIntegerField(_("outdated"))
    percent = models.PositiveSmallIntegerField(_("written and up to date (%)"))

    class Meta:
        ordering = ["briefing", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "language"], name="completeness_unique_per_language"
            )
        ]
        indexes = [
            # The translation queue: issues with work in a language.
            models.Index(fields=["language", "missing", "outdated"], name="completeness_work"),
        ]
        verbose_name = _("completeness")
        verbose_name_plural = _("completeness")

    def __str__(self):
        return f"{self.briefing_id} {self.language} {self.percent}%"

    @property
    def needs_work(self) -> bool:
        return bool(self.missing or self.outdated)
