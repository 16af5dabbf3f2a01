"""Publishing sends the edition: the newsletter listens to briefing's saves (briefing never
imports the newsletter). Issues scheduled for later are found by the beat task instead."""

import logging

from django.db import transaction
from django.db.models.signals import post_save

from briefing.models import Briefing

logger = logging.getLogger(__name__)


def _queue_and_send(briefing_id: int) -> None:
    from . import sending, tasks

    try:
        briefing = Briefing.objects.get(pk=briefing_id)
        if not sending.sends_by_itself(briefing):
            return
        edition, created = sending.queue_edition(briefing)
        if created:
            tasks.send_edition.delay(edition.pk)
    except Exception:
        # Publishing must not fail because email does: the beat task picks the edition up.
        logger.exception("could not queue the edition of briefing %s", briefing_id)


def on_briefing_saved(sender, instance, **kwargs):
    # No query here: this runs on every save of every issue. The check that counts is made
    # after the commit, when the publication is real.
    if instance.is_published:
        transaction.on_commit(lambda: _queue_and_send(instance.pk))


def connect():
    post_save.connect(on_briefing_saved, sender=Briefing, dispatch_uid="newsletter-publish")
