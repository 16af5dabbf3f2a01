"""Staff accounts: unlocking a locked-out login in the admin, and password reset by email."""

from axes.utils import reset
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import PasswordResetForm
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

User = get_user_model()


@admin.action(description=_("Unlock login (forget failed attempts)"), permissions=["change"])
def unlock_login(modeladmin, request, queryset):
    """An editor locked out after too many failed logins can log in again at once, from
    anywhere (the lockout is per username and address: every address is forgotten)."""
    cleared = sum(reset(username=user.get_username()) for user in queryset)
    modeladmin.message_user(
        request,
        ngettext(
            "Login unlocked for %(users)s: %(count)d failed-login record forgotten.",
            "Login unlocked for %(users)s: %(count)d failed-login records forgotten.",
            cleared,
        )
        % {"users": ", ".join(user.get_username() for user in queryset), "count": cleared},
    )


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    actions = [unlock_login]


class StaffPasswordResetForm(PasswordResetForm):
    """Only staff accounts get a reset link (the site has no other logins), and the link is made
    from SITE_URL, never from the request's Host header, which anyone can write and which would
    send the link to their own site."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_staff)

    def save(self, *args, **kwargs):
        kwargs["domain_override"] = settings.SITE_URL.split("://", 1)[1]
        kwargs["use_https"] = settings.SITE_URL.startswith("https://")
        return super().save(*args, **kwargs)


# Under the admin's prefix; the name `admin_password_reset` makes the admin's login page offer
# the link. The other names are the ones Django's password-reset views and emails use.
urlpatterns = [
    path(
        "admin/password_reset/",
        # "Forgotten your password?" on the admin's login page; the link is valid for
        # PASSWORD_RESET_TIMEOUT (3 days).
        auth_views.PasswordResetView.as_view(form_class=StaffPasswordResetForm),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "admin/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "admin/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
