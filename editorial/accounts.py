"""Staff accounts: unlocking a locked-out login in the admin, password reset by email, and
two-factor login (editorial/two_factor.py): the login form's code, an administrator's reset of
a lost authenticator app, and each staff member's own page."""

from axes.utils import reset
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from editorial import two_factor, two_factor_views
from editorial.roles import role_label

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


@admin.action(
    description=_("Turn off two-factor login (a lost authenticator app)"), permissions=["change"]
)
def turn_off_two_factor(modeladmin, request, queryset):
    """Someone who lost their authenticator app logs in with the password alone, and sets
    two-factor login up again (a superuser must, at once, where it is required)."""
    two_factor.turn_off(queryset)
    modeladmin.message_user(
        request,
        gettext("Two-factor login turned off for %(users)s.")
        % {"users": ", ".join(user.get_username() for user in queryset)},
    )


class RoleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, group):
        return role_label(group.name)


class RoleListFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return [
            (pk, role_label(name))
            for pk, name in Group.objects.order_by("name").values_list("pk", "name")
        ]


admin.site.unregister(User)
admin.site.unregister(Group)
# Devices are set up by their owners only and reset with the action above; django-otp's own
# admin pages would let an administrator make one for someone else.
admin.site.unregister(TOTPDevice)
admin.site.login_form = two_factor.LoginForm


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    actions = [unlock_login, turn_off_two_factor]
    list_display = [*UserAdmin.list_display, "uses_two_factor"]
    list_filter = [
        ("groups", RoleListFilter) if name == "groups" else name for name in UserAdmin.list_filter
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(uses_two_factor=Exists(confirmed))

    @admin.display(description=_("Two-factor login"), boolean=True, ordering="uses_two_factor")
    def uses_two_factor(self, user):
        return user.uses_two_factor


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    list_display = ["role"]

    @admin.display(description=_("name"), ordering="name")
    def role(self, group):
        return role_label(group.name)


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
    path("admin/two-factor/", two_factor_views.page, name="two_factor"),
    path("admin/two-factor/start/", two_factor_views.start, name="two_factor_start"),
    path("admin/two-factor/confirm/", two_factor_views.confirm, name="two_factor_confirm"),
    path("admin/two-factor/cancel/", two_factor_views.cancel, name="two_factor_cancel"),
    path("admin/two-factor/turn-off/", two_factor_views.turn_off, name="two_factor_turn_off"),
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
