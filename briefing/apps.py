from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingConfig(AppConfig):
    name = "briefing"
    verbose_name = _("Daily briefing")

    def ready(self):
        from . import checks, receivers  # noqa: F401 (checks registers itself)

        receivers.connect()
