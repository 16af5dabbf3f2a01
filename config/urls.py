from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

# /healthz and /readyz are answered by config.health.HealthCheckMiddleware, before any URL.
urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("briefing.urls")),
    prefix_default_language=True,
)

handler400 = "config.errors.bad_request"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
