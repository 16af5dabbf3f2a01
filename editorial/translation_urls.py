import datetime

from django.conf import settings
from django.urls import path, register_converter

from . import translation_views as views


class IsoDateConverter:
    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value):
        return datetime.date.fromisoformat(value)  # ValueError (2026-13-40) means no match

    def to_url(self, value):
        return value.isoformat() if isinstance(value, datetime.date) else value


class LanguageConverter:
    regex = "|".join(code for code, _name in settings.LANGUAGES)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(IsoDateConverter, "isodate")
register_converter(LanguageConverter, "language")

app_name = "translation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<isodate:date>/<language:target>/", views.editor, name="editor"),
    path("<isodate:date>/<language:target>/po/", views.download_po, name="download_po"),
    path("<isodate:date>/<language:target>/po/upload/", views.upload_po, name="upload_po"),
]
