"""Login throttling (django-axes) wired into the project, and the client's address."""

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from config.errors import render_error


def client_address(request) -> str:
    """The client's address as the nearest trusted proxy saw it; never one the client wrote.

    Each proxy appends the address it received the request from to X-Forwarded-For, so behind
    DJANGO_TRUSTED_PROXY_COUNT trusted proxies the entry that many places from the right was
    written by the outermost of them; whatever stands left of it came from the client. Without
    trusted proxies the header is ignored and the peer's address is the client's.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= count:
            try:
                return str(ipaddress.ip_address(hops[-count]))
            except ValueError:
                pass
    return peer


def _address_failures(address: str) -> int:
    """Failed logins from `address` within the cool-off time, whatever the usernames."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' backend, except for logins that do not come from a request.

    A login without a request (a management command, the test client's login()) has no
    client to throttle; axes would refuse it outright, so it is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        # Besides axes' lockout per (username, address): a limit per address across usernames,
        # so that one address cannot try a password on every account in turn.
        if _address_failures(client_address(request)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True
            request.login_locked_out_address = True
            raise AxesBackendPermissionDenied("too many failed logins from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_locked_out(request, original_response=None, credentials=None):
    """The page shown instead of the login form while a username (or an address) is locked out."""
    per_address = getattr(request, "login_locked_out_address", False)
    return render_error(
        "429.html",
        status=429,
        context={
            "per_address": per_address,
            "failure_limit": (
                settings.LOGIN_ADDRESS_FAILURE_LIMIT if per_address else settings.AXES_FAILURE_LIMIT
            ),
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )
