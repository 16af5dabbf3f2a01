from django.urls import path

from . import (
    converters,  # noqa: F401  (registers "isodate" and "language")
    views,
)

app_name = "editorial"
urlpatterns = [
    path("preview/<isodate:date>/", views.preview, name="preview"),
    path("preview/<isodate:date>/parallel/", views.preview_parallel, name="preview_parallel"),
    path("export/<isodate:date>/<str:format>/<str:lang>/", views.export, name="export"),
    path("import/", views.import_text, name="import"),
]
