"""What `make bench` and `make loadtest` share: scratch databases, gunicorn, wrk.

Standard library only (plus psycopg, already a dependency, to create a PostgreSQL database).
Every server started here listens on a loopback address; every wait is bounded.
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
RESULTS = BENCH / "results"
WRK_SCRIPT = BENCH / "wrk.lua"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
HOST = "127.0.0.1"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
# One owner of port choice, so that gunicorn never gets a port handed to a scratch server.
from tests.fault_servers import free_port  # noqa: E402


def log(message: str) -> None:
    print(message, flush=True)


def ensure_wrk() -> str:
    """Path to wrk, installed from Debian's package when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing Debian's package…")
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, capture_output=True, timeout=300).returncode != 0:
        # A fresh machine may not have the package lists yet.
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=300)
        subprocess.run(install, check=True, capture_output=True, timeout=300)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed.")
    return found


def scratch_database_url(suffix: str) -> str:
    """A new, empty scratch database beside the configured one: `<name>_<suffix>` on PostgreSQL
    when DATABASE_URL is set, else an SQLite file in the temp directory. Made afresh each run
    (dropping a database is much faster than deleting 70,000 rows through their signals)."""
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        path = Path(tempfile.gettempdir()) / f"briefing_{suffix}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    parsed = urllib.parse.urlsplit(base)
    if not parsed.scheme.startswith("postgres"):
        raise SystemExit(
            f"DATABASE_URL: only PostgreSQL or unset (SQLite) is supported, not {base}"
        )
    name = f"{parsed.path.lstrip('/') or 'briefing'}_{suffix}"
    create_postgres_database(base, name)
    return urllib.parse.urlunsplit(parsed._replace(path=f"/{name}"))


def create_postgres_database(url: str, name: str) -> None:
    """(Re)create database `name` on the server of `url`, empty."""
    import psycopg
    from psycopg import sql

    parsed = urllib.parse.urlsplit(url)
    admin_url = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings on loopback: DEBUG off, a random secret key, Redis if REDIS_URL is set."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        # Production runs behind a TLS-terminating proxy that sets X-Forwarded-Proto; wrk and
        # the probes here send that header, so HTTPS settings (redirect, HSTS, secure cookies)
        # stay as in production on plain loopback HTTP.
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        # The bench app (generate_archive, the baseline page) with production settings.
        DJANGO_BENCH_TOOLS="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 600, quiet: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    if not quiet and result.stdout.strip():
        log(result.stdout.strip())
    return result.stdout


def prepare_database(env: dict, days: int, end_date: str, seed: int = 1) -> float:
    """Migrate and fill the scratch database; returns the generation time in seconds."""
    manage(env, "migrate", "--noinput", quiet=True)
    started = time.monotonic()
    manage(
        env,
        "generate_archive",
        "--days",
        str(days),
        "--end-date",
        end_date,
        "--seed",
        str(seed),
    )
    return time.monotonic() - started


# Deletes only the site's keys (its KEY_PREFIX): cache.clear() would FLUSHDB the whole Redis
# database that REDIS_URL names, whatever else keeps data there.
CLEAR_SITE_KEYS = """
from django.core.cache import cache
if hasattr(cache, "delete_pattern"):
    cache.delete_pattern("*")
else:
    cache.clear()
"""


def clear_cache(env: dict) -> None:
    manage(env, "shell", "-c", CLEAR_SITE_KEYS, quiet=True)


class Gunicorn:
    """gunicorn serving config.wsgi with the repository's gunicorn.conf.py, on loopback."""

    def __init__(
        self,
        env: dict,
        workers: int | None = None,
        log_dir: Path | None = None,
        extra_args: tuple[str, ...] = (),
    ):
        self.env = env
        self.extra_args = extra_args
        self.port = free_port()
        self.workers = workers
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="briefing-bench-"))
        self.log_path = self.log_dir / f"gunicorn-{self.port}.log"
        self.process = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, ready_path: str = "/healthz", timeout: float = 60) -> None:
        command = [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"{HOST}:{self.port}"]
        if (REPO / "gunicorn.conf.py").exists():
            command += ["--config", str(REPO / "gunicorn.conf.py")]
        if self.workers:
            command += ["--workers", str(self.workers)]
        elif not (REPO / "gunicorn.conf.py").exists():
            command += ["--workers", str(2 * (os.cpu_count() or 1) + 1)]
        command += list(self.extra_args)
        self.log_file = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited at start; see {self.log_path}:\n{self.tail()}")
            # Any HTTP answer means a worker is up; /healthz may not exist yet.
            if fetch(self.base_url + ready_path, timeout=2)[0] > 0 and self.worker_pids():
                return
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see {self.log_path}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        return children(self.process.pid)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # The whole session: the master and its workers, started by us.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log_file.close()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces; fields after the closing parenthesis are fixed.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)
# As a TLS-terminating proxy in front of gunicorn would set it (see server_env()).
_opener.addheaders = [("X-Forwarded-Proto", "https")]


def fetch(url: str, timeout: float = 10) -> tuple[int, bytes]:
    """(status, body) of one GET without following redirects; status 0 if no HTTP answer."""
    try:
        with _opener.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (OSError, urllib.error.URLError):
        return 0, b""


def wait_idle(base_url: str, path: str = "/healthz", limit: float = 60) -> float:
    """Wait until gunicorn has drained the requests a finished wrk run left queued (slow pages
    keep workers busy long after wrk closed its connections): until a trivial request is
    answered quickly three times in a row. Returns the seconds waited."""
    started = time.monotonic()
    quick = 0
    while quick < 3 and time.monotonic() - started < limit:
        before = time.monotonic()
        fetch(base_url + path, timeout=limit)
        quick = quick + 1 if time.monotonic() - before < 0.05 else 0
        time.sleep(0.05)
    return time.monotonic() - started


def run_wrk(
    base_url: str,
    paths: list[str],
    *,
    duration: float,
    connections: int,
    threads: int = 2,
    mode: str = "rotate",
    timeout_s: int = 5,
) -> dict:
    """One wrk run over `paths`; returns the parsed summary from bench/wrk.lua."""
    threads = min(threads, connections)
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as paths_file:
        paths_file.write("\n".join(paths) + "\n")
    try:
        command = [
            "wrk",
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={max(1, round(duration))}s",
            f"--timeout={timeout_s}s",
            f"--script={WRK_SCRIPT}",
            base_url + paths[0],
            "--",
            paths_file.name,
            mode,
            str(threads),
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + timeout_s + 30
        )
    finally:
        os.unlink(paths_file.name)
    for line in result.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            data = json.loads(line.removeprefix("WRK_JSON "))
            seconds = data["duration_us"] / 1e6 or 1
            if data["exhausted_threads"] and data["span_us"]:
                # A "once" run that served all its paths before the end: its real span counts.
                seconds = data["span_us"] / 1e6
            data["rps"] = data["requests"] / seconds
            data["socket_errors"] = sum(
                data["errors"][k] for k in ("connect", "read", "write", "timeout")
            )
            return data
    raise SystemExit(f"wrk gave no summary:\n{result.stdout}\n{result.stderr}")


def machine_description() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        # Other work on the machine skews every figure: recorded with each run.
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib, 1),
        "python": sys.version.split()[0],
    }
