"""Cached public home page (issue 14 item 13): the home page from the page cache against a trivial Django view
through the same gunicorn in the same run, the uncached home beside them, and how soon an order issued is on it.

    .venv/bin/python bench/cached_home.py [-t 2] [-c 64] [-d 5] [--rounds 4] [--warmup 2] [--as-bot]

One gunicorn (deploy/gunicorn.conf.py, TOKI_DEBUG=0, SQLite with seed_demo, as bench/home_page.py sets it up)
serves both the home page and `/bench/trivial/` (bench/_reference_urls.py: N bytes of HTML, the home page's size,
no template, no query); a second one with TOKI_PAGE_CACHE_SECONDS=0 serves the home page rendered every time.
Requests carry a phone browser's User-Agent and the `toki_seen` cookie of a reader who came earlier today, so
every one of them is counted by the page-view counter (one INSERT each, for the trivial view too), as a real
reader's would be; `--as-bot` sends none and nothing is counted.

Targets: the cached home serves at least 0.8× the trivial view's requests per second, at under 1 ms of server CPU
per request. Then, with a task worker running, an order is issued (the action, as the order page calls it) and the
home page is fetched every 0.1 s until it shows the order: that delay must stay under 10 s.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import (
    REPO,
    BenchError,
    http_get,
    log_tail,
    machine_info,
    package_version,
    require_tools,
    run_checked,
    run_main,
    start_process,
    stop_process,
    tool_version,
    wait_http,
    write_results,
)
from _served_app import load_parser, measure_server, prepared_app, start_gunicorn, throughput_table

NAME = "cached_home"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Mobile Safari"
ORDER_TEXT = "高齢者等避難".encode()  # a level-3 order's name on the Japanese home page
ISSUE_ORDER = """
from toki.accounts.models import User
from toki.alerts.actions.orders import issue_evacuation_order
from toki.areas.models import District
issue_evacuation_order(acting_user=User.objects.get(username="alice"), districts=[District.objects.get(code="ogi")],
                       level=3, hazard="flood", reason="bench/cached_home.py")
"""
TARGET_RATIO = 0.8
TARGET_CPU_MS = 1.0
TARGET_VISIBLE_S = 10.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = load_parser(__doc__.splitlines()[0], connections=64, duration=5, what="seconds of one round")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of each compared page, in turn (default 4)")
    parser.add_argument("--as-bot", action="store_true", help="send no User-Agent: no request is counted")
    return parser.parse_args(argv)


def reader_headers(as_bot: bool) -> dict[str, str]:
    if as_bot:
        return {}
    today = datetime.now(ZoneInfo("Asia/Tokyo")).date().isoformat()
    return {"User-Agent": PHONE, "Cookie": f"toki_seen={today}"}


def cache_status(port: int, path: str) -> str:
    status, headers, _body = http_get("127.0.0.1", port, path)
    if status != 200:
        raise BenchError(f"{path} answered HTTP {status}")
    return {k.lower(): v for k, v in headers.items()}.get("x-toki-page-cache", "none")


def time_to_visible(port: int, env: dict[str, str], tmp: Path) -> float:
    """Seconds from an order's commit until the (cached) home page shows it, with `run_worker` delivering the
    domain events as in production."""
    worker = start_process([sys.executable, "manage.py", "run_worker"], log_path=tmp / "worker.log", env=env)
    try:
        time.sleep(2)  # the worker is up and polling
        if worker.poll() is not None:
            raise BenchError(f"run_worker exited:\n{log_tail(tmp / 'worker.log')}")
        if ORDER_TEXT in http_get("127.0.0.1", port, "/")[2]:
            raise BenchError("the home page shows a level-3 order before one was issued")
        run_checked([sys.executable, "manage.py", "shell", "-c", ISSUE_ORDER], what="issuing an order", env=env)
        committed = time.monotonic()
        while time.monotonic() - committed < 30:
            if ORDER_TEXT in http_get("127.0.0.1", port, "/")[2]:
                return round(time.monotonic() - committed, 2)
            time.sleep(0.1)
        raise BenchError("the order was not on the home page 30 s after it was issued")
    finally:
        stop_process(worker)


def combine(rounds: list[dict]) -> dict:
    """One page's rounds as one figure: requests and CPU summed, the median round's p50, the worst p99."""
    requests = sum(r["requests"] for r in rounds)
    duration = sum(r["duration_s"] for r in rounds)
    cpu_s = sum(r["server_cpu_s"] for r in rounds)
    return {
        "requests": requests, "duration_s": round(duration, 3),
        "requests_per_sec": round(requests / duration, 1) if duration else 0.0,
        "latency_ms": {"p50": statistics.median(r["latency_ms"]["p50"] for r in rounds),
                       "p99": max(r["latency_ms"]["p99"] for r in rounds)},
        "errors": sum(r["errors"] for r in rounds),
        "server_cpu_s": round(cpu_s, 2),
        "server_cpu_ms_per_request": round(cpu_s * 1000 / requests, 3) if requests else None,
        "rounds": [{k: v for k, v in r.items() if k != "raw"} for r in rounds],
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    tools = require_tools("wrk", "nginx")  # nginx: only its version is recorded, to compare with home_page
    machine = machine_info()
    started = time.monotonic()
    headers = reader_headers(args.as_bot)
    with tempfile.TemporaryDirectory(prefix="toki-bench-cached-") as tmp_name:
        tmp = Path(tmp_name)
        env, prepare_timings = prepared_app(tmp, DJANGO_SETTINGS_MODULE="_reference_settings",
                                            PYTHONPATH=os.pathsep.join([str(REPO / "bench"), str(REPO)]))
        uncached_env = {**env, "TOKI_PAGE_CACHE_SECONDS": "0"}
        servers = []
        try:
            cached, c_port, c_log = start_gunicorn(tmp, env, args)
            servers.append(cached)
            wait_http(c_port, cached, c_log, "/")
            (tmp / "uncached").mkdir()
            uncached, u_port, u_log = start_gunicorn(tmp / "uncached", uncached_env, args)
            servers.append(uncached)
            wait_http(u_port, uncached, u_log, "/")
            size = len(http_get("127.0.0.1", c_port, "/")[2])
            trivial_path = f"/bench/trivial/?bytes={size}"
            # Each gunicorn worker process keeps its own copy: within a few GETs one must come from the cache.
            if "hit" not in {cache_status(c_port, "/") for _ in range(10)}:
                raise BenchError("none of 10 GETs of / was served from the page cache")
            # The two pages compared take turns, round after round: load from elsewhere on the machine then weighs
            # on both alike instead of on whichever ran during it.
            pair = [("trivial Django view", c_port, trivial_path, cached, c_log),
                    ("home, page cache", c_port, "/", cached, c_log)]
            rounds: dict[str, list[dict]] = {label: [] for label, *_ in pair}
            for number in range(1, args.rounds + 1):
                for label, port, path, proc, log in pair:
                    print(f"round {number}/{args.rounds}: {label} on 127.0.0.1:{port}{path} ...", flush=True)
                    rounds[label].append(measure_server(label, port, path, proc, log, args, headers))
            results = [{"page": label, "path": path, "body_bytes": size, **combine(rounds[label])}
                       for label, _port, path, *_ in pair]
            results.append({"page": "home, no page cache", "path": "/", "body_bytes": size,
                            **measure_server("home, no page cache", u_port, "/", uncached, u_log, args, headers)})
            stop_process(uncached)
            print("issuing an order and waiting for the home page to show it ...", flush=True)
            visible_s = time_to_visible(c_port, env, tmp)
        finally:
            for proc in servers:
                stop_process(proc)
    return report(args, tools, machine, prepare_timings, results, visible_s, time.monotonic() - started)


def report(args, tools, machine, prepare_timings, results, visible_s, elapsed) -> int:
    trivial, cached, uncached = results
    ratio = cached["requests_per_sec"] / trivial["requests_per_sec"] if trivial["requests_per_sec"] else 0.0
    print()
    print(throughput_table(results, "page", with_bytes=False))
    checks = {
        f"cached home ≥ {TARGET_RATIO}× the trivial view": ratio >= TARGET_RATIO,
        f"cached home < {TARGET_CPU_MS} ms CPU per request":
            (cached["server_cpu_ms_per_request"] or 99) < TARGET_CPU_MS,
        f"order on the home page within {TARGET_VISIBLE_S:g} s": visible_s < TARGET_VISIBLE_S,
    }
    print(f"\ncached home / trivial view: {ratio:.2f}×; uncached home / cached: "
          f"{uncached['requests_per_sec'] / cached['requests_per_sec']:.3f}×; order visible after {visible_s} s")
    counted = "not counted (--as-bot)" if args.as_bot else "each counted as a returning phone reader"
    print(f"(wrk -t{args.threads} -c{args.connections}, {args.rounds} rounds of {args.duration:g}s each after "
          f"{args.warmup:g}s warm-up; "
          f"requests {counted}; {machine['cores']} cores; {elapsed:.0f} s in all)")
    for check, passed in checks.items():
        print(f"  {'ok  ' if passed else 'MISS'} {check}")
    errors = trivial["errors"] + cached["errors"]  # the uncached home is the "before" figure: its time-outs are data
    data = {
        "benchmark": NAME,
        "issue": 14,
        "ok": errors == 0,
        "targets_met": all(checks.values()),
        "checks": checks,
        "machine": machine,
        "versions": {"gunicorn": package_version("gunicorn"), "django": package_version("django"),
                     "wrk": tool_version([tools["wrk"], "-v"], r"wrk (\S+)")},
        "parameters": {"wrk": {"threads": args.threads, "connections": args.connections,
                               "duration_s": args.duration, "rounds": args.rounds, "warmup_s": args.warmup},
                       "counted": not args.as_bot, "gunicorn": "deploy/gunicorn.conf.py",
                       "app": {"TOKI_DEBUG": "0", "database": "SQLite (temporary, seed_demo)"}},
        "prepare_s": prepare_timings,
        "cached_to_trivial_ratio": round(ratio, 3),
        "order_visible_after_s": visible_s,
        "results": results,
        "elapsed_s": round(elapsed, 1),
    }
    print(f"results: {write_results(NAME, data).relative_to(REPO)}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    run_main(main)
