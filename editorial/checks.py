"""Deployment checks (`manage.py check --deploy`) for staff accounts."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def superusers_use_two_factor_login(app_configs, **kwargs):
    """A superuser's password alone can publish, delete and change every account; production
    asks for a one-time code too (editorial/two_factor.py)."""
    if settings.OTP_REQUIRED_FOR_SUPERUSERS:
        return []
    return [
        checks.Warning(
            "Superusers can use the admin without two-factor login.",
            hint="Leave DJANGO_OTP_REQUIRED_FOR_SUPERUSERS unset (on in production) or set it "
            "to 1 (docs/deploy.md).",
            id="editorial.W001",
        )
    ]
