"""The app as the public-page benchmarks serve it (bench/home_page.py, cached_home.py, static_site.py, hq_board.py):
production settings in a temporary directory, prepared as a deployment is, behind gunicorn with
deploy/gunicorn.conf.py, measured with wrk while the server's CPU time is read; one table of the figures."""

import argparse
import sys
import time
from pathlib import Path

from _common import (
    REPO,
    BenchError,
    format_table,
    free_port,
    http_get,
    isolated_app_env,
    log_tail,
    process_tree_cpu_s,
    run_checked,
    run_wrk,
    start_process,
)

GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"


def load_parser(description: str, *, connections: int, duration: float, what: str) -> argparse.ArgumentParser:
    """The wrk and gunicorn options of a benchmark that drives gunicorn (this one and bench/cached_home.py)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-t", "--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("-c", "--connections", type=int, default=connections,
                        help=f"wrk open connections (default {connections})")
    parser.add_argument("-d", "--duration", type=float, default=duration, help=f"{what} (default {duration:g})")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--workers", type=int, help="override the gunicorn worker count of the config file")
    parser.add_argument("--gunicorn-threads", type=int, help="override the gunicorn threads of the config file")
    return parser


def app_env(tmp: Path) -> dict[str, str]:
    return isolated_app_env(tmp, ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0", STATIC_ROOT=str(tmp / "static"),
                            LOG_LEVEL="WARNING")


def prepare_app(env: dict[str, str]) -> dict[str, float]:
    """Translations, database, demo data and static files, as a deployment does; returns seconds per step."""
    steps = {
        "compile_translations": ["compile_translations"],
        "migrate": ["migrate", "--no-input"],
        "seed_demo": ["seed_demo"],
        "collectstatic": ["collectstatic", "--no-input"],
    }
    timings = {}
    for name, args in steps.items():
        started = time.monotonic()
        run_checked([sys.executable, "manage.py", *args], what=f"manage.py {' '.join(args)}", env=env)
        timings[name] = round(time.monotonic() - started, 2)
    return timings


def prepared_app(tmp: Path, **extra_env: str) -> tuple[dict[str, str], dict[str, float]]:
    """The environment of an app in `tmp` (with `extra_env`), prepared; returns it and the seconds per step."""
    env = {**app_env(tmp), **extra_env}
    print(f"preparing the app in {tmp} ...", flush=True)
    return env, prepare_app(env)


def start_gunicorn(tmp: Path, env: dict[str, str], args: argparse.Namespace):
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}"]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    if args.gunicorn_threads:
        cmd += ["--threads", str(args.gunicorn_threads)]
    log = tmp / "gunicorn.log"
    return start_process(cmd, log_path=log, env=env), port, log


def fetch(port: int, path: str, server: str) -> bytes:
    status, _headers, body = http_get("127.0.0.1", port, path)
    if status != 200:
        raise BenchError(f"{server} answered {path} with HTTP {status}, not 200; the benchmark would measure that")
    return body


def measure(url: str, args: argparse.Namespace, server_pid: int, headers: dict[str, str] | None = None) -> dict:
    if args.warmup > 0:
        run_wrk(url, threads=args.threads, connections=args.connections, duration=args.warmup, headers=headers)
    cpu_before = process_tree_cpu_s(server_pid)
    result = run_wrk(url, threads=args.threads, connections=args.connections, duration=args.duration,
                     headers=headers)
    cpu_s = process_tree_cpu_s(server_pid) - cpu_before
    result["server_cpu_s"] = round(cpu_s, 2)
    result["server_cpu_ms_per_request"] = round(cpu_s * 1000 / result["requests"], 3) if result["requests"] else None
    return result


def measure_server(label: str, port: int, path: str, proc, log: Path, args: argparse.Namespace,
                   headers: dict[str, str] | None = None) -> dict:
    """`measure` of one server's page, which must still be running afterwards."""
    print(f"measuring {label} on 127.0.0.1:{port}{path} ...", flush=True)
    result = measure(f"http://127.0.0.1:{port}{path}", args, proc.pid, headers=headers)
    if proc.poll() is not None:
        raise BenchError(f"{label} exited during the run:\n{log_tail(log)}")
    return result


def throughput_table(results: list[dict], label: str = "server", *, with_bytes: bool = True) -> str:
    """req/s, p50, p99, errors (and bytes), server CPU per request: one row per measured page."""
    heading = [label, "req/s", "p50 ms", "p99 ms", "errors", *(["bytes"] if with_bytes else []), "server CPU ms/req"]
    rows = [[r[label], f"{r['requests_per_sec']:.0f}", f"{r['latency_ms']['p50']:.2f}",
             f"{r['latency_ms']['p99']:.2f}", r["errors"], *([r["body_bytes"]] if with_bytes else []),
             r["server_cpu_ms_per_request"]] for r in results]
    return format_table(heading, rows)
