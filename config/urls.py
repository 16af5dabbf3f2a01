from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    # Before the admin, whose catch-all would otherwise answer these URLs.
    path("admin/translations/", include("editorial.translation_urls")),
    path("admin/", admin.site.urls),
    path("", include("briefing.urls")),
    prefix_default_language=True,
)
