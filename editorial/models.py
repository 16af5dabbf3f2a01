from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TranslationState(models.Model):
    """What one language of one translated field was written against.

    Kept by the post_save receivers in editorial.receivers, so every write path that
    calls save() (admin, translator editor, imports, reversion restores) keeps it. When a
    language's text changes, `source_hash`/`source_text` record the other language's text at
    that moment; the language is outdated once the other language no longer matches.
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("content type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    content_object = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("field"), max_length=50)
    language = models.CharField(_("language"), max_length=10)
    text_hash = models.CharField(
        _("text fingerprint"),
        max_length=64,
        help_text=_("Fingerprint of this language's text when it was last saved."),
    )
    source_hash = models.CharField(
        _("source fingerprint"),
        max_length=64,
        help_text=_("Fingerprint of the other language's text when this one was last written."),
    )
    # Kept (not only its fingerprint) so the translator editor can show what changed since.
    source_text = models.TextField(_("source text"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "language"],
                name="translation_state_unique_per_field_language",
            )
        ]
        verbose_name = _("translation state")
        verbose_name_plural = _("translation states")

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id}.{self.field}_{self.language}"


class ReviewRequest(models.Model):
    """One "send to review" of an issue: who asked, and how an editor who may publish answered.

    Opened by editorial.workflow.submit_for_review, closed by publishing (approved) or by
    returning the issue to its author with a comment (returned).
    """

    class Outcome(models.TextChoices):
        OPEN = "open", _("waiting for review")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned")

    briefing = models.ForeignKey(
        "briefing.Briefing",
        verbose_name=_("briefing"),
        related_name="review_requests",
        on_delete=models.CASCADE,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    note = models.TextField(_("note to the reviewer"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, default=Outcome.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reply = models.TextField(_("reviewer's comment"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")

    def __str__(self):
        return f"{self.briefing} · {self.get_outcome_display()}"


class PendingKeywordName(models.Model):
    """A keyword name written while working on an issue that is not public, for a keyword a
    public issue already shows: keywords are shared, so writing it at once would publish
    the draft's text. It replaces the name when that issue is published (editorial.keywords);
    the keyword admin changes names at once, on purpose. Internal: never shown as such."""

    briefing = models.ForeignKey(
        "briefing.Briefing", on_delete=models.CASCADE, related_name="pending_keyword_names"
    )
    keyword = models.ForeignKey(
        "briefing.Keyword", on_delete=models.CASCADE, related_name="pending_names"
    )
    language = models.CharField(max_length=10)
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "keyword", "language"],
                name="pending_keyword_name_unique_per_issue_language",
            )
        ]

    def __str__(self):
        return f"{self.keyword_id}.name_{self.language} for {self.briefing_id}: {self.name}"
