"""`make bench`: the site's pages against the stack's own ceiling, in one run.

1. Generates the 10-year archive in a scratch database (`<name>_bench` on PostgreSQL when
   DATABASE_URL is set, else an SQLite file) and runs collectstatic.
2. Starts gunicorn with production settings (DEBUG off, Redis cache when REDIS_URL is set)
   and the repository's gunicorn.conf.py, on a free loopback port, with the baseline page on.
3. Measures every target with wrk, twice: a throughput pass at --connections (requests/s,
   p50, p99, ratio to the minimal-view baseline) and a latency pass at one connection
   (p50 and p99 without queueing: the time to serve one request).
4. Times the editors' lists (translation queue, admin issue list) in-process on a 30-issue
   database and on the archive (bench/lists.py): the archive's p50 must stay within 1.5× the
   small one's, and under 50 ms.
5. Prints a table and the targets' verdicts, and writes bench/results/latest.json.

Cold issue pages: the cache is cleared before the run, and the cold targets walk through
thousands of distinct issue URLs, each requested exactly once (bench/wrk.lua "once" mode),
so no request can be answered from the page cache whatever the cache backend.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    REPO,
    RESULTS,
    Gunicorn,
    clear_cache,
    ensure_wrk,
    fetch,
    log,
    machine_description,
    manage,
    prepare_database,
    run_wrk,
    scratch_database_url,
    server_env,
    wait_idle,
)

WARM_ISSUES = 20
DEFAULT_PAGE_SIZE = 20_000

# (target name, goal description, check) — judged after the run.
TARGETS = [
    ("issue-ja-warm", "≥ 1.0× baseline", lambda r: r["ratio"] >= 1.0),
    ("issue-en-warm", "≥ 1.0× baseline", lambda r: r["ratio"] >= 1.0),
    ("issue-ja-cold", "≥ 0.15× baseline", lambda r: r["ratio"] >= 0.15),
    ("issue-en-cold", "≥ 0.15× baseline", lambda r: r["ratio"] >= 0.15),
    ("search-ja-uncached", "p50 ≤ 50 ms (1 connection)", lambda r: single_p50(r) <= 50),
    ("search-en-uncached", "p50 ≤ 50 ms (1 connection)", lambda r: single_p50(r) <= 50),
    ("archive-ja-uncached", "p50 ≤ 30 ms (1 connection)", lambda r: single_p50(r) <= 30),
]


def single_p50(result: dict) -> float:
    """The 1-connection p50; infinite when not one request was answered in the pass."""
    single = result["single"]
    return single["p50_ms"] if single["requests"] else float("inf")


def issue_path(lang: str, day: datetime.date, suffix: str = "") -> str:
    return f"/{lang}/{day:%Y/%m/%d}/{suffix}"


def static_path() -> str:
    """A real stylesheet under its hashed name, as pages link it, served by WhiteNoise."""
    root = Path(os.environ.get("DJANGO_STATIC_ROOT") or REPO / "staticfiles")
    manifest = json.loads((root / "staticfiles.json").read_text())
    files = sorted(manifest["paths"].values())
    # The site's own stylesheet rather than the admin's, when there is one.
    css = (
        [name for name in files if name.endswith(".css") and not name.startswith("admin/")]
        or [name for name in files if name.endswith(".css")]
        or files
    )
    biggest = max(css, key=lambda name: (root / name).stat().st_size)
    return "/static/" + biggest


def plan_targets(dates: list[datetime.date], baseline_size: int) -> list[dict]:
    """Targets in run order: the cold ones first, before anything could warm their pages."""
    warm, rest = dates[:WARM_ISSUES], dates[WARM_ISSUES:]
    cut = int(len(rest) * 0.8)
    newest = dates[0]
    search = urllib.parse.quote

    def target(name, paths, mode="rotate", single_paths=None, warm_up=True):
        return {
            "name": name,
            "paths": paths,
            "mode": mode,
            "single_paths": single_paths or paths,
            "warm_up": warm_up,
        }

    targets = []
    for lang in ("ja", "en"):
        targets.append(
            target(
                f"issue-{lang}-cold",
                [issue_path(lang, day) for day in rest[:cut]],
                mode="once",
                single_paths=[issue_path(lang, day) for day in rest[cut:]],
                warm_up=False,
            )
        )
    for lang in ("ja", "en"):
        targets.append(target(f"issue-{lang}-warm", [issue_path(lang, day) for day in warm]))

    def distinct(path, start, count):
        # The page cache is keyed by the full URL and the views ignore unknown parameters, so
        # each of these URLs is a cache miss that runs the real view and its queries.
        separator = "&" if "?" in path else "?"
        return [f"{path}{separator}bench={n}" for n in range(start, start + count)]

    def uncached(name, path):
        return target(
            name,
            distinct(path, 0, 30_000),
            mode="once",
            single_paths=distinct(path, 100_000, 5_000),
            warm_up=False,
        )

    search_ja = f"/ja/search/?q={search('量子化')}"
    search_en = "/en/search/?q=quantization"
    targets += [
        target("parallel-ja", [issue_path("ja", day, "both/") for day in warm]),
        target("archive-ja", ["/ja/archive/"]),
        uncached("archive-ja-uncached", "/ja/archive/"),
        target("search-ja", [search_ja]),
        uncached("search-ja-uncached", search_ja),
        target("search-en", [search_en]),
        uncached("search-en-uncached", search_en),
        target("feed-ja", ["/ja/feed/"]),
        target("api-list", ["/api/v1/briefings/"]),
        target("api-detail", [f"/api/v1/briefings/{newest.isoformat()}/"]),
        target("static-whitenoise", [static_path()]),
        target("baseline-django", [f"/bench/baseline/{baseline_size}/"]),
    ]
    return targets


LIST_ISSUES = 30
LIST_GROWTH = 1.5  # the archive's p50 at most this times the 30-issue one's
LIST_P50_MS = 50


def run_lists(env: dict) -> dict:
    """bench/lists.py against one database: {page: {"p50_ms", "p90_ms", "queries"}}."""
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parent / "lists.py")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if output.returncode != 0:
        raise SystemExit(f"bench/lists.py failed:\n{output.stdout}{output.stderr}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def judge_lists(small: dict, large: dict) -> list[dict]:
    checks = []
    for page, result in large.items():
        base = small.get(page, {})
        if "p50_ms" not in result or "p50_ms" not in base:
            value = f"HTTP {result.get('status') or base.get('status')}"
            checks.append({"target": page, "goal": "-", "value": value, "verdict": "MISS"})
            continue
        growth = result["p50_ms"] / base["p50_ms"]
        passes = growth <= LIST_GROWTH and result["p50_ms"] <= LIST_P50_MS
        checks.append(
            {
                "target": page,
                "goal": f"≤ {LIST_GROWTH}× at {LIST_ISSUES}, p50 ≤ {LIST_P50_MS} ms",
                "value": (
                    f"p50 {result['p50_ms']:.1f} ms ({growth:.2f}× {base['p50_ms']:.1f} ms), "
                    f"{result['queries']} queries ({base['queries']} at {LIST_ISSUES})"
                ),
                "verdict": "PASS" if passes else "MISS",
            }
        )
    return checks


def summarize(data: dict) -> dict:
    return {
        "rps": round(data["rps"], 1),
        "p50_ms": round(data["latency_us"]["p50"] / 1000, 2),
        "p99_ms": round(data["latency_us"]["p99"] / 1000, 2),
        "requests": data["requests"],
        "socket_errors": data["socket_errors"],
        "statuses": data["statuses"],
    }


def measure(server: Gunicorn, targets: list[dict], args) -> list[dict]:
    base = server.base_url
    # Preflight: a target whose page is not built yet (404) is reported as pending, not timed.
    # Cold targets are not probed: their pages must see their first request in the measured run.
    for item in targets:
        item["preflight"] = fetch(base + item["paths"][0])[0] if item["warm_up"] else None
    # Warm every worker (imports, templates, database connections, the warm pages' cache)
    # without touching any cold page.
    warm_paths = [
        p for item in targets if item["warm_up"] and item["preflight"] == 200 for p in item["paths"]
    ]
    run_wrk(base, warm_paths, duration=3, connections=args.connections, threads=args.threads)

    results = []
    for item in targets:
        if item["warm_up"] and item["preflight"] != 200:
            log(f"  {item['name']:<18} pending (HTTP {item['preflight']} on {item['paths'][0]})")
            results.append({"name": item["name"], "path": item["paths"][0], "pending": True})
            continue
        wait_idle(base)
        loaded = run_wrk(
            base,
            item["paths"],
            duration=args.duration,
            connections=args.connections,
            threads=args.threads,
            mode=item["mode"],
        )
        wait_idle(base)
        single = run_wrk(
            base,
            item["single_paths"],
            duration=args.latency_duration,
            connections=1,
            threads=1,
            mode=item["mode"],
        )
        statuses = loaded["statuses"]
        if item["mode"] == "once" and statuses.get("200", 0) == 0:
            # Cold pages that all failed: the page is not built yet.
            code = next(iter(statuses), "?")
            log(f"  {item['name']:<18} pending (HTTP {code} on {item['paths'][0]})")
            results.append({"name": item["name"], "path": item["paths"][0], "pending": True})
            continue
        result = {
            "name": item["name"],
            "path": item["paths"][0],
            "distinct_paths": len(item["paths"]),
            "mode": item["mode"],
            **summarize(loaded),
            "single": summarize(single),
        }
        results.append(result)
        log(
            f"  {item['name']:<18} {result['rps']:>8.1f} req/s  p50 {result['p50_ms']:>7.2f} ms"
            f"  p99 {result['p99_ms']:>7.2f} ms  | 1 conn: p50 {result['single']['p50_ms']:.2f} ms"
            f"  statuses {statuses}"
        )
    return results


def judge(results: list[dict], generation_s: float) -> list[dict]:
    by_name = {r["name"]: r for r in results}
    baseline = by_name.get("baseline-django")
    for result in results:
        if not result.get("pending") and baseline and baseline.get("rps"):
            result["ratio"] = round(result["rps"] / baseline["rps"], 3)
    checks = [
        {
            "target": "generate_archive",
            "goal": "< 120 s",
            "value": f"{generation_s:.1f} s",
            "verdict": "PASS" if generation_s < 120 else "MISS",
        }
    ]
    for name, goal, passes in TARGETS:
        result = by_name.get(name)
        if result is None or result.get("pending") or "ratio" not in result:
            checks.append({"target": name, "goal": goal, "value": "-", "verdict": "PENDING"})
            continue
        if "×" in goal:
            value = f"{result['ratio']:.2f}×"
        elif result["single"]["requests"]:
            value = f"p50 {result['single']['p50_ms']:.1f} ms"
        else:
            value = "no answer within the 1-connection pass"
        checks.append(
            {
                "target": name,
                "goal": goal,
                "value": value,
                "verdict": "PASS" if passes(result) else "MISS",
            }
        )
    return checks


def print_table(results: list[dict]) -> None:
    log("")
    log(
        f"{'target':<18} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'×base':>7}"
        f" {'1c p50':>8} {'1c p99':>8}  non-2xx/3xx  path"
    )
    for r in results:
        if r.get("pending"):
            log(f"{r['name']:<18} {'pending':>9}{'':>50}{r['path']}")
            continue
        bad = sum(n for code, n in r["statuses"].items() if not code.startswith(("2", "3")))
        log(
            f"{r['name']:<18} {r['rps']:>9.1f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f}"
            f" {r.get('ratio', 0):>7.2f} {r['single']['p50_ms']:>8.2f} {r['single']['p99_ms']:>8.2f}"
            f"  {bad:>11}  {r['path']}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=3650)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10, help="Seconds per target.")
    parser.add_argument("--latency-duration", type=float, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=None, help="Overrides gunicorn.conf.py.")
    args = parser.parse_args()

    started = time.monotonic()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    if load_at_start[0] > 1.0:
        log(
            f"Warning: load average {load_at_start[0]} before the run: other processes share the"
            " CPUs and every figure below will be lower and noisier than on an idle machine."
        )
    ensure_wrk()
    end = datetime.date.today() - datetime.timedelta(days=1)
    dates = [end - datetime.timedelta(days=offset) for offset in range(args.days)]
    database_url = scratch_database_url("bench")
    env = server_env(database_url, BENCHMARK_BASELINE="1")
    vendor = "postgresql" if database_url.startswith("postgres") else "sqlite"
    cache = "redis" if os.environ.get("REDIS_URL") else "locmem"
    log(f"Scratch database: {vendor} ({database_url.rsplit('/', 1)[-1]}), cache: {cache}")
    generation_s = prepare_database(env, args.days, end.isoformat(), args.seed)
    manage(env, "collectstatic", "--noinput", quiet=True)
    small_env = server_env(scratch_database_url(f"bench{LIST_ISSUES}"))
    prepare_database(small_env, LIST_ISSUES, end.isoformat(), args.seed)
    log("Timing the editors' lists in-process (bench/lists.py)…")
    lists = {"small": run_lists(small_env), "archive": run_lists(env)}
    list_checks = judge_lists(lists["small"], lists["archive"])
    # Redis outlives gunicorn: empty it so that no page cached by an earlier run is served.
    # (The in-process cache starts empty with the new workers.)
    clear_cache(env)

    server = Gunicorn(env, workers=args.workers)
    try:
        server.start(ready_path=f"/bench/baseline/{DEFAULT_PAGE_SIZE}/")
        workers = len(server.worker_pids())
        status, body = fetch(server.base_url + issue_path("ja", dates[0]))
        page_size = len(body) if status == 200 else DEFAULT_PAGE_SIZE
        log(
            f"gunicorn on {server.base_url} with {workers} workers; issue page {page_size} bytes;"
            f" wrk: {args.threads} threads, {args.connections} connections, {args.duration:.0f} s"
            f" per target (+ {args.latency_duration:.0f} s at 1 connection)"
        )
        results = measure(server, plan_targets(dates, page_size), args)
    finally:
        server.stop()

    checks = judge(results, generation_s) + list_checks
    print_table(results)
    log("")
    for check in checks:
        log(f"{check['verdict']:<8} {check['target']:<18} {check['goal']:<28} {check['value']}")

    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine_description(),
        "load_average_at_start": load_at_start,
        "database": vendor,
        "cache": cache,
        "gunicorn_workers": workers,
        "wrk": {
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "latency_duration_s": args.latency_duration,
        },
        "archive": {"days": args.days, "seed": args.seed, "end_date": end.isoformat()},
        "generation_s": round(generation_s, 1),
        "issue_page_bytes": page_size,
        "results": results,
        "lists": lists,
        "checks": checks,
        "total_s": round(time.monotonic() - started, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    log(f"\nWrote bench/results/latest.json ({report['total_s']:.0f} s in all).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
