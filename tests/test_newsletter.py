"""The email edition against a real SMTP server (aiosmtpd, started here): subscribe, confirm,
publish, receive once in the right language, leave in one click."""

import datetime
import html.parser
import json
import re

import dkim
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.utils import timezone

from briefing.models import Briefing
from editorial import workflow
from newsletter import sending, tasks
from newsletter.bounces import handle_dsn
from newsletter.models import Delivery, Edition, Subscriber
from newsletter.rendering import render_edition
from tests.factories import make_briefing, make_user, run_command
from tests.smtp_server import SMTPServer

pytestmark = pytest.mark.django_db

TOKYO = datetime.timezone(datetime.timedelta(hours=9))
# The morning of the demo issue's date: its edition sends itself.
MORNING = datetime.datetime(2026, 5, 19, 6, 0, tzinfo=TOKYO)
SITE = "https://briefing.example"


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "newsletter.mail.SMTPBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.SITE_URL = SITE
        settings.DEFAULT_FROM_EMAIL = "Daily Briefing <briefing@briefing.example>"
        settings.NEWSLETTER_RETURN_PATH = "bounces@briefing.example"
        yield server


def subscriber(email, language="ja", state=Subscriber.State.CONFIRMED):
    return Subscriber.objects.create(
        email=email,
        language=language,
        state=state,
        confirmed_at=timezone.now() if state == Subscriber.State.CONFIRMED else None,
    )


def draft(**fields):
    return make_briefing(status=Briefing.Status.DRAFT, **fields)


def publish(briefing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_now(briefing)


def header(mail, name: str) -> str:
    # Whitespace after the colon (a fold there) is not part of the value (RFC 5322).
    return str(mail.message[name]).strip()


def link(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    assert match, f"{pattern} not in {text}"
    return match.group(0)


# --- Subscribing ------------------------------------------------------------------------------


def test_subscribe_confirm_with_a_post_not_a_get(client, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/subscribe/", {"email": " Reader@Example.com ", "language": "en"}
        )

    assert response.status_code == 302
    assert response["Location"] == "/en/subscribe/check-your-inbox/"
    [mail] = smtp.to("reader@example.com")
    assert header(mail, "Subject") == "Confirm your subscription to the Daily Briefing"
    confirm_url = link(mail.part("text/plain"), rf"{SITE}/en/subscribe/confirm/[\w-]+/")
    path = confirm_url.removeprefix(SITE)
    # A mail scanner following the link confirms nothing.
    page = client.get(path)
    assert page.status_code == 200
    assert b'<form method="post">' in page.content
    assert Subscriber.objects.get().state == Subscriber.State.PENDING

    response = Client(enforce_csrf_checks=True).post(path)
    assert response.status_code == 403  # the button's form carries the CSRF token
    response = client.post(path)

    reader = Subscriber.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/subscribe/manage/{reader.token}/"
    assert (reader.email, reader.language, reader.state) == (
        "reader@example.com",
        "en",
        "confirmed",
    )
    assert reader.confirmed_at is not None


def test_the_answer_never_says_whether_an_address_is_known(
    client, smtp, django_capture_on_commit_callbacks
):
    subscriber("known@example.com", "en")
    answers = []
    for address in ("known@example.com", "new@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/ja/subscribe/", {"email": address, "language": "ja"})
        answers.append((response.status_code, response["Location"], response.content))

    assert answers[0] == answers[1] == (302, "/ja/subscribe/check-your-inbox/", b"")
    # The owner of the known address is told by email, and nothing about it changed.
    [known] = smtp.to("known@example.com")
    assert header(known, "Subject") == "You are already subscribed to the Daily Briefing"
    assert Subscriber.objects.get(email="known@example.com").language == "en"
    [new] = smtp.to("new@example.com")
    assert header(new, "Subject") == "デイリーブリーフィングの購読を確認してください"


def test_subscribe_is_rate_limited_per_address_and_per_client(
    client, smtp, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_RATE_PER_ADDRESS = 2
    settings.NEWSLETTER_RATE_PER_CLIENT = 4
    statuses = []
    for _attempt in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/ja/subscribe/", {"email": "a@example.com", "language": "ja"})
        statuses.append(response.status_code)

    # Same answer each time, but only two emails for the address.
    assert statuses == [302, 302, 302, 302]
    assert len(smtp.to("a@example.com")) == 2
    # The client's fifth request in the hour is refused outright.
    response = client.post("/ja/subscribe/", {"email": "b@example.com", "language": "ja"})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "購読の申し込みが多すぎます" in response.content.decode()
    assert not Subscriber.objects.filter(email="b@example.com").exists()
    # Another client is not affected.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert (
        other.post("/ja/subscribe/", {"email": "b@example.com", "language": "ja"}).status_code
        == 302
    )


def test_a_bad_address_is_a_form_error(client):
    response = client.post("/en/subscribe/", {"email": "not-an-address", "language": "ja"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "<title>Error: Subscribe — Daily Briefing</title>" in body
    # The error is tied to the field it is about (read out with it by screen readers).
    assert (
        '<ul class="errorlist" id="id_email_error"><li>Enter a valid email address.</li></ul>'
        in (body)
    )
    assert 'aria-invalid="true" aria-describedby="id_email_error"' in body
    assert not Subscriber.objects.exists()


def test_the_subscribe_page_before_sending_marks_no_error(client):
    response = client.get("/en/subscribe/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Subscribe — Daily Briefing</title>" in body
    assert "aria-invalid" not in body


def test_every_page_links_to_subscribe(client):
    make_briefing()
    for path, expected in (("/ja/", "/ja/subscribe/"), ("/en/archive/", "/en/subscribe/")):
        response = client.get(path)
        assert f'href="{expected}"' in response.content.decode(), path


# --- Publishing sends the edition ---------------------------------------------------------------


def test_publish_sends_one_edition_per_confirmed_subscriber_in_their_language(
    smtp, clock, django_capture_on_commit_callbacks
):
    subscriber("ja@example.com", "ja")
    subscriber("en@example.com", "en")
    subscriber("both@example.com", "both")
    subscriber("pending@example.com", "ja", Subscriber.State.PENDING)
    subscriber("left@example.com", "en", Subscriber.State.UNSUBSCRIBED)
    subscriber("bounced@example.com", "en", Subscriber.State.BOUNCED)
    briefing = draft(theme_ja="安全とアクセスコントロール", theme_en="Safety and access control")

    publish(briefing, django_capture_on_commit_callbacks)

    assert sorted(r for item in smtp.received for r in item.recipients) == [
        "both@example.com",
        "en@example.com",
        "ja@example.com",
    ]
    [ja] = smtp.to("ja@example.com")
    [en] = smtp.to("en@example.com")
    [both] = smtp.to("both@example.com")
    assert header(ja, "Subject") == "2026年5月19日（火）｜安全とアクセスコントロール"
    assert header(en, "Subject") == "Tuesday, May 19, 2026 | Safety and access control"
    assert header(both, "Subject") == (
        "2026年5月19日（火）｜安全とアクセスコントロール / Safety and access control"
    )
    assert "ディープダイブ1" in ja.part("text/html") and "Deep dive 1" not in ja.part("text/html")
    assert "Deep dive 1" in en.part("text/html") and "ディープダイブ1" not in en.part("text/html")
    assert "ディープダイブ1" in both.part("text/html") and "Deep dive 1" in both.part("text/html")
    edition = Edition.objects.get()
    assert edition.state == Edition.State.SENT
    assert sending.delivery_counts(edition)["sent"] == 3

    # Never twice: unpublish and publish again, the beat's check, a manual resume.
    workflow.unpublish(briefing)
    publish(briefing, django_capture_on_commit_callbacks)
    tasks.send_due_editions.delay()
    run_command("send_edition", "2026-05-19")
    assert len(smtp.received) == 3
    assert Delivery.objects.count() == 3


def test_the_edition_follows_the_sites_fallback_rule(
    smtp, clock, django_capture_on_commit_callbacks
):
    subscriber("en@example.com", "en")
    briefing = draft(theme_en="", tldr_en="")

    publish(briefing, django_capture_on_commit_callbacks)

    [en] = smtp.to("en@example.com")
    # No English theme: the date and the site's name.
    assert header(en, "Subject") == "Tuesday, May 19, 2026 | Daily Briefing"
    html = en.part("text/html")
    assert "要約です。" in html
    assert "Not yet translated — Japanese original" in html
    assert "[Not yet translated — Japanese original]\n要約です。" in en.part("text/plain")


def test_headers_multipart_and_inlined_css(smtp, clock, django_capture_on_commit_callbacks):
    reader = subscriber("ja@example.com", "ja")
    publish(draft(), django_capture_on_commit_callbacks)

    [mail] = smtp.received
    message = mail.message
    assert mail.sender == "bounces@briefing.example"
    assert header(mail, "From") == "Daily Briefing <briefing@briefing.example>"
    assert header(mail, "To") == "ja@example.com"
    assert header(mail, "List-Unsubscribe") == f"<{SITE}/newsletter/unsubscribe/{reader.token}/>"
    assert header(mail, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert header(mail, "List-Id") == "デイリーブリーフィング <newsletter.briefing.example>"
    assert re.fullmatch(r"<[^@>]+@briefing\.example>", message["Message-ID"])
    # Django writes UTC as -0000 (EMAIL_USE_LOCALTIME is off).
    assert message["Date"].datetime == MORNING.astimezone(datetime.UTC).replace(tzinfo=None)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    html = mail.part("text/html")
    assert '<div class="container" style="' in html  # inlined
    assert "prefers-color-scheme: dark" in html  # the dark-mode rules kept in <style>
    assert f"{SITE}/ja/2026/05/19/" in html and f"{SITE}/ja/2026/05/19/both/" in html
    assert f"{SITE}/ja/subscribe/manage/{reader.token}/" in html
    # No tracking: no images at all, and every link goes where it says.
    assert "<img" not in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert all(href.startswith((f"{SITE}/", "https://example.com/")) for href in hrefs), hrefs


def test_dkim_signature_verifies(
    smtp, settings, tmp_path, clock, django_capture_on_commit_callbacks
):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import base64

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    settings.DKIM_DOMAIN = "briefing.example"
    settings.DKIM_SELECTOR = "mail2026"
    settings.DKIM_PRIVATE_KEY_FILE = str(key_file)
    subscriber("ja@example.com", "ja")

    publish(draft(), django_capture_on_commit_callbacks)

    [mail] = smtp.received
    looked_up = []

    def dns(name, timeout=5):
        looked_up.append(name)
        return record if name == b"mail2026._domainkey.briefing.example." else None

    assert mail.raw.startswith(b"DKIM-Signature:")
    assert dkim.verify(mail.raw, dnsfunc=dns) is True
    assert looked_up == [b"mail2026._domainkey.briefing.example."]
    signed = re.search(rb"h=([^;]+);", mail.raw.replace(b"\r\n ", b"")).group(1).lower()
    assert b"list-unsubscribe" in signed and b"list-unsubscribe-post" in signed
    # A changed subject breaks it.
    assert dkim.verify(mail.raw.replace(b"Subject: ", b"Subject: X"), dnsfunc=dns) is False


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.attributes = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)


def test_hostile_issue_text_is_inert_in_the_html(smtp, clock, django_capture_on_commit_callbacks):
    subscriber("en@example.com", "en")
    subscriber("both@example.com", "both")
    hostile = (
        '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>'
    )
    briefing = draft(theme_en=hostile, lead_en=hostile, tldr_ja=hostile)
    briefing.read_more.update(url="javascript:alert(4)", title_en=hostile)

    publish(briefing, django_capture_on_commit_callbacks)

    for mail in smtp.received:
        html = mail.part("text/html")
        parser = _Elements()
        parser.feed(html)
        assert "script" not in parser.tags and "img" not in parser.tags
        assert not [name for name, _value in parser.attributes if name.startswith("on")]
        assert not [value for _name, value in parser.attributes if "javascript:" in (value or "")]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_scheduled_issue_is_sent_by_the_beat_when_its_time_comes(smtp, clock):
    subscriber("ja@example.com", "ja")
    make_briefing(publish_at=MORNING + datetime.timedelta(hours=1))

    tasks.send_due_editions.delay()
    assert smtp.received == []

    clock.shift(datetime.timedelta(hours=1, minutes=1))
    tasks.send_due_editions.delay()
    tasks.send_due_editions.delay()
    assert len(smtp.to("ja@example.com")) == 1


def test_an_issue_published_more_than_a_day_after_its_date_is_not_sent_by_itself(
    smtp, clock, django_capture_on_commit_callbacks
):
    subscriber("ja@example.com", "ja")
    yesterday = draft(date=datetime.date(2026, 5, 18))
    backfill = draft(date=datetime.date(2026, 5, 17))
    # An archive import stamps the old publication time: still not sent.
    imported = make_briefing(
        date=datetime.date(2026, 5, 16), publish_at=datetime.datetime(2026, 5, 16, 6, tzinfo=TOKYO)
    )

    publish(backfill, django_capture_on_commit_callbacks)
    tasks.send_due_editions.delay()
    assert smtp.received == []
    publish(yesterday, django_capture_on_commit_callbacks)
    assert [header(m, "Subject") for m in smtp.received] == ["2026年5月18日（月）｜テーマ 05/18"]

    # The editor sends one on purpose.
    out = run_command("send_edition", "2026-05-16")
    assert "1 sent" in out
    assert len(smtp.received) == 2
    assert Edition.objects.get(briefing=imported).state == Edition.State.SENT


def test_permanent_refusal_marks_the_address_temporary_ones_retry(smtp, clock):
    subscriber("ok@example.com", "ja")
    gone = subscriber("gone@example.com", "ja")
    grey = subscriber("grey@example.com", "ja")
    smtp.handler.refuse["gone@example.com"] = "550 5.1.1 No such user"
    smtp.handler.refuse_once["grey@example.com"] = "451 4.7.1 Greylisted, try later"
    briefing = make_briefing()
    edition, _created = sending.queue_edition(briefing)

    outcome = sending.send_edition(edition)

    assert (outcome.sent, outcome.failed, outcome.remaining) == (1, 1, 1)
    gone.refresh_from_db()
    assert gone.state == Subscriber.State.BOUNCED
    assert gone.bounce_reason == "550 5.1.1 No such user"
    assert Delivery.objects.get(subscriber=grey).state == Delivery.State.RETRYING
    edition.refresh_from_db()
    assert edition.state == Edition.State.RETRYING

    # The retry sends the greylisted one only; the bounced address is not tried again.
    outcome = sending.send_edition(edition)
    assert (outcome.sent, outcome.failed, outcome.remaining) == (1, 0, 0)
    assert sorted(r for m in smtp.received for r in m.recipients) == [
        "grey@example.com",
        "ok@example.com",
    ]
    edition.refresh_from_db()
    assert edition.state == Edition.State.SENT


def test_server_down_leaves_the_edition_to_retry(settings, clock):
    with SMTPServer() as down:
        port = down.port
    settings.EMAIL_BACKEND = "newsletter.mail.SMTPBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    subscriber("ja@example.com", "ja")
    edition, _created = sending.queue_edition(make_briefing())

    outcome = sending.send_edition(edition)

    assert (outcome.sent, outcome.remaining) == (0, 1)
    edition.refresh_from_db()
    assert edition.state == Edition.State.RETRYING
    assert "ConnectionRefusedError" in edition.last_error


def test_sending_costs_a_fixed_number_of_queries_per_message(
    smtp, clock, django_assert_num_queries
):
    for number in range(3):
        subscriber(f"r{number}@example.com", "ja")
    edition, _created = sending.queue_edition(make_briefing())

    # Lease, public check, state, rendering (5), the batch, one record per message (the "after"
    # of one with the "before" of the next), the last "after", the end of the batch, the
    # remaining count and the release.
    with django_assert_num_queries(3 + 5 + 1 + 3 + 1 + 1 + 2):
        sending.send_edition(edition)
    assert len(smtp.received) == 3


def test_saving_an_issue_costs_no_newsletter_query():
    from django.db import connection
    from django.db.models.signals import post_save
    from django.test.utils import CaptureQueriesContext

    from newsletter.signals import on_briefing_saved

    briefing = make_briefing()
    with CaptureQueriesContext(connection) as with_newsletter:
        briefing.save(update_fields=["theme_ja"])
    post_save.disconnect(on_briefing_saved, sender=Briefing, dispatch_uid="newsletter-publish")
    try:
        with CaptureQueriesContext(connection) as without_newsletter:
            briefing.save(update_fields=["theme_ja"])
    finally:
        post_save.connect(on_briefing_saved, sender=Briefing, dispatch_uid="newsletter-publish")
    assert len(with_newsletter) == len(without_newsletter)


# --- Leaving, and the subscriber's page ---------------------------------------------------------


def test_one_click_unsubscribe_without_login_or_csrf(
    smtp, clock, django_capture_on_commit_callbacks
):
    reader = subscriber("ja@example.com", "ja")
    publish(draft(), django_capture_on_commit_callbacks)
    [mail] = smtp.received
    url = header(mail, "List-Unsubscribe").strip("<>").removeprefix(SITE)
    browserless = Client(enforce_csrf_checks=True)

    # A GET (a link checker, a curious reader) changes nothing and leads to the page.
    response = browserless.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/ja/subscribe/manage/{reader.token}/"
    reader.refresh_from_db()
    assert reader.state == Subscriber.State.CONFIRMED
    # Not the RFC 8058 body: refused.
    assert browserless.post(url, {"List-Unsubscribe": "Maybe"}).status_code == 400

    response = browserless.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.state == Subscriber.State.UNSUBSCRIBED
    # The next issue does not go to them.
    publish(draft(date=datetime.date(2026, 5, 20)), django_capture_on_commit_callbacks)
    assert len(smtp.received) == 1
    assert (
        browserless.post(
            "/newsletter/unsubscribe/no-such-token/", {"List-Unsubscribe": "One-Click"}
        ).status_code
        == 404
    )


def test_manage_page_changes_language_resubscribes_downloads_and_deletes(client, smtp, clock):
    reader = subscriber("reader@example.com", "ja")
    page = f"/ja/subscribe/manage/{reader.token}/"
    assert client.get(page).status_code == 200
    assert Client(enforce_csrf_checks=True).post(page, {"action": "unsubscribe"}).status_code == 403

    client.post(page, {"action": "language", "language": "en"})
    reader.refresh_from_db()
    assert reader.language == "en"
    assert client.post(page, {"action": "language", "language": "fr"}).status_code == 200
    reader.refresh_from_db()
    assert reader.language == "en"
    client.post(page, {"action": "unsubscribe"})
    reader.refresh_from_db()
    assert reader.state == Subscriber.State.UNSUBSCRIBED
    client.post(page, {"action": "resubscribe"})
    reader.refresh_from_db()
    assert reader.state == Subscriber.State.CONFIRMED
    assert client.post(page, {"action": "nonsense"}).status_code == 400

    edition, _created = sending.queue_edition(make_briefing())
    sending.send_edition(edition)
    response = client.get(f"/ja/subscribe/manage/{reader.token}/my-data.json")
    data = json.loads(response.content)
    assert response["Content-Disposition"] == 'attachment; filename="my-subscription.json"'
    assert data["email"] == "reader@example.com"
    assert data["language"] == "en"
    assert data["editions_sent"] == [{"issue": "2026-05-19", "sent_at": MORNING.isoformat()}]

    response = client.post(page, {"action": "delete"})
    assert response.status_code == 302
    assert not Subscriber.objects.exists()
    assert not Delivery.objects.exists()
    assert client.get(page).status_code == 404


# --- Bounces after the send ---------------------------------------------------------------------

DSN = b"""From: MAILER-DAEMON@mx.example.org
To: bounces@briefing.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; Gone@example.com
Action: failed
Status: 5.1.1

Final-Recipient: rfc822; later@example.com
Action: delayed
Status: 4.4.1
--B--
"""


def test_a_dsn_marks_permanent_failures_only():
    gone = subscriber("gone@example.com")
    later = subscriber("later@example.com")

    assert handle_dsn(DSN) == 1

    gone.refresh_from_db()
    later.refresh_from_db()
    assert (gone.state, gone.bounce_reason) == ("bounced", "DSN 5.1.1")
    assert later.state == "confirmed"


def test_the_bounce_webhook_needs_its_secret(client, settings):
    reader = subscriber("gone@example.com")
    body = json.dumps({"email": "gone@example.com", "permanent": True, "reason": "hard"})
    settings.NEWSLETTER_WEBHOOK_SECRET = ""
    assert (
        client.post("/newsletter/bounces/", body, content_type="application/json").status_code
        == 404
    )
    settings.NEWSLETTER_WEBHOOK_SECRET = "s3cret"
    response = client.post(
        "/newsletter/bounces/",
        body,
        content_type="application/json",
        headers={"X-Newsletter-Secret": "wrong"},
    )
    assert response.status_code == 403
    response = client.post(
        "/newsletter/bounces/",
        "{bad",
        content_type="application/json",
        headers={"X-Newsletter-Secret": "s3cret"},
    )
    assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.state == "confirmed"

    response = client.post(
        "/newsletter/bounces/",
        body,
        content_type="application/json",
        headers={"X-Newsletter-Secret": "s3cret"},
    )

    assert response.json() == {"marked": True}
    reader.refresh_from_db()
    assert (reader.state, reader.bounce_reason) == ("bounced", "webhook: hard")


# --- Commands -----------------------------------------------------------------------------------


def test_send_edition_dry_run_test_copy_and_refusals(smtp, clock):
    subscriber("ja@example.com", "ja")
    subscriber("en@example.com", "en")
    make_briefing()
    draft(date=datetime.date(2026, 5, 20))

    out = run_command("send_edition", "2026-05-19", "--dry-run")
    assert out.splitlines() == [
        "Not sent yet; would be queued for 2 subscribers.",
        "  日本語 (1): 2026年5月19日（火）｜テーマ 05/19",
        "  英語 (1): Tuesday, May 19, 2026 | Theme 05/19",
        "  日本語と英語を並べて (0): 2026年5月19日（火）｜テーマ 05/19 / Theme 05/19",
    ]
    assert smtp.received == [] and not Edition.objects.exists()

    out = run_command(
        "send_edition", "2026-05-19", "--to", "editor@example.com", "--language", "en"
    )
    assert out == "Test copy (en) sent to editor@example.com: Tuesday, May 19, 2026 | Theme 05/19\n"
    assert [m.recipients for m in smtp.received] == [["editor@example.com"]]
    assert not Edition.objects.exists()

    from django.core.management.base import CommandError

    with pytest.raises(
        CommandError, match=r"^The issue of 2026-05-20 is not public; publish it first\.$"
    ):
        run_command("send_edition", "2026-05-20")
    with pytest.raises(CommandError, match=r"^'2026-13-01' is not a date \(YYYY-MM-DD\)\.$"):
        run_command("send_edition", "2026-13-01")

    assert "2 sent, 0 failed" in run_command("send_edition", "2026-05-19")
    assert "0 sent, 0 failed" in run_command("send_edition", "2026-05-19")
    assert len(smtp.received) == 3


def test_import_and_export_subscribers(tmp_path):
    subscriber("left@example.com", "ja", Subscriber.State.UNSUBSCRIBED)
    source = tmp_path / "list.csv"
    source.write_text(
        "email,language,confirmed_at\n"
        "One@Example.com,ja,2025-01-02T03:04:05+09:00\n"
        "two@example.com,both,\n"
        "left@example.com,en,2025-01-01T00:00:00+00:00\n",
        encoding="utf-8",
    )

    out = run_command("import_subscribers", str(source))

    assert out == (
        "Imported 2 subscribers (1 confirmed, 1 waiting for confirmation); "
        "1 already known, left unchanged.\n"
    )
    one = Subscriber.objects.get(email="one@example.com")
    assert (one.state, one.language, one.source) == ("confirmed", "ja", "import")
    assert one.confirmed_at == datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=TOKYO)
    assert Subscriber.objects.get(email="two@example.com").state == "pending"
    assert Subscriber.objects.get(email="left@example.com").state == "unsubscribed"

    exported = run_command("export_subscribers")
    assert exported == "email,language,confirmed_at\none@example.com,ja,2025-01-01T18:04:05+00:00\n"


def test_import_refuses_a_bad_row_and_imports_nothing(tmp_path):
    from django.core.management.base import CommandError

    source = tmp_path / "list.csv"
    source.write_text("email,language\na@example.com,ja\nb@example.com,fr\n", encoding="utf-8")

    with pytest.raises(
        CommandError, match=r"^Line 3: language must be one of ja, en, both, not 'fr'\.$"
    ):
        run_command("import_subscribers", str(source))
    assert not Subscriber.objects.exists()


# --- Admin --------------------------------------------------------------------------------------


def test_admin_counts_send_state_and_preview(client, smtp, clock):
    subscriber("a@example.com", "ja")
    subscriber("b@example.com", "en")
    subscriber("c@example.com", "en", Subscriber.State.PENDING)
    smtp.handler.refuse["b@example.com"] = "550 No such user"
    briefing = make_briefing(theme_en="English <b>theme</b>")
    edition, _created = sending.queue_edition(briefing)
    sending.send_edition(edition)
    client.force_login(make_user(superuser=True))

    page = client.get("/en/admin/newsletter/subscriber/").content.decode()
    assert re.search(r"English\s*\(2\)", page) and re.search(r"Japanese\s*\(1\)", page)
    assert re.search(r"Waiting for confirmation\s*\(1\)", page)
    page = client.get("/en/admin/newsletter/edition/").content.decode()
    assert "Sent 1 · Failed 1" in page
    for language, text in (
        ("ja", "テーマ 05/19"),
        ("en", "English &lt;b&gt;theme&lt;/b&gt;"),
        ("both", "テーマ 05/19"),
    ):
        response = client.get(f"/en/admin/newsletter/edition/preview/2026-05-19/{language}/")
        assert response.status_code == 200
        assert text in response.content.decode()
        assert "'unsafe-inline'" in response["Content-Security-Policy"]
    assert client.get("/en/admin/newsletter/edition/preview/2026-05-19/fr/").status_code == 404
    assert client.get("/en/admin/newsletter/edition/preview/2026-02-30/ja/").status_code == 404
    client.force_login(make_user("reader-staff"))
    assert client.get("/en/admin/newsletter/edition/preview/2026-05-19/ja/").status_code == 404


# --- Backups ------------------------------------------------------------------------------------


def test_subscriber_records_round_trip_with_their_consent():
    from newsletter.interchange import (
        SubscriberRecordError,
        load_subscriber_records,
        subscriber_records,
    )

    with time_machine.travel(MORNING, tick=False):
        kept = subscriber("kept@example.com", "both")
        subscriber("left@example.com", "en", Subscriber.State.UNSUBSCRIBED)
    records = list(subscriber_records())
    assert records[0] == {
        "email": "kept@example.com",
        "language": "both",
        "state": "confirmed",
        "source": "form",
        "token": kept.token,
        "bounce_reason": "",
        "subscribed_at": "2026-05-18T21:00:00+00:00",
        "confirmed_at": "2026-05-18T21:00:00+00:00",
        "unsubscribed_at": None,
        "bounced_at": None,
    }
    Subscriber.objects.all().delete()

    assert load_subscriber_records(records) == 2
    assert list(subscriber_records()) == records
    assert load_subscriber_records(records) == 0  # already there: left as they are

    Subscriber.objects.all().delete()
    bad = [records[0], {**records[1], "state": "confirmed", "confirmed_at": None}]
    with pytest.raises(SubscriberRecordError) as error:
        load_subscriber_records(bad)
    assert str(error.value) == (
        "subscriber record 2: a confirmed subscriber needs confirmed_at (the consent)"
    )
    assert not Subscriber.objects.exists()


def test_editors_see_subscribers_send_state_and_preview(client):
    from editorial.roles import EDITORS, TRANSLATORS

    make_briefing()
    client.force_login(make_user("erika", role=EDITORS))
    assert client.get("/en/admin/newsletter/subscriber/").status_code == 200
    assert client.get("/en/admin/newsletter/edition/").status_code == 200
    assert client.get("/en/admin/newsletter/edition/preview/2026-05-19/en/").status_code == 200
    client.force_login(make_user("tomo", role=TRANSLATORS))
    assert client.get("/en/admin/newsletter/subscriber/").status_code == 403
    assert client.get("/en/admin/newsletter/edition/preview/2026-05-19/en/").status_code == 404


# --- Configuration ------------------------------------------------------------------------------


def test_email_url_gives_djangos_email_settings():
    from django.core.exceptions import ImproperlyConfigured

    from config.email import email_settings

    assert email_settings("console://") == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
    }
    assert email_settings("smtp+tls://user%40example.com:p%3Ass@mail.example.com") == {
        "EMAIL_BACKEND": "newsletter.mail.SMTPBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "user@example.com",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 30,
    }
    assert email_settings("smtp://127.0.0.1:2525")["EMAIL_PORT"] == 2525
    assert email_settings("smtp+ssl://mail.example.com")["EMAIL_USE_SSL"] is True
    with pytest.raises(ImproperlyConfigured) as error:
        email_settings("imap://mail.example.com")
    assert str(error.value) == (
        "EMAIL_URL must be smtp://, smtp+tls://, smtp+ssl:// (with a host) or console://, not imap://"
    )
    with pytest.raises(ImproperlyConfigured):
        email_settings("smtp://mail.example.com:99999")


def test_long_lines_are_broken_inside_text_only_and_the_html_goes_as_8bit(
    smtp, clock, django_capture_on_commit_callbacks
):
    from newsletter.rendering import short_lines

    subscriber("ja@example.com", "ja")
    long_text = "長い段落。" * 400 + " & <b> " + "あ" * 300
    briefing = draft(lead_ja=long_text)
    briefing.read_more.update(url="https://example.com/?q=" + "x>y&z" * 95)  # 500 characters

    publish(briefing, django_capture_on_commit_callbacks)

    [mail] = smtp.received
    html_part = next(p for p in mail.message.walk() if p.get_content_type() == "text/html")
    assert html_part["Content-Transfer-Encoding"] == "8bit"
    html = mail.part("text/html")
    assert max(len(line.encode()) for line in html.split("\n")) <= 998  # SMTP's limit
    # The text reads the same: the breaks are inside comments, not in the text.
    without_breaks = html.replace("<!--\n-->", "")
    assert (
        long_text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in without_breaks
    )
    assert 'href="https://example.com/?q=' + "x>y&amp;z" * 95 + '"' in without_breaks
    # Short lines are left alone.
    assert short_lines("<p>short</p>\nline") == "<p>short</p>\nline"


def test_a_prepared_copy_is_the_message_django_builds_for_the_subscriber(smtp, clock):
    import email as email_library
    import email.policy

    from newsletter.rendering import edition_message, personalise, prepare_message

    briefing = make_briefing()
    rendered = render_edition(briefing, "both")
    token = "Abc-def_123456789012345678901234"

    copy = personalise(prepare_message(rendered), "reader@example.com", token)
    built = (
        edition_message(rendered, "reader@example.com", token).message().as_bytes(linesep="\r\n")
    )

    parsed = [
        email_library.message_from_bytes(raw, policy=email.policy.default) for raw in (copy, built)
    ]
    headers = [
        [
            (name, str(value).strip())
            for name, value in message.items()
            if name not in ("Message-ID", "Content-Type")  # the boundary is random
        ]
        for message in parsed
    ]
    assert headers[0] == headers[1]
    assert parsed[0].get_content_type() == parsed[1].get_content_type() == "multipart/alternative"
    assert [part.get_content() for part in parsed[0].iter_parts()] == [
        part.get_content() for part in parsed[1].iter_parts()
    ]
    assert f"/newsletter/unsubscribe/{token}/" in parsed[0]["List-Unsubscribe"]
    assert parsed[0]["Message-ID"] != parsed[1]["Message-ID"]
    # Anything unusual is built in full instead.
    assert personalise(prepare_message(rendered), "reader@bücher.example", token) is None
    assert personalise(prepare_message(rendered), "reader@example.com", "a\r\nBcc: x") is None


def test_an_international_address_gets_a_message_built_in_full(smtp, clock):
    subscriber("reader@bücher.example", "ja")
    subscriber("plain@example.com", "ja")
    edition, _created = sending.queue_edition(make_briefing())

    outcome = sending.send_edition(edition)

    assert outcome.sent == 2
    assert sorted(r for m in smtp.received for r in m.recipients) == [
        "plain@example.com",
        "reader@xn--bcher-kva.example",
    ]


def test_process_bounce_reads_a_dsn_from_standard_input(monkeypatch):
    import io
    import sys

    subscriber("gone@example.com")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(DSN)))

    assert run_command("process_bounce") == "1 subscriber address(es) marked as bounced.\n"
    assert Subscriber.objects.get().state == Subscriber.State.BOUNCED
