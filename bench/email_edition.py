"""`make bench-email` (a benchmark, not a test): the email edition's send against the ceiling.

1. A scratch database (`<name>_email` on PostgreSQL when DATABASE_URL is set, else SQLite)
   with the demo issue and 10,000 confirmed subscribers (a third each in ja, en and both).
2. A local SMTP sink (aiosmtpd's Sink handler, in its own process) that accepts everything.
3. The ceiling: one prebuilt message, identical for everyone, sent to each of the 10,000
   addresses by plain smtplib over one connection: nothing but the SMTP conversation. It is
   measured before and after the real send, and the two averaged.
4. The real send (`newsletter.sending.send_edition`, as the worker runs it): personalised
   messages, each delivery recorded before and after, over one connection.

Prints messages per second for both, their ratio (goal: at least 0.5) and the process's
resident memory after 1,000 messages and at the end (goal: flat). Results are written to
bench/results/email.json; docs/performance.md has the figures and what they mean.
"""

import json
import os
import resource
import secrets
import smtplib
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import HOST, PYTHON, REPO, RESULTS, free_port, log, scratch_database_url  # noqa: E402

SUBSCRIBERS = int(os.environ.get("BENCH_EMAIL_SUBSCRIBERS", "10000"))
GOAL_RATIO = 0.5


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def start_sink(port: int) -> subprocess.Popen:
    sink = subprocess.Popen(
        [PYTHON, "-m", "aiosmtpd", "-n", "-l", f"{HOST}:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            smtplib.SMTP(HOST, port, timeout=2).quit()
            return sink
        except OSError:
            time.sleep(0.1)
    sink.kill()
    raise SystemExit("the SMTP sink did not start")


def setup_django(database_url: str, port: int) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        EMAIL_URL=f"smtp://{HOST}:{port}",
        SITE_URL="https://briefing.example",
        DJANGO_DEFAULT_FROM_EMAIL="Daily Briefing <briefing@briefing.example>",
        DJANGO_LOG_LEVEL="WARNING",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.chdir(REPO)
    import django

    django.setup()


def prepare() -> object:
    from django.core.management import call_command
    from django.utils import timezone

    from briefing.models import Briefing
    from newsletter.models import Subscriber

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo_issue", verbosity=0)
    languages = Subscriber.Language.values
    now = timezone.now()
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                email=f"reader{n:05d}@example.com",
                language=languages[n % len(languages)],
                state=Subscriber.State.CONFIRMED,
                confirmed_at=now,
            )
            for n in range(SUBSCRIBERS)
        ),
        batch_size=2000,
    )
    return Briefing.objects.get()


def ceiling(port: int, message: bytes, sender: str) -> float:
    """Seconds for SUBSCRIBERS identical prebuilt messages by smtplib over one connection."""
    started = time.perf_counter()
    with smtplib.SMTP(HOST, port) as smtp:
        for n in range(SUBSCRIBERS):
            smtp.sendmail(sender, [f"reader{n:05d}@example.com"], message)
    return time.perf_counter() - started


def real_send(briefing) -> tuple[float, float, dict]:
    from newsletter import sending

    started = time.perf_counter()
    edition, _created = sending.queue_edition(briefing)
    queued = time.perf_counter() - started
    memory = {}
    count = 0

    def progress(_email):
        nonlocal count
        count += 1
        if count in (1000, SUBSCRIBERS // 2):
            memory[count] = round(rss_mb(), 1)

    started = time.perf_counter()
    outcome = sending.send_edition(edition, log=progress)
    elapsed = time.perf_counter() - started
    memory[count] = round(rss_mb(), 1)
    if outcome.sent != SUBSCRIBERS:
        raise SystemExit(f"sent {outcome.sent} of {SUBSCRIBERS}: {outcome.errors[-3:]}")
    return queued, elapsed, memory


def main() -> int:
    port = free_port()
    database_url = scratch_database_url("email")
    log(f"scratch database: {database_url.split('@')[-1]}; SMTP sink on {HOST}:{port}")
    sink = start_sink(port)
    try:
        setup_django(database_url, port)
        started = time.perf_counter()
        briefing = prepare()
        log(f"prepared {SUBSCRIBERS} subscribers in {time.perf_counter() - started:.1f} s")

        from django.conf import settings

        from newsletter.mail import dkim_sign
        from newsletter.rendering import edition_message, render_edition

        prebuilt = edition_message(render_edition(briefing, "both"), "x@example.com", "t" * 32)
        message = dkim_sign(prebuilt.message().as_bytes(linesep="\r\n"))
        # The ceiling before and after the send, so a change in the machine's load during the
        # run shows (and is averaged) rather than skewing the ratio one way.
        ceiling_before = ceiling(port, message, settings.DEFAULT_FROM_EMAIL)
        queued_s, send_s, memory = real_send(briefing)
        ceiling_after = ceiling(port, message, settings.DEFAULT_FROM_EMAIL)
        ceiling_s = (ceiling_before + ceiling_after) / 2
    finally:
        sink.terminate()
        sink.wait(timeout=30)

    ceiling_rate = SUBSCRIBERS / ceiling_s
    send_rate = SUBSCRIBERS / send_s
    ratio = send_rate / ceiling_rate
    first, last = memory[1000], memory[max(memory)]
    result = {
        "subscribers": SUBSCRIBERS,
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "message_bytes": len(message),
        "ceiling_seconds_before_and_after": [round(ceiling_before, 2), round(ceiling_after, 2)],
        "ceiling_per_second": round(ceiling_rate),
        "queue_seconds": round(queued_s, 2),
        "send_seconds": round(send_s, 2),
        "send_per_second": round(send_rate),
        "ratio": round(ratio, 2),
        "rss_mb_by_messages_sent": memory,
        "rss_growth_mb_after_first_1000": round(last - first, 1),
        "cpus": os.cpu_count(),
        "load_average": [round(value, 1) for value in os.getloadavg()],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "email.json").write_text(json.dumps(result, indent=2) + "\n")
    log(json.dumps(result, indent=2))
    verdict = "PASS" if ratio >= GOAL_RATIO else "MISS"
    log(
        f"{verdict}: {send_rate:.0f} messages/s vs ceiling {ceiling_rate:.0f}/s = {ratio:.2f}x "
        f"(goal ≥ {GOAL_RATIO}x); memory {first} MB after 1,000 → {last} MB at the end"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
