"""Smoke test of the production command on the real PostgreSQL.

collectstatic, migrate, load_demo_issue, then `gunicorn config.wsgi` (reading
gunicorn.conf.py) with production settings on a free localhost port; a few requests must
get exactly the expected answers. Usage: .ci/smoke.py DATABASE_URL [REDIS_URL]
"""

import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = BASE_DIR / ".venv" / "bin"
SUPERUSER_PASSWORD = secrets.token_urlsafe(16)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, **headers) -> http.client.HTTPResponse:
    return request(port, "GET", path, None, headers)


def post(port: int, path: str, form: dict, **headers) -> http.client.HTTPResponse:
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return request(port, "POST", path, urlencode(form), headers)


def request(port, method, path, body, headers) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.body = response.read().decode("utf-8", "replace")
    connection.close()
    return response


def cookies(*responses) -> str:
    """The Cookie header a browser would send back after these responses."""
    jar = SimpleCookie()
    for response in responses:
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())


def main(database_url: str, redis_url: str = "") -> int:
    workdir = Path(tempfile.mkdtemp(prefix="briefing-smoke-"))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_CACHE_KEY_PREFIX": f"smoke-{port}",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "WEB_CONCURRENCY": "2",
        "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
        "DJANGO_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD,
    }
    for command in (
        ["collectstatic", "--noinput", "--verbosity", "0"],
        ["migrate", "--noinput", "--verbosity", "0"],
        ["load_demo_issue"],
        ["createsuperuser", "--noinput", "--username", "smoke", "--email", "smoke@example.com"],
    ):
        subprocess.run([BIN / "python", "manage.py", *command], cwd=BASE_DIR, env=env, check=True)

    log_path = workdir / "gunicorn.log"
    failures = []
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [BIN / "gunicorn", "config.wsgi"], cwd=BASE_DIR, env=env, stdout=log, stderr=log
        )
        try:
            for _attempt in range(100):
                try:
                    if get(port, "/healthz").status == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            failures = check(port, workdir / "static")
        finally:
            server.terminate()
            server.wait(timeout=30)

    access_lines = [line for line in log_path.read_text().splitlines() if '"GET /healthz ' in line]
    if not access_lines:
        failures.append("no access log line for GET /healthz")
    archive = workdir / "briefings.jsonl"
    subprocess.run(
        [BIN / "python", "manage.py", "export_archive", str(archive)],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    lines = [json.loads(line) for line in archive.read_text().splitlines()]
    if [line["date"] for line in lines if "date" in line] != ["2026-05-19"]:
        failures.append("export_archive did not write the demo issue")

    if failures:
        print(log_path.read_text(), file=sys.stderr)
        for failure in failures:
            print(f"SMOKE FAILED: {failure}", file=sys.stderr)
        return 1
    print(f"smoke test passed: gunicorn on 127.0.0.1:{port}, {len(access_lines)} probe lines")
    shutil.rmtree(workdir)
    return 0


def check(port: int, static_root: Path) -> list[str]:
    failures = []

    def expect(what, actual, expected):
        if actual != expected:
            failures.append(f"{what}: expected {expected!r}, got {actual!r}")

    https = {"X-Forwarded-Proto": "https"}
    healthz = get(port, "/healthz")
    expect("/healthz", (healthz.status, healthz.body), (200, "ok\n"))
    readyz = get(port, "/readyz")
    expect("/readyz", (readyz.status, readyz.body), (200, "ready\n"))

    home = get(port, "/ja/", **https)
    expect("/ja/ status", home.status, 200)
    expect("/ja/ shows the demo issue", "安全とアクセス" in home.body, True)
    expect(
        "/ja/ HSTS",
        home.getheader("Strict-Transport-Security"),
        "max-age=31536000; includeSubDomains; preload",
    )
    expect(
        "/ja/ CSP has no unsafe-",
        "unsafe-" in (home.getheader("Content-Security-Policy") or "unsafe-"),
        False,
    )
    plain = get(port, "/ja/")
    expect(
        "/ja/ over HTTP",
        (plain.status, plain.getheader("Location")),
        (301, f"https://127.0.0.1:{port}/ja/"),
    )

    manifest = json.loads((static_root / "staticfiles.json").read_text())
    css = get(port, "/static/" + manifest["paths"]["errors.css"], **https)
    expect("static file", css.status, 200)
    expect("static cache", css.getheader("Cache-Control"), "max-age=315360000, public, immutable")

    # A superuser's first login in production leads to setting up two-factor login, and nowhere
    # else in the admin (editorial/two_factor.py).
    login_page = get(port, "/en/admin/login/", **https)
    expect("admin login asks for the one-time code", 'name="otp_token"' in login_page.body, True)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.body)
    logged_in = post(
        port,
        "/en/admin/login/",
        {
            "csrfmiddlewaretoken": token[1] if token else "",
            "username": "smoke",
            "password": SUPERUSER_PASSWORD,
            "next": "/en/admin/",
        },
        Cookie=cookies(login_page),
        Referer=f"https://127.0.0.1:{port}/en/admin/login/",
        **https,
    )
    expect(
        "superuser login", (logged_in.status, logged_in.getheader("Location")), (302, "/en/admin/")
    )
    session = cookies(login_page, logged_in)
    admin_home = get(port, "/en/admin/", Cookie=session, **https)
    expect(
        "superuser without two-factor login",
        (admin_home.status, admin_home.getheader("Location")),
        (302, "/en/admin/two-factor/"),
    )
    setup = get(port, "/en/admin/two-factor/", Cookie=session, **https)
    expect(
        "two-factor setup page",
        (setup.status, "Superusers must use two-factor login on this site" in setup.body),
        (200, True),
    )

    missing = get(port, "/en/no/such/page/", **https)
    expect("404 status", missing.status, 404)
    expect(
        "404 page",
        ("Page not found" in missing.body, "ページが見つかりません" in missing.body),
        (True, True),
    )
    return failures


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
