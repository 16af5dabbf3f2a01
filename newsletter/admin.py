"""Subscribers (filters with counts), each issue's send state, and the email's preview."""

import datetime

from csp.decorators import csp_replace
from django.contrib import admin
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from briefing.models import Briefing

from .models import Delivery, Edition, Subscriber
from .rendering import TOKEN_PLACEHOLDER, render_edition


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "language", "state", "source", "confirmed_at", "subscribed_at"]
    list_filter = ["state", "language", "source"]
    search_fields = ["email"]
    # The filters show how many subscribers each choice has.
    show_facets = admin.ShowFacets.ALWAYS
    readonly_fields = [
        "source",
        "subscribed_at",
        "confirmed_at",
        "unsubscribed_at",
        "bounced_at",
        "bounce_reason",
    ]
    fields = ["email", "language", "state", *readonly_fields]
    date_hierarchy = "subscribed_at"


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = [
        "briefing",
        "state",
        "sent_count",
        "deliveries_summary",
        "queued_at",
        "finished_at",
        "preview_links",
    ]
    list_filter = ["state"]
    list_select_related = ["briefing"]
    readonly_fields = [
        "briefing",
        "state",
        "queued_at",
        "finished_at",
        "last_error",
        "deliveries_summary",
        "preview_links",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # editions are queued by publishing or `send_edition`

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        counts = {
            f"count_{state}": Count("deliveries", filter=Q(deliveries__state=state))
            for state in Delivery.State.values
        }
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description=_("sent"), ordering="count_sent")
    def sent_count(self, edition):
        return edition.count_sent

    @admin.display(description=_("deliveries"))
    def deliveries_summary(self, edition):
        parts = [
            (label, getattr(edition, f"count_{state}"))
            for state, label in Delivery.State.choices
            if getattr(edition, f"count_{state}")
        ]
        return format_html_join(" · ", "{} {}", parts) or "—"

    @admin.display(description=_("preview"))
    def preview_links(self, edition):
        return preview_links(edition.briefing.date)

    def get_urls(self):
        return [
            path(
                "preview/<str:date>/<str:language>/",
                self.admin_site.admin_view(self.preview_view),
                name="newsletter_edition_preview",
            ),
            *super().get_urls(),
        ]

    # The email's own inline styles, which the site's policy refuses elsewhere.
    @csp_replace({"style-src": ["'unsafe-inline'"], "img-src": ["'self'", "https:", "data:"]})
    def preview_view(self, request, date, language):
        """The email as a subscriber would get it (any issue, published or not)."""
        if not self.has_view_permission(request) or language not in Subscriber.Language.values:
            raise Http404
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise Http404 from None
        briefing = get_object_or_404(Briefing.objects.with_contents(), date=day)
        rendered = render_edition(briefing, language)
        html = rendered.html.replace(TOKEN_PLACEHOLDER, "preview")
        return HttpResponse(html)


def preview_links(date: datetime.date):
    return format_html_join(
        " · ",
        '<a href="{}" target="_blank" rel="noopener">{}</a>',
        (
            (
                reverse("admin:newsletter_edition_preview", args=[date.isoformat(), code]),
                label,
            )
            for code, label in Subscriber.Language.choices
        ),
    )
