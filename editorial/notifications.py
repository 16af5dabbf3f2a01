"""Email to the people a workflow step concerns (the console backend prints it locally).

Sent after the step's transaction commits. A mail server that fails is logged; it does not
undo the step or turn it into an error page.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from editorial.permissions import PUBLISH_PERMISSION

logger = logging.getLogger(__name__)


def name(user) -> str:
    if user is None:
        return _("someone")
    return user.get_full_name() or user.get_username()


def _issue_url(briefing) -> str:
    return settings.SITE_URL + reverse("admin:briefing_briefing_change", args=[briefing.pk])


def publishers():
    """Active users who may publish and have an email address (superusers included)."""
    return (
        get_user_model()
        # Group and user permissions as Django's model backend grants them.
        .objects.with_perm(
            PUBLISH_PERMISSION,
            is_active=True,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        .exclude(email="")
        .order_by("pk")
    )


def review_recipients(asker):
    """Who is told of a review request: those who may publish, except whoever asked."""
    users = publishers()
    return users if asker is None else users.exclude(pk=asker.pk)


def return_recipient(review, returned_by):
    """Who is told that an issue went back to draft: whoever asked for the review, unless they
    returned it themselves or have no email address."""
    asker = review.requested_by
    if asker is None or not asker.email:
        return None
    if returned_by is not None and asker.pk == returned_by.pk:
        return None
    return asker


def _send(subject: str, body: str, recipients: list[str]) -> None:
    if not recipients:
        return
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # the step is done; a mail server's failure must not turn it into a 500
        logger.exception("could not send the workflow email %r", subject)


def review_requested(review) -> None:
    asker = review.requested_by
    recipients = [user.email for user in review_recipients(asker)]
    subject = _("Review requested: %(date)s") % {"date": review.briefing.date.isoformat()}
    body = _("%(user)s sent the issue of %(date)s to review.") % {
        "user": name(asker),
        "date": review.briefing.date.isoformat(),
    }
    if review.note:
        body += "\n\n" + review.note
    body += "\n\n" + _issue_url(review.briefing)
    _send(subject, body, recipients)


def returned(review) -> None:
    asker = return_recipient(review, review.decided_by)
    if asker is None:
        return
    subject = _("Returned to draft: %(date)s") % {"date": review.briefing.date.isoformat()}
    body = _("%(user)s returned the issue of %(date)s to draft.") % {
        "user": name(review.decided_by),
        "date": review.briefing.date.isoformat(),
    }
    if review.reply:
        body += "\n\n" + review.reply
    body += "\n\n" + _issue_url(review.briefing)
    _send(subject, body, [asker.email])
