"""Deployment checks (`manage.py check --deploy`) for what the public site relies on."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_https(app_configs, **kwargs):
    """Feeds, the sitemap, canonical links and the API are built from SITE_URL, never from the
    request's Host: unset, they would point at the development address."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme == "https" and parts.netloc:
        return []
    message = f"SITE_URL must be the site's public https:// address, not {settings.SITE_URL!r}."
    hint = "Set SITE_URL, e.g. https://briefing.example.com (docs/deploy.md)."
    if not settings.HTTPS and parts.scheme == "http" and parts.netloc:
        # A plain-HTTP trial (DJANGO_HTTPS=0) may have an http:// address.
        return [checks.Warning(message, hint=hint, id="briefing.W001")]
    return [checks.Error(message, hint=hint, id="briefing.E001")]


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache_for_several_workers(app_configs, **kwargs):
    """An in-process cache is one per worker: an edit invalidates the pages of the worker that
    saved it only, and the others keep serving what they hold (an unpublished issue included)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.WEB_CONCURRENCY <= 1 or not backend.endswith("LocMemCache"):
        return []
    return [
        checks.Error(
            f"{settings.WEB_CONCURRENCY} worker processes with an in-process cache: each would "
            "keep serving pages the others have invalidated.",
            hint="Set REDIS_URL (a cache shared by every process), or WEB_CONCURRENCY=1.",
            id="briefing.E002",
        )
    ]
