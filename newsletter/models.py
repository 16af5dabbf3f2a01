"""Subscribers, one edition per issue, and one delivery per edition and subscriber."""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from briefing.models import Briefing


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    class Language(models.TextChoices):
        JA = "ja", _("Japanese")
        EN = "en", _("English")
        BOTH = "both", _("Japanese and English side by side")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Address bounced")

    class Source(models.TextChoices):
        FORM = "form", _("Subscribe page")
        IMPORT = "import", _("Imported list")

    # Stored lower-cased (see normalise_email), so one address is one subscriber.
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("language"), max_length=4, choices=Language)
    state = models.CharField(
        _("state"), max_length=12, choices=State, default=State.PENDING, db_index=True
    )
    # The secret in every link sent to this address (confirm, manage, unsubscribe).
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    source = models.CharField(_("source"), max_length=6, choices=Source, default=Source.FORM)
    subscribed_at = models.DateTimeField(_("subscribed at"), default=timezone.now)
    # The consent: when the address owner confirmed (or the imported list says they did).
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    bounce_reason = models.CharField(_("bounce reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self):
        return self.email

    @property
    def languages(self) -> list[str]:
        return ["ja", "en"] if self.language == self.Language.BOTH else [self.language]


class Edition(models.Model):
    """The email edition of one issue: sent at most once (its deliveries say to whom)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    briefing = models.OneToOneField(
        Briefing, verbose_name=_("briefing"), related_name="edition", on_delete=models.CASCADE
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.QUEUED, db_index=True
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # The sender at work on it and until when its claim holds (renewed as it goes): a killed
    # worker's claim runs out and the next sender resumes where it stopped.
    lease_owner = models.CharField(max_length=40, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-briefing__date"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")

    def __str__(self):
        return str(self.briefing)


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    UNFINISHED = (State.PENDING, State.SENDING, State.RETRYING)

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), related_name="deliveries", on_delete=models.CASCADE
    )
    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        related_name="deliveries",
        on_delete=models.CASCADE,
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscriber"], name="one_delivery_per_edition_and_subscriber"
            )
        ]
        indexes = [models.Index(fields=["edition", "state"], name="delivery_edition_state")]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self):
        return f"{self.edition} → {self.subscriber}"
