from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    # The app's own configuration, though this module also holds django-axes' (below).
    default = True
    name = "editorial"
    verbose_name = _("Editorial")

    def ready(self):
        from . import checks, history, receivers  # noqa: F401 (checks registers itself)

        history.register_models()
        receivers.connect()


class LoginAttemptsConfig(AxesAppConfig):
    """django-axes under a name in the admin's language (its own is "Axes", in every language)."""

    verbose_name = _("Login lockouts")
