import datetime

from django.urls import path, register_converter

from . import views
from .feeds import AtomIssuesFeed, IssuesFeed


class FourDigitYearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        # Year 0000 matches the pattern but no date has it (a date lookup on it raises):
        # a ValueError here makes the URL not match, so it is a 404.
        year = int(value)
        if year < datetime.MINYEAR:
            raise ValueError(f"year {year} is out of range")
        return year

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigitConverter:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


class UnicodeSlugConverter:
    """Keyword slugs may be Japanese (`slugify(..., allow_unicode=True)`)."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FourDigitYearConverter, "yyyy")
register_converter(TwoDigitConverter, "dd")
register_converter(UnicodeSlugConverter, "uslug")

app_name = "briefing"
urlpatterns = [
    path("", views.latest, name="latest"),
    path("<yyyy:year>/<dd:month>/<dd:day>/", views.issue, name="issue"),
    path("<yyyy:year>/<dd:month>/<dd:day>/both/", views.parallel, name="parallel"),
    path("archive/", views.archive, name="archive"),
    path("archive/<yyyy:year>/", views.archive, name="archive_year"),
    path("archive/<yyyy:year>/<dd:month>/", views.archive, name="archive_month"),
    path("archive/date/", views.jump_to_date, name="archive_jump"),
    path("keywords/", views.keyword_index, name="keyword_index"),
    path("keywords/<uslug:slug>/", views.keyword, name="keyword"),
    path("search/", views.search, name="search"),
    path("feed/", IssuesFeed(), name="feed"),
    path("feed/atom/", AtomIssuesFeed(), name="feed_atom"),
]
