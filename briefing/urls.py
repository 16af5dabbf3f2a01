from django.urls import path, register_converter

from . import views


class FourDigitYearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigitConverter:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(FourDigitYearConverter, "yyyy")
register_converter(TwoDigitConverter, "dd")

app_name = "briefing"
urlpatterns = [
    path("", views.latest, name="latest"),
    path("<yyyy:year>/<dd:month>/<dd:day>/", views.issue, name="issue"),
]
