"""EMAIL_URL → Django's email settings."""

from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "newsletter.mail.SMTPBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


def email_settings(url: str) -> dict:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"EMAIL_URL is not a valid URL: {exc}") from None
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE_BACKEND}
    security = {"smtp": None, "smtp+tls": "tls", "smtp+ssl": "ssl"}
    if parts.scheme not in security or not parts.hostname:
        raise ImproperlyConfigured(
            "EMAIL_URL must be smtp://, smtp+tls://, smtp+ssl:// (with a host) or console://, "
            f"not {parts.scheme}://"
        )
    return {
        # Django's SMTP backend, signing with DKIM when a key is configured.
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}[parts.scheme],
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": security[parts.scheme] == "tls",
        "EMAIL_USE_SSL": security[parts.scheme] == "ssl",
        "EMAIL_TIMEOUT": 30,
    }
