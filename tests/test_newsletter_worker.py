"""The email edition sent by a real Celery worker over a real broker (Redis), to a real SMTP
server; and a worker killed mid-send, resumed by the next one with no gaps.

The worker is a separate process, so it needs the test database on a server: these run in
the PostgreSQL pass, with the broker named by NEWSLETTER_TEST_BROKER_URL (CI gives it a Redis
database of its own). Without it they are skipped, with the reason, and fail in CI.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from briefing.models import Briefing
from newsletter import sending
from newsletter.models import Delivery, Edition, Subscriber
from newsletter.rendering import subject_for
from tests.factories import make_briefing
from tests.smtp_server import SMTPServer

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[1]
BROKER = os.environ.get("NEWSLETTER_TEST_BROKER_URL", "")
# Generous for a loaded CI machine; a step that passes never waits for it.
WAIT_SECONDS = 90


@pytest.fixture
def broker():
    if not BROKER:
        pytest.skip("set NEWSLETTER_TEST_BROKER_URL (e.g. redis://127.0.0.1:6379/3) for these")
    client = Celery(broker=BROKER)
    client.control.purge()  # nothing left over from an earlier run
    yield client
    client.control.purge()


def process_env(smtp: SMTPServer, **extra) -> dict:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "EMAIL_", "DKIM_", "NEWSLETTER_"))
    }
    env.update(
        DATABASE_URL=url,
        DJANGO_CONN_MAX_AGE="0",
        CELERY_BROKER_URL=BROKER,
        EMAIL_URL=smtp.url,
        SITE_URL="https://briefing.example",
        DJANGO_DEFAULT_FROM_EMAIL="Daily Briefing <briefing@briefing.example>",
        **extra,
    )
    env.pop("REDIS_URL", None)
    return env


class Worker:
    def __init__(self, env: dict, log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: b" ready." in log.read_bytes(), "the worker to start", self)

    def kill(self):
        """As the kernel's OOM killer or a lost machine would: no chance to clean up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=WAIT_SECONDS)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(condition, what: str, worker: Worker | None = None):
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if worker is not None and worker.process.poll() is not None:
            raise AssertionError(
                f"the worker exited while waiting for {what}:\n"
                + worker.log.read_text(errors="replace")[-3000:]
            )
        if time.monotonic() > deadline:
            log = worker.log.read_text(errors="replace")[-3000:] if worker else ""
            raise AssertionError(f"timed out waiting for {what}\n{log}")
        time.sleep(0.05)


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(env):
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def confirmed(email, language):
    return Subscriber.objects.create(
        email=email, language=language, state="confirmed", confirmed_at=timezone.now()
    )


def test_publishing_sends_through_the_broker_and_a_real_worker(broker, workers):
    with SMTPServer() as smtp:
        env = process_env(smtp, NEWSLETTER_RETRY_SECONDS="1")
        worker = workers(env)
        # Greylisted once: the worker retries it later (with backoff), the others go at once.
        smtp.handler.refuse_once["en@example.com"] = "451 4.7.1 Greylisted, try again later"
        confirmed("ja@example.com", "ja")
        confirmed("en@example.com", "en")
        confirmed("both@example.com", "both")
        Subscriber.objects.create(email="pending@example.com", language="ja")
        # Today's issue (real time: the worker's clock cannot be frozen), so it sends itself.
        briefing = make_briefing(date=timezone.localdate(), status=Briefing.Status.DRAFT)

        # Published by another process configured like the site (the broker set), as an
        # editor's "publish now" would be: the edition goes to the broker, not in-process.
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from briefing.models import Briefing; from editorial.workflow import publish_now; "
                f"publish_now(Briefing.objects.get(pk={briefing.pk}))",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=WAIT_SECONDS,
        )

        wait_for(lambda: Edition.objects.filter(state="sent").exists(), "the edition", worker)
        assert sorted(r for m in smtp.received for r in m.recipients) == [
            "both@example.com",
            "en@example.com",
            "ja@example.com",
        ]
        subjects = {m.recipients[0]: str(m.message["Subject"]).strip() for m in smtp.received}
        assert subjects["en@example.com"] == subject_for(briefing, "en")
        assert subjects["ja@example.com"] == subject_for(briefing, "ja")
        log = worker.log.read_bytes()
        assert b"newsletter.tasks.send_edition" in log
        assert b"retry: Retry in 2s" in log
        assert Delivery.objects.get(subscriber__email="en@example.com").attempts == 2

        # The beat's check finds nothing more to send.
        broker.send_task("newsletter.tasks.send_due_editions")
        broker.send_task("newsletter.tasks.send_due_editions")
        wait_for(
            lambda: worker.log.read_bytes().count(b"send_due_editions") >= 4, "the checks", worker
        )
        assert len(smtp.received) == 3


def test_a_worker_killed_mid_send_is_resumed_with_no_gaps_and_at_most_one_twice(broker, workers):
    count = 200
    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{n:03d}@example.com",
            language="ja",
            state="confirmed",
            confirmed_at=timezone.now(),
        )
        for n in range(count)
    )
    edition, _created = sending.queue_edition(make_briefing())
    # A slow server, so the kill lands in the middle of the send.
    with SMTPServer(delay=0.02) as smtp:
        env = process_env(smtp, NEWSLETTER_LEASE_SECONDS="2")
        first = workers(env)
        broker.send_task("newsletter.tasks.send_edition", args=[edition.pk])
        wait_for(lambda: len(smtp.received) >= count // 3, "a third of the messages", first)

        first.kill()

        in_flight = list(
            Delivery.objects.filter(edition=edition, state="sending").values_list(
                "subscriber__email", flat=True
            )
        )
        assert len(in_flight) <= 1
        received_at_kill = len(smtp.received)
        assert count // 3 <= received_at_kill < count
        # The next worker, on the beat's next check once the killed one's lease ran out.
        second = workers(env)
        time.sleep(2.5)
        broker.send_task("newsletter.tasks.send_due_editions")
        wait_for(
            lambda: Edition.objects.filter(pk=edition.pk, state="sent").exists(),
            "the resumed edition",
            second,
        )

    recipients = [r for m in smtp.received for r in m.recipients]
    expected = {f"reader{n:03d}@example.com" for n in range(count)}
    assert set(recipients) == expected  # no gaps
    twice = sorted({r for r in recipients if recipients.count(r) > 1})
    assert len(recipients) - count == len(twice) <= 1
    assert set(twice) <= set(in_flight)  # only the message in flight at the kill
    assert Delivery.objects.filter(edition=edition, state="sent").count() == count
