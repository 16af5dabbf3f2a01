"""URL converters shared by the editorial and translation URLs: an ISO date and a language code."""

import datetime

from django.conf import settings
from django.urls import register_converter


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
