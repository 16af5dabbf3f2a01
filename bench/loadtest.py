"""`make loadtest`: mixed traffic under load, then a database outage under traffic.

Load: 60 s of mixed traffic at 64 connections (issue pages in both languages, parallel view,
archive, search, feeds, API, the admin login page) against gunicorn with production settings
on the scratch database `<name>_loadtest` (SQLite file when DATABASE_URL is unset). Checks:
no socket error, no 5xx, worker RSS growth under 10 % (measured after a 10 s warm-up, when
imports and caches have settled, and again at the end).

Fault: a PostgreSQL cluster of its own (initdb + pg_ctl on a free loopback port, trust auth,
as the postgres user when run as root), a gunicorn against it, traffic, then PostgreSQL is
stopped mid-run. Checks: cached issue pages still 200, uncached pages and search 503 (never
500), /readyz 503; PostgreSQL started again, every page 200 within 5 s, with no restart of
gunicorn.

Then, on the same gunicorn with a Redis of its own: Redis stopped, then frozen (SIGSTOP), and
PostgreSQL frozen, each under traffic. Checks: with Redis gone or frozen every public page 200
within 1 s and no 5xx; once Redis is back, after the workers' cache breakers have had time to
close (CACHE_BREAKER_SECONDS, read from the server's settings, plus a second: until then a
worker renders every page from the database), every public page 200 within 1 s again; with
PostgreSQL frozen cached pages 200 within 1 s, an uncached page 503 within 5 s, /readyz 503
within 2 s, no request over 5 s, and everything back once it thaws.
Each fault's figures (requests, worst latency, status counts) are written into
docs/performance.md between its fault-figure markers.

Prints PASS/FAIL per check and exits 1 on any FAIL. Everything it starts is stopped in
`finally` blocks; every wait is bounded.
"""

import argparse
import concurrent.futures
import datetime
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import (  # noqa: E402
    Gunicorn,
    clear_cache,
    create_postgres_database,
    ensure_wrk,
    fetch,
    log,
    manage,
    prepare_database,
    rss_kib,
    run_wrk,
    scratch_database_url,
    server_env,
)

from tests.fault_servers import ScratchPostgres, ScratchRedis  # noqa: E402

CHECKS: list[tuple[str, bool, str]] = []


def check(name: str, passed: bool, detail: str = "") -> bool:
    CHECKS.append((name, passed, detail))
    log(f"{'PASS' if passed else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""))
    return passed


def issue_path(lang: str, day: datetime.date, suffix: str = "") -> str:
    return f"/{lang}/{day:%Y/%m/%d}/{suffix}"


def mixed_paths(dates: list[datetime.date]) -> list[str]:
    """The traffic mix: mostly issue pages (recent ones more often), then the rest."""
    quote = urllib.parse.quote
    paths = []
    for index, day in enumerate(dates[:300]):
        weight = 3 if index < 30 else 1
        paths += [issue_path("ja", day)] * weight + [issue_path("en", day)] * weight
    paths += [issue_path(lang, day, "both/") for lang in ("ja", "en") for day in dates[:20]]
    for lang in ("ja", "en"):
        paths += [f"/{lang}/archive/"] * 10 + [f"/{lang}/archive/?page=2"] * 3
        paths += [f"/{lang}/feed/"] * 5 + [f"/{lang}/feed/atom/"] * 5
        paths += [f"/{lang}/admin/login/"] * 3
    for query in ("量子化", "安全評価", "半導体", "quantization", "Safety Evaluation", "robotics"):
        paths += [f"/ja/search/?q={quote(query)}"] * 4 + [f"/en/search/?q={quote(query)}"] * 4
    paths += ["/api/v1/briefings/"] * 10 + ["/api/v1/briefings/?page=2"] * 3
    paths += [f"/api/v1/briefings/{day.isoformat()}/" for day in dates[:40]]
    # Interleave deterministically so that every kind of page is in flight at once.
    return paths[::2] + paths[1::2]


def available(base_url: str, paths: list[str]) -> tuple[list[str], dict[str, int]]:
    """Paths answering 200 or 3xx now; the others are reported and left out of the mix."""
    status_by_path = {path: fetch(base_url + path)[0] for path in dict.fromkeys(paths)}
    missing = {path: status for path, status in status_by_path.items() if not 200 <= status < 400}
    return [path for path in paths if path not in missing], missing


def worker_rss(server: Gunicorn) -> dict[int, int]:
    return {pid: rss_kib(pid) for pid in server.worker_pids()}


def load_test(args, dates) -> None:
    log("== Load: mixed traffic")
    env = server_env(scratch_database_url("loadtest"))
    generation_s = prepare_database(env, args.days, dates[0].isoformat())
    log(f"Archive generated in {generation_s:.1f} s.")
    manage(env, "collectstatic", "--noinput", quiet=True)
    clear_cache(env)
    # gunicorn.conf.py recycles workers every ~2,000 requests, which would hide a leak (and
    # replace the processes being measured): off for this run only.
    server = Gunicorn(env, extra_args=("--max-requests", "0"))
    try:
        server.start()
        paths, missing = available(server.base_url, mixed_paths(dates))
        for path, status in missing.items():
            log(f"  left out of the mix (not built yet?): HTTP {status} {path}")
        log(
            f"gunicorn {server.base_url}, {len(server.worker_pids())} workers;"
            f" {len(set(paths))} distinct paths"
        )
        run_wrk(server.base_url, paths, duration=10, connections=args.connections)
        before = worker_rss(server)
        result = run_wrk(
            server.base_url, paths, duration=args.duration, connections=args.connections
        )
        after = worker_rss(server)
    finally:
        server.stop()

    statuses = result["statuses"]
    log(
        f"{result['requests']} requests in {result['duration_us'] / 1e6:.0f} s"
        f" ({result['rps']:.0f}/s), p50 {result['latency_us']['p50'] / 1000:.1f} ms,"
        f" p99 {result['latency_us']['p99'] / 1000:.1f} ms; statuses {statuses}"
    )
    check("load: every path of the mix answers", not missing, f"{len(missing)} left out")
    check("load: zero socket errors", result["socket_errors"] == 0, str(result["socket_errors"]))
    server_errors = sum(n for code, n in statuses.items() if code.startswith("5"))
    check("load: zero 5xx", server_errors == 0, f"{server_errors} of {result['requests']}")
    other = {c: n for c, n in statuses.items() if not c.startswith(("2", "3"))}
    check("load: only 2xx/3xx answers", not other, str(other or "none other"))
    survivors = sorted(set(before) & set(after))
    total_before = sum(before[pid] for pid in survivors)
    total_after = sum(after[pid] for pid in survivors)
    growth = (total_after - total_before) / total_before * 100 if total_before else 0
    check(
        "load: worker RSS growth < 10 %",
        bool(survivors) and growth < 10,
        f"{total_before // 1024} → {total_after // 1024} MiB over {len(survivors)} workers"
        f" ({growth:+.1f} %), {len(set(before) ^ set(after))} workers replaced",
    )


def sweep(base_url: str, paths: list[str], repeat: int = 3) -> dict[str, list[int]]:
    """Each path `repeat` times (requests land on different workers)."""
    return {path: [fetch(base_url + path, timeout=5)[0] for _ in range(repeat)] for path in paths}


def seconds_until_200(url: str, limit: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if fetch(url, timeout=5)[0] == 200:
            return round(time.monotonic() - started, 2)
        time.sleep(0.1)
    return None


def describe(codes_by_path: dict[str, list[int]], only_bad: bool = False) -> str:
    """One line per path: its status codes (only those not all 200 with only_bad)."""
    lines = [
        f"    {' '.join(map(str, codes)):<12} {urllib.parse.unquote(path)}"
        for path, codes in codes_by_path.items()
        if not only_bad or set(codes) != {200}
    ]
    return "\n".join(lines) or "    all 200"


def server_setting(env: dict, name: str) -> str:
    """A setting as the server started with `env` reads it."""
    code = f"from django.conf import settings; print(settings.{name})"
    return manage(env, "shell", "--no-imports", "-c", code, quiet=True).strip()


def fault_test(args, dates) -> None:
    log("\n== Fault: PostgreSQL stopped under traffic")
    postgres = ScratchPostgres()
    redis = ScratchRedis()
    server = None
    traffic = {}
    try:
        postgres.init()
        postgres.start()
        create_postgres_database(postgres.url(), "briefing_fault")
        redis.start()
        # BENCHMARK_BASELINE lets ?bench=N through (below); it is a 301 otherwise. Redis is
        # the run's own, to stop and freeze later.
        env = server_env(
            postgres.url("briefing_fault"),
            BENCHMARK_BASELINE="1",
            REDIS_URL=redis.url,
            DJANGO_CACHE_KEY_PREFIX="loadtest",
        )
        prepare_database(env, args.fault_days, dates[0].isoformat())
        # Pages link their stylesheets through the manifest: a stale one turns pages into 500s.
        manage(env, "collectstatic", "--noinput", quiet=True)
        clear_cache(env)
        server = Gunicorn(env)
        server.start()
        base = server.base_url

        quote = urllib.parse.quote
        cached = [issue_path(lang, day) for lang in ("ja", "en") for day in dates[:5]]
        searches = [f"/ja/search/?q={quote('量子化')}", "/en/search/?q=quantization"]
        others = ["/ja/archive/", "/ja/feed/", "/api/v1/briefings/"]
        # Requested for the first time while PostgreSQL is down, so no cache can hold them.
        fresh = [
            issue_path("en", dates[args.fault_days - 1]),
            f"/ja/search/?q={quote('蒸留')}",
            "/en/search/?q=distillation",
        ]
        everything = cached + fresh + searches + others + ["/readyz"]
        # Every worker gets every cached page (per-process caches need it; Redis does not).
        run_wrk(base, cached, duration=3, connections=16)
        up = sweep(base, [p for p in everything if p not in fresh], repeat=1)
        log(f"With PostgreSQL up:\n{describe(up)}")

        # Plus URLs the page cache has never seen (it is keyed by the full URL), so that the
        # traffic keeps reaching the database, and gets 503s while it is down.
        uncached_mix = [f"{issue_path('ja', dates[10])}?bench={n}" for n in range(3000)]
        mix = cached * 4 + searches + others + uncached_mix
        background = threading.Thread(
            target=lambda: traffic.update(
                run_wrk(base, mix, duration=args.fault_duration, connections=16)
            ),
            daemon=True,
        )
        background.start()
        time.sleep(4)

        postgres.stop("fast")
        log("PostgreSQL stopped.")
        time.sleep(1)
        down = sweep(base, everything)
        log(f"With PostgreSQL down:\n{describe(down)}")
        check(
            "fault: cached issue pages answer 200",
            all(code == 200 for path in cached for code in down[path]),
            f"{sum(down[p].count(200) for p in cached)} of {3 * len(cached)} answers 200",
        )
        for path in fresh:
            check(f"fault: {path} answers 503", set(down[path]) == {503}, str(down[path]))
        for path in searches + others:
            check(
                f"fault: {path} answers 503 (or 200 from the cache), never 500",
                set(down[path]) <= {200, 503},
                str(down[path]),
            )
        check("fault: /readyz answers 503", set(down["/readyz"]) == {503}, str(down["/readyz"]))
        check(
            "fault: no 500 anywhere while PostgreSQL is down",
            not any(code == 500 for codes in down.values() for code in codes),
        )

        postgres.start()
        log("PostgreSQL started again.")
        # Every probe URL polled in parallel (the traffic keeps the workers busy, so a serial
        # sweep would measure queueing): the time each first answers 200 again.
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(everything)) as pool:
            first_200 = dict(
                zip(
                    everything,
                    pool.map(lambda p: seconds_until_200(base + p, 30), everything),
                    strict=True,
                )
            )
        slowest = max(first_200, key=lambda p: first_200[p] if first_200[p] is not None else 1e9)
        recovered_after = None
        if all(value is not None for value in first_200.values()):
            last = sweep(base, everything, repeat=1)
            if all(code == 200 for codes in last.values() for code in codes):
                recovered_after = first_200[slowest]
        else:
            last = {p: ["no 200"] for p, value in first_200.items() if value is None}
        log(f"  slowest to recover: {urllib.parse.unquote(slowest)} ({first_200[slowest]} s)")
        check(
            "fault: everything 200 within 5 s of PostgreSQL's return, gunicorn not restarted",
            recovered_after is not None and recovered_after <= 5 and server.process.poll() is None,
            f"after {recovered_after:.1f} s"
            if recovered_after is not None
            else f"after 30 s still:\n{describe(last, only_bad=True)}",
        )
        background.join(timeout=args.fault_duration + 60)
        FIGURES.append(("PostgreSQL stopped", traffic, ""))
        statuses = traffic.get("statuses", {})
        log(f"Traffic during the outage: {traffic.get('requests')} requests, statuses {statuses}")
        bad = {c: n for c, n in statuses.items() if c.startswith("5") and c != "503"}
        check("fault: traffic saw no 5xx other than 503", bool(traffic) and not bad, str(bad))
        check(
            "fault: traffic saw no socket errors",
            bool(traffic) and traffic["socket_errors"] == 0,
            f"{traffic.get('socket_errors')} socket errors",
        )
        breaker_seconds = float(server_setting(env, "CACHE_BREAKER_SECONDS"))
        run_faults_under_traffic(
            args, server, postgres, redis, cached, fresh, searches, mix, breaker_seconds
        )
    finally:
        if server is not None:
            server.stop()
        postgres.destroy()
        redis.destroy()


# One row per fault under traffic, for docs/performance.md.
FIGURES: list[tuple[str, dict, str]] = []


def timed_sweep(base_url: str, paths: list[str]) -> dict[str, tuple[int, float]]:
    """Each path once: (status, seconds)."""
    answers = {}
    for path in paths:
        started = time.monotonic()
        status, _body = fetch(base_url + path, timeout=10)
        answers[path] = (status, time.monotonic() - started)
    return answers


def describe_timed(answers: dict[str, tuple[int, float]]) -> str:
    return "\n".join(
        f"    {status} {seconds:5.2f} s  {urllib.parse.unquote(path)}"
        for path, (status, seconds) in answers.items()
    )


def under_traffic(name, base, mix, duration, fault, restore, probe) -> dict:
    """Traffic for `duration` s; `fault()` 3 s in, `probe()` during it, `restore()` after."""
    traffic = {}
    background = threading.Thread(
        target=lambda: traffic.update(run_wrk(base, mix, duration=duration, connections=16)),
        daemon=True,
    )
    background.start()
    time.sleep(3)
    fault()
    log(f"{name}.")
    time.sleep(1)
    try:
        probe()
    finally:
        restore()
    background.join(timeout=duration + 60)
    statuses = traffic.get("statuses", {})
    worst_ms = traffic.get("latency_us", {}).get("max", 0) / 1000
    log(
        f"Traffic: {traffic.get('requests')} requests, worst {worst_ms:.0f} ms,"
        f" statuses {statuses}, socket errors {traffic.get('socket_errors')}"
    )
    FIGURES.append((name, traffic, ""))
    return traffic


def run_faults_under_traffic(
    args, server, postgres, redis, cached, fresh, searches, mix, breaker_seconds
) -> None:
    base = server.base_url
    public = cached[:4] + searches + ["/ja/archive/", "/ja/feed/", "/api/v1/briefings/"]

    for outage, fault, restore in (
        ("Redis stopped", redis.stop, redis.start),
        ("Redis frozen", redis.freeze, redis.thaw),
    ):
        log(f"\n== Fault: {outage} under traffic")
        answers = {}
        restored_at = []

        def restore_and_note(restore=restore, restored_at=restored_at):
            restore()
            restored_at.append(time.monotonic())

        traffic = under_traffic(
            outage,
            base,
            mix,
            args.fault_duration,
            fault,
            restore_and_note,
            lambda answers=answers: answers.update(timed_sweep(base, public + ["/readyz"])),
        )
        log(f"During the outage:\n{describe_timed(answers)}")
        check(
            f"{outage}: every public page 200 within 1 s",
            all(status == 200 and seconds < 1 for status, seconds in answers.values()),
        )
        statuses = traffic.get("statuses", {})
        bad = {code: n for code, n in statuses.items() if code.startswith("5")}
        check(f"{outage}: traffic saw no 5xx", bool(traffic) and not bad, str(bad))
        check(
            f"{outage}: traffic saw no socket errors (no request over 5 s)",
            bool(traffic) and traffic["socket_errors"] == 0,
            f"{traffic.get('socket_errors')} socket errors",
        )
        # A worker whose last cache call failed just before Redis came back leaves it alone for
        # the breaker's time: judged (and the next fault started) only once that is over.
        settle = restored_at[0] + breaker_seconds + 1 - time.monotonic()
        if settle > 0:
            time.sleep(settle)
        back = timed_sweep(base, public)
        log(f"Redis back for {breaker_seconds + 1:g} s or more:\n{describe_timed(back)}")
        check(
            f"{outage}: every public page 200 within 1 s once Redis is back",
            all(status == 200 and seconds < 1 for status, seconds in back.values()),
        )

    log("\n== Fault: PostgreSQL frozen (SIGSTOP) under traffic")
    answers = {}
    traffic = under_traffic(
        "PostgreSQL frozen",
        base,
        mix,
        args.fault_duration,
        postgres.freeze,
        postgres.thaw,
        lambda: answers.update(timed_sweep(base, cached[:4] + fresh[:1] + ["/readyz"])),
    )
    log(f"During the freeze:\n{describe_timed(answers)}")
    check(
        "PostgreSQL frozen: cached pages 200 within 1 s",
        all(answers[p][0] == 200 and answers[p][1] < 1 for p in cached[:4]),
    )
    check(
        "PostgreSQL frozen: an uncached page 503 within 5 s",
        answers[fresh[0]][0] == 503 and answers[fresh[0]][1] < 5,
        f"{answers[fresh[0]][0]} in {answers[fresh[0]][1]:.2f} s",
    )
    check(
        "PostgreSQL frozen: /readyz 503 within 2 s",
        answers["/readyz"][0] == 503 and answers["/readyz"][1] < 2,
        f"{answers['/readyz'][0]} in {answers['/readyz'][1]:.2f} s",
    )
    statuses = traffic.get("statuses", {})
    bad = {code: n for code, n in statuses.items() if code.startswith("5") and code != "503"}
    check("PostgreSQL frozen: traffic saw no 5xx but 503", bool(traffic) and not bad, str(bad))
    check(
        "PostgreSQL frozen: no request over 5 s (no socket errors)",
        bool(traffic) and traffic["socket_errors"] == 0,
        f"worst {traffic.get('latency_us', {}).get('max', 0) / 1000:.0f} ms,"
        f" {traffic.get('socket_errors')} socket errors",
    )
    recovered = seconds_until_200(base + fresh[0], 30)
    check(
        "PostgreSQL thawed: the uncached page 200 again within 5 s",
        recovered is not None and recovered <= 5,
        f"after {recovered} s",
    )


def write_figures() -> None:
    """The fault figures into docs/performance.md, between its markers."""
    if not FIGURES:
        return
    rows = [
        "| fault (16 connections of mixed traffic) | requests | worst latency | statuses |",
        "| --- | ---: | ---: | --- |",
    ]
    for name, traffic, _note in FIGURES:
        statuses = ", ".join(
            f"{code}: {count:,}" for code, count in sorted(traffic.get("statuses", {}).items())
        )
        worst = traffic.get("latency_us", {}).get("max", 0) / 1000
        errors = traffic.get("socket_errors", 0)
        if errors:
            statuses += f"; {errors} socket errors"
        rows.append(f"| {name} | {traffic.get('requests', 0):,} | {worst:,.0f} ms | {statuses} |")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = "\n".join([FIGURES_START, f"`make loadtest`, {stamp}:", "", *rows, FIGURES_END])
    doc = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
    text = doc.read_text(encoding="utf-8")
    if FIGURES_START in text and FIGURES_END in text:
        before, rest = text.split(FIGURES_START, 1)
        _old, after = rest.split(FIGURES_END, 1)
        doc.write_text(before + block + after, encoding="utf-8")
        log(f"Fault figures written to {doc}.")
    else:
        log("docs/performance.md has no fault-figure markers; figures:\n" + block)


FIGURES_START = "<!-- fault figures: written by make loadtest -->"
FIGURES_END = "<!-- end of fault figures -->"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=3650)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--fault-days", type=int, default=120)
    parser.add_argument("--fault-duration", type=float, default=25)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-fault", action="store_true")
    args = parser.parse_args()

    ensure_wrk()
    end = datetime.date.today() - datetime.timedelta(days=1)
    dates = [end - datetime.timedelta(days=offset) for offset in range(args.days)]
    started = time.monotonic()
    if not args.skip_load:
        load_test(args, dates)
    if not args.skip_fault:
        fault_test(args, dates)

    write_figures()
    failed = [name for name, passed, _detail in CHECKS if not passed]
    log(f"\n{len(CHECKS) - len(failed)} passed, {len(failed)} failed")
    log(f"({time.monotonic() - started:.0f} s in all)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
