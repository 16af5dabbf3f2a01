from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from briefing import api, views
from briefing.cache import cached_page
from briefing.sitemaps import SITEMAPS
from editorial import accounts
from newsletter.urls import unprefixed_urlpatterns as newsletter_urlpatterns

# /healthz and /readyz are answered by config.health.HealthCheckMiddleware, before any URL.
urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "sitemap.xml",
        cached_page(sitemap, query=("p",)),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("api/v1/briefings/", api.briefing_list, name="api_briefings"),
    re_path(
        r"^api/v1/briefings/(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})/$",
        api.briefing_detail,
        name="api_briefing",
    ),
    *newsletter_urlpatterns,
]

urlpatterns += i18n_patterns(
    # Before the admin, whose catch-all would otherwise answer these URLs.
    path("admin/translations/", include("editorial.translation.urls")),
    # Password reset for staff (editorial/accounts.py).
    path("", include(accounts.urlpatterns)),
    path("admin/", admin.site.urls),
    path("editorial/", include("editorial.urls")),
    path("subscribe/", include("newsletter.urls")),
    path("", include("briefing.urls")),
    prefix_default_language=True,
)

handler400 = "config.errors.bad_request"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

if settings.BENCHMARK_BASELINE and apps.is_installed("bench"):
    from bench import baseline

    urlpatterns += baseline.urlpatterns
