"""A staff member's own two-factor login page ("Two-factor login" in the admin's user links).

Every view works on the logged-in user's own device, never on one named by the request, so
nobody can confirm, see or turn off another person's.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from editorial import two_factor
from editorial.two_factor import CodeForm


def render_page(request, form=None):
    user = request.user
    device = two_factor.confirmed_device(user)
    pending = None if device else two_factor.pending_device(user)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Two-factor login"),
        "device": device,
        "pending": pending,
        "required": two_factor.required(user),
        "form": form or CodeForm(device or pending),
    }
    if pending is not None:
        context.update(secret=two_factor.secret(pending), qr_code=two_factor.qr_code(pending))
    return render(request, "admin/two_factor.html", context)


@never_cache
@staff_member_required
def page(request):
    return render_page(request)


@require_POST
@staff_member_required
def start(request):
    if not two_factor.uses_two_factor(request.user):
        two_factor.start(request.user)
    return redirect("two_factor")


@require_POST
@staff_member_required
def confirm(request):
    device = two_factor.pending_device(request.user)
    form = CodeForm(device, request.POST)
    if not form.is_valid():
        return render_page(request, form)
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    # This session has just shown a code: it counts as verified, under a new session key.
    otp_login(request, device)
    request.session.cycle_key()
    messages.success(
        request,
        gettext(
            "Two-factor login is on. From now on, log in with your password and the one-time "
            "code your authenticator app shows."
        ),
    )
    return redirect("two_factor")


@require_POST
@staff_member_required
def cancel(request):
    two_factor.cancel(request.user)
    return redirect("two_factor")


@require_POST
@staff_member_required
def turn_off(request):
    form = CodeForm(two_factor.confirmed_device(request.user), request.POST)
    if not form.is_valid():
        return render_page(request, form)
    two_factor.turn_off([request.user])
    messages.success(request, gettext("Two-factor login is off."))
    return redirect("two_factor")
