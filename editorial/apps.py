from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("Editorial")

    def ready(self):
        from . import checks, history, receivers  # noqa: F401 (checks registers itself)

        history.register_models()
        receivers.connect()
