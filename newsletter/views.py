"""The reader's pages: subscribe, confirm, manage (language, leave, come back, data)."""

import json

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.errors import render_error

from . import subscriptions
from .bounces import BounceError, handle_webhook
from .forms import LanguageForm, SubscribeForm
from .models import Subscriber
from .rendering import page_language


def _subscriber(token: str) -> Subscriber:
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        raise Http404
    return subscriber


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        if not subscriptions.client_within_rate(get_client_ip_address(request) or "unknown"):
            response = render_error("newsletter/429.html", status=429)
            response["Retry-After"] = str(settings.NEWSLETTER_RATE_WINDOW_SECONDS)
            return response
        subscriptions.request_subscription(
            form.cleaned_data["email"], form.cleaned_data["language"]
        )
        return redirect("newsletter:check_inbox")
    # A refused form is a 400, shown again with what was wrong.
    status = 400 if form.errors else 200
    return render(
        request, "newsletter/subscribe.html", {"form": form, "noindex": False}, status=status
    )


@require_GET
def check_inbox(request):
    return render(request, "newsletter/check_inbox.html", {"noindex": True})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET only shows the button (mail scanners follow links); the POST confirms."""
    subscriber = _subscriber(token)
    if request.method == "POST":
        subscriptions.confirm(subscriber)
        messages.success(request, _("Your subscription is confirmed."))
        return redirect("newsletter:manage", token=token)
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber, "noindex": True})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    subscriber = _subscriber(token)
    language_form = LanguageForm(initial={"language": subscriber.language})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "language":
            language_form = LanguageForm(request.POST)
            if language_form.is_valid():
                subscriptions.change_language(subscriber, language_form.cleaned_data["language"])
                messages.success(request, _("The language of your email is changed."))
                return redirect("newsletter:manage", token=token)
        elif action == "unsubscribe":
            subscriptions.unsubscribe(subscriber)
            messages.success(request, _("You are unsubscribed. No more email will be sent."))
            return redirect("newsletter:manage", token=token)
        elif action == "resubscribe":
            subscriptions.resubscribe(subscriber)
            messages.success(request, _("Welcome back: you are subscribed again."))
            return redirect("newsletter:manage", token=token)
        elif action == "delete":
            subscriber.delete()
            messages.success(request, _("Your data is deleted."))
            return redirect("newsletter:subscribe")
        else:
            return render_error("400.html", status=400)
    return render(
        request,
        "newsletter/manage.html",
        {"subscriber": subscriber, "language_form": language_form, "noindex": True},
    )


@never_cache
@require_GET
def my_data(request, token):
    subscriber = _subscriber(token)
    response = HttpResponse(
        json.dumps(subscriptions.personal_data(subscriber), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-subscription.json"'
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def one_click_unsubscribe(request, token):
    """The List-Unsubscribe URL. RFC 8058: a POST of List-Unsubscribe=One-Click unsubscribes,
    with no login and no CSRF token (the mail client sends it); a GET leads to the page."""
    subscriber = _subscriber(token)
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") != "One-Click":
            return HttpResponseBadRequest(
                "Expected List-Unsubscribe=One-Click\n", content_type="text/plain"
            )
        subscriptions.unsubscribe(subscriber)
        return HttpResponse("Unsubscribed\n", content_type="text/plain")
    with translation.override(page_language(subscriber.language)):
        return redirect(reverse("newsletter:manage", kwargs={"token": token}))


@csrf_exempt
@require_POST
def bounce_webhook(request):
    """A provider's bounce report: JSON {"email": ..., "permanent": true, "reason": ...}."""
    secret = settings.NEWSLETTER_WEBHOOK_SECRET
    if not secret:
        raise Http404
    try:
        marked = handle_webhook(request.headers.get("X-Newsletter-Secret", ""), request.body)
    except BounceError as error:
        return JsonResponse({"error": str(error)}, status=error.status)
    return JsonResponse({"marked": marked})
