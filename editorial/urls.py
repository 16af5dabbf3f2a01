from django.urls import path

from . import views

app_name = "editorial"
urlpatterns = [
    path("preview/<str:date>/", views.preview, name="preview"),
    path("preview/<str:date>/parallel/", views.preview_parallel, name="preview_parallel"),
    path("export/<str:date>/<str:format>/<str:lang>/", views.export, name="export"),
    path("import/", views.import_text, name="import"),
]
