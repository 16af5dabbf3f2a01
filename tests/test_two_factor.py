"""Two-factor login: staff set up a TOTP authenticator app, logins then need its code, and a
superuser must use it where it is required (production)."""

import base64
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from editorial.roles import EDITORS
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PAGE = "/en/admin/two-factor/"
SINCE = "2026-05-19 09:00 JST"  # tests.factories.NOW
ADMIN = "/en/admin/"


def url(name) -> str:
    with translation.override("en"):
        return reverse(name)


def code(device, *, offset=0) -> str:
    """The code the owner's authenticator app shows now (or `offset` codes later)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0 - offset * device.step)
    return f"{value:0{device.digits}d}"


def wrong(device) -> str:
    return f"{(int(code(device)) + 1) % 10**device.digits:0{device.digits}d}"


def log_in(client, username="editor", password="pw", otp_token=None, *, peer="192.0.2.50"):
    data = {"username": username, "password": password, "next": ADMIN}
    if otp_token is not None:
        data["otp_token"] = otp_token
    return client.post("/en/admin/login/", data, REMOTE_ADDR=peer)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def with_device(user, *, confirmed=True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=confirmed)


def next_code_step(clock):
    """A code is accepted once: a later login waits for the app's next one."""
    clock.shift(30)


@pytest.fixture
def editor():
    return make_user("editor", role=EDITORS)


@pytest.fixture
def chief():
    return make_user("chief", superuser=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Setting it up ------------------------------------------------------------------------


def test_it_sets_up_a_device_that_counts_only_once_a_code_confirms_it(client, editor, frozen_clock):
    assert log_in(client).status_code == 302
    page = client.get(PAGE).content.decode()
    assert "Set up two-factor login" in page
    assert f'<a href="{PAGE}">Two-factor login</a>' in client.get(ADMIN).content.decode()

    assert client.post(url("two_factor_start")).status_code == 302
    [device] = TOTPDevice.objects.filter(user=editor)
    assert device.confirmed is False
    page = client.get(PAGE).content.decode()
    shown = re.search(r'<code class="editorial-secret">([A-Z2-7 ]+)</code>', page)[1]
    assert base64.b32decode(shown.replace(" ", "")) == device.bin_key
    assert '<img src="data:image/svg+xml;charset=utf-8,' in page
    # Not confirmed yet: a login still needs only the password.
    assert log_in(Client()).status_code == 302

    confirmed = client.post(url("two_factor_confirm"), {"otp_token": code(device)}, follow=True)

    device.refresh_from_db()
    assert device.confirmed is True
    assert messages_of(confirmed) == [
        "Two-factor login is on. From now on, log in with your password and the one-time code "
        "your authenticator app shows."
    ]
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(ADMIN).status_code == 200  # this session showed a code: it goes on
    page = client.get(PAGE).content.decode()
    assert "Turn off two-factor login" in page
    # In the admin's time zone, named, as every admin page shows a moment.
    assert f"Two-factor login is on (since {SINCE}):" in page
    assert "editorial-secret" not in page  # never shown again


def test_a_wrong_code_does_not_confirm_the_device(client, editor, frozen_clock):
    client.force_login(editor)
    client.post(url("two_factor_start"))
    device = TOTPDevice.objects.get(user=editor)

    refused = client.post(url("two_factor_confirm"), {"otp_token": wrong(device)})

    assert refused.status_code == 200
    assert "This code is not valid." in refused.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert log_in(Client()).status_code == 302  # the password alone still logs in


def test_starting_again_replaces_the_unconfirmed_secret_and_cancel_forgets_it(client, editor):
    client.force_login(editor)
    client.post(url("two_factor_start"))
    first = TOTPDevice.objects.get(user=editor)
    client.post(url("two_factor_start"))
    [second] = TOTPDevice.objects.filter(user=editor)
    assert second.key != first.key

    client.post(url("two_factor_cancel"))

    assert not TOTPDevice.objects.filter(user=editor).exists()


# --- Logging in ---------------------------------------------------------------------------


INVALID_LOGIN = (
    "Please enter the correct username and password for a staff account, and the one-time "
    "code if you have turned on two-factor login."
)


def test_once_on_a_login_needs_the_code_and_says_no_more_than_for_a_wrong_password(
    editor, frozen_clock
):
    device = with_device(editor)
    without_code, wrong_code, wrong_password = Client(), Client(), Client()

    responses = [
        log_in(without_code),
        log_in(wrong_code, otp_token=wrong(device)),
        log_in(wrong_password, password="nope", otp_token=code(device)),
    ]

    for response in responses:
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [INVALID_LOGIN]
    assert not any(logged_in(c) for c in (without_code, wrong_code, wrong_password))

    frozen_clock.shift(2)  # django-otp refuses any code for a second after a wrong one
    right = Client()
    assert log_in(right, otp_token=code(device)).status_code == 302
    assert right.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert right.get(ADMIN).status_code == 200


def test_a_code_logs_in_once(editor, frozen_clock):
    device = with_device(editor)
    used = code(device)
    assert log_in(Client(), otp_token=used).status_code == 302

    replayed = Client()
    assert log_in(replayed, otp_token=used).status_code == 200
    assert not logged_in(replayed)

    next_code_step(frozen_clock)
    assert log_in(Client(), otp_token=code(device)).status_code == 302


def test_staff_without_two_factor_log_in_with_the_password_alone(client, editor):
    assert log_in(client).status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_a_wrong_code_counts_as_a_failed_login_towards_the_lockout(
    client, editor, settings, frozen_clock
):
    device = with_device(editor)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, otp_token=wrong(device)).status_code == 200
        frozen_clock.shift(60)  # past django-otp's own delay: only the lockout is tested

    locked = log_in(client, otp_token=wrong(device))
    [attempt] = AccessAttempt.objects.all()
    frozen_clock.shift(60)
    still_locked = log_in(client, otp_token=code(device))

    assert (locked.status_code, still_locked.status_code) == (429, 429)
    assert not logged_in(client)
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    assert "otp_token=********************" in attempt.post_data  # not kept, like the password


def test_a_right_code_forgets_earlier_wrong_ones(client, editor, settings, frozen_clock):
    device = with_device(editor)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, otp_token=wrong(device))
        frozen_clock.shift(60)
    assert log_in(client, otp_token=code(device)).status_code == 302
    client.logout()

    next_code_step(frozen_clock)
    assert log_in(client, otp_token=wrong(device)).status_code == 200  # a fresh count


def test_a_session_that_did_not_show_a_code_is_logged_out(client, editor):
    with_device(editor)
    client.force_login(editor)  # as a session from before the device, or another way in

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/admin/login/")
    assert not logged_in(client)


def test_a_password_reset_does_not_skip_the_code(client, editor, settings, frozen_clock):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    editor.email = "editor@example.com"
    editor.save()
    device = with_device(editor)

    client.post("/en/admin/password_reset/", {"email": "editor@example.com"})
    [message] = mail.outbox
    [link] = re.findall(r"https?://[^/]+(/en/admin/reset/\S+/)", message.body)
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    assert done["Location"] == "/en/admin/reset/done/"

    assert not logged_in(client)
    assert log_in(client, password="a new long passphrase").status_code == 200
    assert not logged_in(client)
    frozen_clock.shift(2)
    assert (
        log_in(client, password="a new long passphrase", otp_token=code(device)).status_code == 302
    )


# --- Turning it off -----------------------------------------------------------------------


def test_turning_it_off_needs_a_current_code(client, editor, frozen_clock):
    device = with_device(editor)
    log_in(client, otp_token=code(device))
    next_code_step(frozen_clock)

    refused = client.post(url("two_factor_turn_off"), {"otp_token": wrong(device)})
    assert refused.status_code == 200
    assert "This code is not valid." in refused.content.decode()
    assert TOTPDevice.objects.filter(user=editor).exists()

    frozen_clock.shift(2)
    done = client.post(url("two_factor_turn_off"), {"otp_token": code(device)}, follow=True)

    assert messages_of(done) == ["Two-factor login is off."]
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert log_in(Client()).status_code == 302


def test_an_administrator_turns_it_off_for_someone_who_lost_their_phone(editor, chief):
    with_device(editor)
    administrator = Client()
    administrator.force_login(chief)

    response = administrator.post(
        "/en/admin/auth/user/",
        {"action": "turn_off_two_factor", "_selected_action": [editor.pk]},
        follow=True,
    )

    assert messages_of(response) == ["Two-factor login turned off for editor."]
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert log_in(Client()).status_code == 302


def test_the_user_list_shows_who_uses_two_factor_login(editor, chief):
    with_device(editor)
    with_device(chief, confirmed=False)
    administrator = Client()
    administrator.force_login(chief)

    response = administrator.get("/en/admin/auth/user/")

    users = {user.username: user.uses_two_factor for user in response.context["cl"].result_list}
    assert users == {"editor": True, "chief": False}


def test_an_editor_cannot_turn_off_someone_elses_two_factor_login(editor):
    colleague = make_user("erika", role=EDITORS)
    with_device(colleague)
    client = Client()
    client.force_login(editor)

    response = client.post(
        "/en/admin/auth/user/",
        {"action": "turn_off_two_factor", "_selected_action": [colleague.pk]},
    )

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=colleague).exists()


# --- Forged requests ----------------------------------------------------------------------


def test_a_code_of_someone_elses_device_confirms_nothing(editor, frozen_clock):
    victim = Client()
    victim.force_login(editor)
    victim.post(url("two_factor_start"))
    pending = TOTPDevice.objects.get(user=editor)
    outsider = make_user("outsider", role=EDITORS)
    attacker = Client()
    attacker.force_login(outsider)

    response = attacker.post(url("two_factor_confirm"), {"otp_token": code(pending)})

    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.confirmed is False
    assert not TOTPDevice.objects.filter(user=outsider).exists()
    assert "editorial-secret" not in attacker.get(PAGE).content.decode()


@pytest.mark.parametrize(
    "name", ["two_factor_start", "two_factor_confirm", "two_factor_cancel", "two_factor_turn_off"]
)
def test_without_a_login_every_change_is_refused(client, editor, name, frozen_clock):
    device = with_device(editor, confirmed=name != "two_factor_confirm")

    response = client.post(url(name), {"otp_token": code(device)})

    assert response.status_code == 302
    assert response["Location"].startswith("/en/admin/login/?next=")
    assert list(TOTPDevice.objects.values_list("pk", "confirmed")) == [
        (device.pk, device.confirmed)
    ]


@pytest.mark.parametrize(
    "name", ["two_factor_start", "two_factor_confirm", "two_factor_cancel", "two_factor_turn_off"]
)
def test_changes_are_never_made_by_a_get(client, editor, name):
    client.force_login(editor)
    assert client.get(url(name)).status_code == 405


def test_readers_accounts_without_staff_status_get_no_page(client):
    client.force_login(make_user("reader", staff=False))
    response = client.post(url("two_factor_start"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()


# --- Superusers ---------------------------------------------------------------------------


def test_where_required_a_superuser_sets_it_up_before_anything_else(
    client, chief, editor, settings, frozen_clock
):
    settings.OTP_REQUIRED_FOR_SUPERUSERS = True
    assert log_in(client, "chief").status_code == 302

    for path in (ADMIN, "/en/admin/auth/user/", "/en/admin/translations/", "/en/editorial/import/"):
        response = client.get(path)
        assert (path, response.status_code, response["Location"]) == (path, 302, PAGE)
    forged = client.post(
        "/en/admin/auth/user/", {"action": "turn_off_two_factor", "_selected_action": [editor.pk]}
    )
    assert (forged.status_code, forged["Location"]) == (302, PAGE)
    page = client.get(PAGE).content.decode()
    assert "Superusers must use two-factor login on this site: set it up to go on." in page

    client.post(url("two_factor_start"))
    device = TOTPDevice.objects.get(user=chief)
    client.post(url("two_factor_confirm"), {"otp_token": code(device)})

    assert client.get(ADMIN).status_code == 200


def test_where_required_a_superuser_who_did_not_show_the_code_is_logged_out(
    client, chief, settings
):
    settings.OTP_REQUIRED_FOR_SUPERUSERS = True
    with_device(chief)
    client.force_login(chief)

    response = client.get(ADMIN)

    assert (response.status_code, logged_in(client)) == (302, False)
    assert response["Location"].startswith("/en/admin/login/")


def test_where_required_a_superuser_can_still_log_out_and_switch_language(client, chief, settings):
    settings.OTP_REQUIRED_FOR_SUPERUSERS = True
    client.force_login(chief)

    switched = client.post("/i18n/setlang/", {"language": "ja", "next": "/ja/admin/two-factor/"})
    assert (switched.status_code, switched["Location"]) == (302, "/ja/admin/two-factor/")
    assert client.post("/en/admin/logout/").status_code == 200
    assert not logged_in(client)


def test_where_not_required_a_superuser_may_do_without(client, chief, settings):
    settings.OTP_REQUIRED_FOR_SUPERUSERS = False
    assert log_in(client, "chief").status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_editors_are_never_forced(client, editor, settings):
    settings.OTP_REQUIRED_FOR_SUPERUSERS = True
    assert log_in(client).status_code == 302
    assert client.get(ADMIN).status_code == 200


def required_setting(**variables) -> str:
    from tests.test_settings import run_django

    printed = "from django.conf import settings; print(settings.OTP_REQUIRED_FOR_SUPERUSERS)"
    result = run_django("shell", "--verbosity", "0", "-c", printed, **variables)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_is_required_of_superusers_by_default_in_production_only():
    from tests.test_settings import PRODUCTION

    assert required_setting(DJANGO_DEBUG="1") == "False"
    assert required_setting(**PRODUCTION) == "True"


def test_check_deploy_warns_when_production_lets_superusers_do_without():
    from tests.test_settings import PRODUCTION, run_django

    variables = PRODUCTION | {"DJANGO_OTP_REQUIRED_FOR_SUPERUSERS": "0"}
    result = run_django("check", "--deploy", "--fail-level", "WARNING", **variables)

    assert result.returncode == 1
    assert "(editorial.W001) Superusers can use the admin without two-factor login." in (
        result.stderr
    )


# --- Both languages -----------------------------------------------------------------------


def test_the_login_form_asks_for_the_code_in_both_languages(client):
    english = client.get("/en/admin/login/").content.decode()
    japanese = client.get("/ja/admin/login/").content.decode()

    assert '<label for="id_otp_token">One-time code:</label>' in english
    assert "Only if you have turned on two-factor login." in english
    assert '<label for="id_otp_token">ワンタイムコード:</label>' in japanese
    assert "二要素ログインをオンにしている場合のみ入力してください。" in japanese


def test_the_setup_page_is_in_japanese_under_ja(client, editor):
    client.force_login(editor)
    page = client.get("/ja/admin/two-factor/").content.decode()
    assert "<h1>二要素ログイン</h1>" in page
    assert get_user_model().objects.count() == 1


def test_the_setup_page_works_under_the_content_policy_in_each_state(client, editor, frozen_clock):
    from tests.test_security import InlineCodeFinder

    client.force_login(editor)
    pages = {"off": client.get(PAGE)}
    client.post(url("two_factor_start"))
    pages["pending"] = client.get(PAGE)
    client.post(url("two_factor_confirm"), {"otp_token": code(TOTPDevice.objects.get())})
    pages["on"] = client.get(PAGE)

    problems = {}
    for state, response in pages.items():
        finder = InlineCodeFinder()
        finder.feed(response.content.decode())
        problems[state] = (response.status_code, finder.problems)
    assert problems == {"off": (200, []), "pending": (200, []), "on": (200, [])}
    assert "Turn off two-factor login" in pages["on"].content.decode()
