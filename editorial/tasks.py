"""Celery tasks of the editorial app (the beat's schedule is in config/settings.py)."""

from celery import shared_task

from editorial import keywords


@shared_task
def apply_due_keyword_names():
    """Each minute (beat): keyword names written for scheduled issues that have gone live."""
    keywords.apply_due_names()
