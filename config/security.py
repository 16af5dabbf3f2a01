"""Login throttling (django-axes) wired into the project."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings

from config.errors import render_error


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' backend, except for logins that do not come from a request.

    A login without a request (a management command, the test client's login()) has no
    client to throttle; axes would refuse it outright, so it is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_locked_out(request, original_response=None, credentials=None):
    """The page shown instead of the login form while a username is locked out."""
    return render_error(
        "429.html",
        status=429,
        context={
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )
