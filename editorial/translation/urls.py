from django.urls import path

from editorial import converters  # noqa: F401  (registers "isodate" and "language")

from . import views

app_name = "translation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<isodate:date>/<language:target>/", views.editor, name="editor"),
    path("<isodate:date>/<language:target>/po/", views.download_po, name="download_po"),
    path("<isodate:date>/<language:target>/po/upload/", views.upload_po, name="upload_po"),
]
