"""Two-factor login for staff: a TOTP authenticator app (django-otp) besides the password.

A staff member turns it on for themselves (a device is confirmed by its first correct code);
from then on their logins need the code, and a session that was not completed with one
(older than the device, or from any way in other than the login form) is logged out. With
OTP_REQUIRED_FOR_SUPERUSERS (on in production) a superuser without a device can do nothing
but set one up. Views: editorial/two_factor_views.py; the login form: LoginForm below.
"""

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

# What a superuser who must set up two-factor login may still open (URL names).
SETUP_VIEWS = {
    "two_factor",
    "two_factor_start",
    "two_factor_confirm",
    "two_factor_cancel",
    "admin:logout",
    "set_language",
}


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice | None:
    """The device being set up: its secret is shown until its first code confirms it."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def required(user) -> bool:
    return settings.OTP_REQUIRED_FOR_SUPERUSERS and user.is_superuser


def uses_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def cancel(user) -> None:
    """Forget the secret being set up (never a confirmed device: that needs a code)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()


def start(user) -> TOTPDevice:
    """A new secret for `user`, replacing any unconfirmed one."""
    cancel(user)
    return TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)


def turn_off(users) -> int:
    """Forget the devices of `users` (theirs, or an administrator's reset of a lost one)."""
    deleted, _per_model = TOTPDevice.objects.filter(user__in=users).delete()
    return deleted


def secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed in: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG data: URL (the content policy allows it)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)


def code_is_valid(device: TOTPDevice | None, code: str) -> bool:
    """Whether `code` is the device's current one. django-otp refuses a code used before and,
    after wrong ones, any code for a while (1 s, then 2, 4, … per failure in a row)."""
    code = "".join(code.split())
    if device is None or not code.isdigit():
        return False
    # Locked, so that two requests with the same code cannot both be let in.
    with transaction.atomic():
        return TOTPDevice.objects.select_for_update().get(pk=device.pk).verify_token(code)


def code_field(**kwargs):
    return forms.CharField(
        label=_("One-time code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
        **kwargs,
    )


class CodeForm(forms.Form):
    """A code from the authenticator app, checked against `device` (always the user's own)."""

    otp_token = code_field()

    def __init__(self, device, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self):
        code = self.cleaned_data["otp_token"]
        if not code_is_valid(self.device, code):
            raise forms.ValidationError(
                _(
                    "This code is not valid. Enter the code your authenticator app shows now; "
                    "after a wrong code, wait a few seconds before the next one."
                ),
                code="invalid_code",
            )
        return code


class LoginForm(AdminAuthenticationForm):
    """The admin's login form, with the one-time code of those who turned two-factor login on.

    A wrong or missing code gets the same answer as a wrong password, so the form does not
    tell whether the password was right, and counts as a failed login for the throttling
    (django-axes), which locks the username out after AXES_FAILURE_LIMIT failures of either.
    """

    otp_token = code_field(
        required=False, help_text=_("Only if you have turned on two-factor login.")
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the correct %(username)s and password for a staff account, and the "
            "one-time code if you have turned on two-factor login."
        ),
    }

    def clean(self):
        super().clean()
        user = self.get_user()
        device = confirmed_device(user)
        if device is not None:
            if not code_is_valid(device, self.cleaned_data.get("otp_token", "")):
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": user.get_username()},
                    request=self.request,
                )
                raise self.get_invalid_login_error()
            # django-otp marks the session as verified by this device when login() runs.
            user.otp_device = device
        return self.cleaned_data


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware, which tells whether the session's login used a code.

    - A user with a confirmed device whose session was not verified by it is logged out and
      the request goes on as anonymous: a session from before the device, or one that did not
      go through the login form, does not count.
    - A superuser who must use two-factor login and has no device is sent to set one up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        # Only staff have anything two-factor login protects (and only they can turn it on).
        if not (user.is_authenticated and user.is_staff) or user.is_verified():
            return None
        if uses_two_factor(user):
            logout(request)
            return None
        if required(user) and request.resolver_match.view_name not in SETUP_VIEWS:
            return redirect("two_factor")
        return None
