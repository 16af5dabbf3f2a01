"""Security headers, cookies, login throttling and size limits, as a browser meets them."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import make_briefing

pytestmark = pytest.mark.django_db


EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def policy(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {name: values for name, *values in directives}


@pytest.mark.parametrize("path", ["/ja/", "/en/2026/05/19/", "/ja/admin/login/", "/en/nowhere/"])
def test_every_response_carries_the_security_headers(client, path):
    make_briefing()

    response = client.get(path)

    assert policy(response) == EXPECTED_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_is_sent_over_https_when_configured(client, settings):
    # Production turns these on (see test_settings_production); here they are set by hand.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    response = client.get("/ja/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Strict-Transport-Security" not in client.get("/ja/")


def test_the_csrf_and_language_cookies_are_httponly_and_samesite(client):
    login_page = client.get("/ja/admin/login/")
    language = client.post("/i18n/setlang/", {"language": "en", "next": "/en/"})

    for cookie in (login_page.cookies["csrftoken"], language.cookies["django_language"]):
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


def same_origin(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")


class InlineCodeFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block, or what is off-site."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            data_block = attrs.get("type") in ("application/json", "application/ld+json")
            if not data_block and not same_origin(attrs.get("src")):
                self.problems.append(f"<script {attrs}>")
        if tag == "style":
            self.problems.append("<style>")
        if tag == "link" and attrs.get("rel") == "stylesheet":
            if not same_origin(attrs.get("href")):
                self.problems.append(f"<link {attrs}>")
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")


def admin_pages(user):
    """The index page, and every registered model's list and (if allowed) add pages."""
    request = RequestFactory().get("/")
    request.user = user
    yield reverse("admin:index")
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        yield reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        if model_admin.has_add_permission(request):
            yield reverse(f"admin:{meta.app_label}_{meta.model_name}_add")


def test_the_admin_works_under_the_policy_without_inline_script_or_style(
    admin_client, admin_user, client
):
    make_briefing(keywords=["Safety"])
    pages = [reverse("admin:login"), *admin_pages(admin_user)]
    problems = {}
    for url in pages:
        response = (client if url == reverse("admin:login") else admin_client).get(url)
        assert response.status_code == 200, url
        finder = InlineCodeFinder()
        finder.feed(response.content.decode())
        if finder.problems:
            problems[url] = finder.problems

    assert problems == {}


@pytest.mark.parametrize(
    "path",
    ["/ja/", "/en/2026/05/19/", "/ja/2026/05/19/both/", "/en/archive/", "/ja/search/?q=x"],
)
def test_public_pages_have_no_inline_script_or_style(client, path):
    make_briefing(keywords=["Safety"])
    finder = InlineCodeFinder()

    response = client.get(path)
    finder.feed(response.content.decode())

    assert response.status_code == 200
    assert finder.problems == []


def test_the_admin_change_form_works_under_the_policy(admin_client, admin_user):
    url = reverse("admin:auth_user_change", args=[admin_user.pk])
    finder = InlineCodeFinder()

    finder.feed(admin_client.get(url).content.decode())

    assert finder.problems == []


# --- Login throttling ---------------------------------------------------------------------


@pytest.fixture
def editor():
    return get_user_model().objects.create_user("editor", password="correct horse", is_staff=True)


def log_in(client, lang, password, username="editor"):
    return client.post(
        f"/{lang}/admin/login/",
        {"username": username, "password": password, "next": f"/{lang}/admin/"},
    )


def test_a_wrong_password_is_just_refused_below_the_limit(client, editor, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, "en", "wrong")
        assert response.status_code == 200

    assert log_in(client, "en", "correct horse").status_code == 302


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        (
            "ja",
            "5 回続けて失敗したため、このユーザー名でのあなたのアドレスからのログインは 15 分間"
            "ブロックされています。",
        ),
        (
            "en",
            "After 5 failed attempts, logging in with this username from your address is "
            "blocked for 15 minutes.",
        ),
    ],
)
def test_repeated_failures_lock_the_username_out_with_a_clear_message(
    client, editor, lang, message
):
    for _attempt in range(4):
        log_in(client, lang, "wrong")

    locked = log_in(client, lang, "wrong")
    still_locked = log_in(client, lang, "correct horse")

    for response in (locked, still_locked):
        assert response.status_code == 429
        body = response.content.decode()
        assert f'<section lang="{lang}" class="current">' in body
        assert message in body
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_per_username_so_others_can_still_log_in(client, editor):
    get_user_model().objects.create_user("other", password="battery staple", is_staff=True)
    for _attempt in range(5):
        log_in(client, "en", "wrong")

    assert log_in(client, "en", "battery staple", username="other").status_code == 302


def log_in_from(client, password, *, username="editor", peer, forwarded=None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        "/en/admin/login/",
        {"username": username, "password": password, "next": "/en/admin/"},
        **headers,
    )


PROXY = "10.0.0.2"  # the trusted proxy in front of gunicorn: every request comes from it


def test_behind_a_proxy_rotating_the_forwarded_addresses_does_not_dodge_the_lockout(
    client, editor, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client writes the left part; the proxy appends the address it saw (203.0.113.7).
    for n in range(5):
        log_in_from(client, "wrong", peer=PROXY, forwarded=f"192.0.2.{n}, 203.0.113.7")

    attempt = log_in_from(client, "correct horse", peer=PROXY, forwarded="192.0.2.99, 203.0.113.7")

    assert attempt.status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_a_proxy_a_forged_address_cannot_lock_out_its_owner(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _attempt in range(5):  # the attacker (203.0.113.7) claims to be the editor (192.0.2.50)
        log_in_from(client, "wrong", peer=PROXY, forwarded="192.0.2.50, 203.0.113.7")

    owner = log_in_from(Client(), "correct horse", peer=PROXY, forwarded="192.0.2.50")

    assert owner.status_code == 302


def test_without_a_proxy_the_forwarded_header_is_ignored_both_ways(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    # Rotating the header does not dodge the lockout of the real address…
    for n in range(5):
        log_in_from(client, "wrong", peer="203.0.113.7", forwarded=f"192.0.2.{n}")
    dodge = log_in_from(client, "correct horse", peer="203.0.113.7", forwarded="192.0.2.99")
    # …and naming the editor's address does not lock the editor out.
    owner = log_in_from(Client(), "correct horse", peer="192.0.2.50")

    assert dodge.status_code == 429
    assert owner.status_code == 302


def test_an_address_trying_many_usernames_is_locked_out_altogether(client, editor, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(6):  # below the per-username limit for each of them
        log_in_from(client, "wrong", username=f"guess{n % 3}", peer="203.0.113.7")

    locked = log_in_from(client, "correct horse", peer="203.0.113.7")
    elsewhere = log_in_from(Client(), "correct horse", peer="192.0.2.50")

    assert locked.status_code == 429
    assert (
        "After 6 failed attempts from your address, logging in from it is blocked for 15 minutes."
        in locked.content.decode()
    )
    assert elsewhere.status_code == 302


# --- Size limits --------------------------------------------------------------------------


def test_pasted_text_over_the_limit_gets_a_clear_413_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = client.post("/en/admin/login/", {"username": "x" * 20_000, "password": "p"})

    body = response.content.decode()
    assert response.status_code == 413
    assert "What you sent is larger than the limit of 9.8\xa0KB. Nothing was saved." in body
    assert "送信された内容が上限（9.8\xa0KB）を超えています。" in body


def test_an_upload_over_the_limit_gets_the_413_page_before_it_is_read(client, settings):
    settings.MAX_REQUEST_SIZE = 50_000
    upload = SimpleUploadedFile("issue.po", b"x" * 60_000)

    response = client.post("/en/admin/login/", {"file": upload})

    assert response.status_code == 413
    assert "larger than the limit of 48.8\xa0KB" in response.content.decode()
    assert policy(response) == EXPECTED_POLICY


def test_a_request_under_the_limits_is_served(client, settings, editor):
    settings.MAX_REQUEST_SIZE = 50_000
    upload = SimpleUploadedFile("issue.po", b"x" * 40_000)

    response = client.post(
        "/en/admin/login/", {"username": "editor", "password": "correct horse", "file": upload}
    )

    assert response.status_code == 302


def test_an_administrator_unlocks_a_locked_out_editor(client, editor):
    for _attempt in range(5):
        log_in_from(client, "wrong", peer="192.0.2.50")
    assert log_in_from(client, "correct horse", peer="192.0.2.50").status_code == 429
    administrator = get_user_model().objects.create_superuser("chief", password="pw")
    chief = Client()
    chief.force_login(administrator)

    response = chief.post(
        "/en/admin/auth/user/",
        {"action": "unlock_login", "_selected_action": [editor.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Login unlocked for editor: 1 failed-login record forgotten."
    ]
    assert log_in_from(client, "correct horse", peer="192.0.2.50").status_code == 302


def test_an_editor_cannot_unlock_logins(editor):
    from editorial.roles import EDITORS
    from tests.factories import make_user

    colleague = Client()
    colleague.force_login(make_user("erika", role=EDITORS))

    response = colleague.post(
        "/en/admin/auth/user/", {"action": "unlock_login", "_selected_action": [editor.pk]}
    )

    assert response.status_code == 403


@pytest.fixture
def smtp(settings):
    from tests.smtp_server import SMTPServer

    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server


def test_staff_reset_a_forgotten_password_by_email(client, editor, smtp, settings):
    settings.SITE_URL = "https://briefing.example.com"
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.net"]  # another name of the site
    editor.email = "editor@example.com"
    editor.save()
    get_user_model().objects.create_user("reader", email="reader@example.com", password="x")

    login_page = client.get("/en/admin/login/")
    assert 'href="/en/admin/password_reset/"' in login_page.content.decode()
    for address in ("editor@example.com", "reader@example.com"):  # not staff: no email
        sent = client.post(
            "/en/admin/password_reset/", {"email": address}, HTTP_HOST="mirror.example.net"
        )
        assert (sent.status_code, sent["Location"]) == (302, "/en/admin/password_reset/done/")

    [message] = smtp.received
    assert message.recipients == ["editor@example.com"]
    body = message.part("text/plain")
    [link] = re.findall(r"https://briefing\.example\.com/en/admin/reset/\S+/", body)
    assert "mirror.example.net" not in body
    path = link.removeprefix("https://briefing.example.com")
    form_page = client.get(path, follow=True)
    new_password = "a new long passphrase"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert (done.status_code, done["Location"]) == (302, "/en/admin/reset/done/")
    editor.refresh_from_db()
    assert editor.check_password(new_password)
