"""The editors' lists against the size of the archive: the translation queue and the admin's
issue list, timed in-process (Django's test client, production settings) on a 30-issue and a
3,650-issue database. Target: at 3,650 issues within 1.5× their time at 30, p50 ≤ 50 ms.

Run by bench/run.py (`make bench`), once per database:
    python bench/lists.py            (DATABASE_URL and DJANGO_* from the environment)
prints one JSON object: {page name: {"p50_ms": ..., "p90_ms": ..., "queries": ...}}.
"""

import json
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

REQUESTS = 40
PAGES = {
    "queue": "/ja/admin/translations/",
    "queue-filtered": "/ja/admin/translations/?to=en&status=missing",
    "queue-page-3": "/ja/admin/translations/?page=3",
    "admin-list": "/ja/admin/briefing/briefing/",
    "admin-list-filtered": "/ja/admin/briefing/briefing/?state=live",
}


def count_queries(connection, request) -> int:
    executed = []

    def wrapper(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        request()
    return len(executed)


def main() -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user, _created = get_user_model().objects.get_or_create(
        username="bench-lists", defaults={"is_staff": True, "is_superuser": True}
    )
    host = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1").split(",")[0]
    client = Client(raise_request_exception=False, HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    # A superuser signs in with a code in production (editorial/two_factor.py): the session
    # is the one the login form leaves, verified by the user's device.
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    results = {}
    for name, path in PAGES.items():
        response = client.get(path, secure=True)  # warm: templates, content types
        if response.status_code != 200:
            results[name] = {"status": response.status_code}
            continue
        queries = count_queries(connection, partial(client.get, path, secure=True))
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            client.get(path, secure=True)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        results[name] = {
            "p50_ms": round(statistics.median(times), 2),
            "p90_ms": round(times[int(len(times) * 0.9) - 1], 2),
            "queries": queries,
        }
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
