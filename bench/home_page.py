"""Public home page (issue 2): requests/second and p50/p99 latency of `/` under the production server setup.

In the same run and with the same wrk parameters, nginx serves a static copy of the page's bytes: that is the
reference a noisy machine is judged against (see docs/benchmarks.md). Both servers listen on 127.0.0.1 only,
run from a temporary directory and are stopped whatever happens.

    .venv/bin/python bench/home_page.py [-t 2] [-c 32] [-d 10] [--warmup 2]

The app runs as in production: gunicorn with deploy/gunicorn.conf.py, TOKI_DEBUG=0, a random SECRET_KEY, a
fresh SQLite database (migrate + seed_demo) and collectstatic, in a temporary TOKI_VAR_DIR and STATIC_ROOT.
What differs from a site: no nginx in front, so SECURE_SSL_REDIRECT=0; ALLOWED_HOSTS=127.0.0.1; LOG_LEVEL=WARNING.
The script reads nothing of the page's content: only its status (must be 200) and its bytes.
"""

import argparse
import runpy
import sys
import tempfile
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
    machine_info,
    nginx_conf,
    package_version,
    process_tree_cpu_s,
    require_tools,
    run_checked,
    run_main,
    run_wrk,
    start_process,
    stop_process,
    tool_version,
    wait_http,
    write_results,
)

NAME = "home_page"
GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"
NGINX_SERVERS = """\
    server {{
        listen 127.0.0.1:{port};
        root {www};
        location / {{ index index.html; }}
    }}"""


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


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = load_parser(__doc__.splitlines()[0], connections=32, duration=10, what="seconds measured per server")
    parser.add_argument("--path", default="/", help="the page to measure (default /)")
    return parser.parse_args(argv)


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


def start_gunicorn(tmp: Path, env: dict[str, str], args: argparse.Namespace):
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}"]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    if args.gunicorn_threads:
        cmd += ["--threads", str(args.gunicorn_threads)]
    log = tmp / "gunicorn.log"
    return start_process(cmd, log_path=log, env=env), port, log


def start_nginx(nginx: str, tmp: Path, body: bytes, path: str):
    """Serve body at `path` from a throwaway nginx (a non-daemon child; its config, pid and logs in tmp)."""
    www = tmp / "www"
    target = www / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    # When run as root, nginx workers drop to `nobody`: let them reach the copy (tmp holds nothing else).
    tmp.chmod(0o711)
    for directory in [www, *[p for p in target.parents if www in p.parents]]:
        directory.chmod(0o755)
    target.chmod(0o644)
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(nginx_conf(tmp, what="bench/home_page.py: one static file, no logging, no compression",
                                servers=NGINX_SERVERS.format(port=port, www=www)))
    log = tmp / "nginx-start.log"
    return start_process([nginx, "-p", str(tmp), "-c", str(conf)], log_path=log), port, log


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    tools = require_tools("nginx", "wrk")
    conf = runpy.run_path(str(GUNICORN_CONF))
    machine = machine_info()  # load average before this run adds its own
    started = time.monotonic()
    with (tempfile.TemporaryDirectory(prefix="toki-bench-home-") as tmp_name,
          tempfile.TemporaryDirectory(prefix="toki-bench-nginx-") as nginx_tmp):
        tmp = Path(tmp_name)
        env = app_env(tmp)
        print(f"preparing the app in {tmp} ...", flush=True)
        prepare_timings = prepare_app(env)
        gunicorn = nginx = None
        try:
            gunicorn, g_port, g_log = start_gunicorn(tmp, env, args)
            wait_http(g_port, gunicorn, g_log, args.path)
            body = fetch(g_port, args.path, "gunicorn")
            nginx, n_port, n_log = start_nginx(tools["nginx"], Path(nginx_tmp), body, args.path)
            wait_http(n_port, nginx, n_log, args.path)
            if len(fetch(n_port, args.path, "nginx")) != len(body):
                raise BenchError("nginx's copy of the page does not have the page's size")
            servers = [("gunicorn + Django", g_port, g_log, gunicorn), ("nginx, static copy", n_port, n_log, nginx)]
            results = []
            for label, port, log, proc in servers:
                print(f"measuring {label} on 127.0.0.1:{port}{args.path} ...", flush=True)
                result = measure(f"http://127.0.0.1:{port}{args.path}", args, proc.pid)
                if proc.poll() is not None:
                    raise BenchError(f"{label} exited during the run:\n{log_tail(log)}")
                results.append({"server": label, "body_bytes": len(body), **result})
            server_log = log_tail(g_log, 20)
        finally:
            stop_process(nginx)
            stop_process(gunicorn)
    return report(args, tools, conf, machine, prepare_timings, results, server_log, time.monotonic() - started)


def report(args, tools, conf, machine, prepare_timings, results, server_log, elapsed) -> int:
    app, reference = results
    ratio = app["requests_per_sec"] / reference["requests_per_sec"] if reference["requests_per_sec"] else 0.0
    rows = [[r["server"], f"{r['requests_per_sec']:.0f}", f"{r['latency_ms']['p50']:.2f}",
             f"{r['latency_ms']['p99']:.2f}", r["errors"], r["body_bytes"], r["server_cpu_ms_per_request"]]
            for r in results]
    print()
    print(format_table(["server", "req/s", "p50 ms", "p99 ms", "errors", "bytes", "server CPU ms/req"], rows))
    workers = args.workers or conf["workers"]
    threads = args.gunicorn_threads or conf["threads"]
    times = f"; nginx served {1 / ratio:.0f}× as many" if ratio else ""
    print(f"\ngunicorn/nginx throughput: {ratio:.2%}{times}")
    print(f"(wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s after {args.warmup:g}s warm-up; gunicorn"
          f" {conf['worker_class']} {workers}x{threads}; {machine['cores']} cores; {elapsed:.0f} s in all)")
    errors = sum(r["errors"] for r in results)
    if errors:
        print(f"\nERRORS: {errors} failed requests (socket errors or HTTP >= 400); see the JSON for the detail.")
        print(f"last lines of the gunicorn log:\n{server_log}")
    data = {
        "benchmark": NAME,
        "issue": 2,
        "ok": errors == 0,
        "machine": machine,
        "versions": {
            "gunicorn": package_version("gunicorn"),
            "django": package_version("django"),
            "nginx": tool_version([tools["nginx"], "-v"], r"nginx/(\S+)"),
            "wrk": tool_version([tools["wrk"], "-v"], r"wrk (\S+)"),
        },
        "parameters": {
            "path": args.path,
            "wrk": {"threads": args.threads, "connections": args.connections, "duration_s": args.duration,
                    "warmup_s": args.warmup, "timeout_s": 5},
            "gunicorn": {"config": "deploy/gunicorn.conf.py", "worker_class": conf["worker_class"],
                         "workers": workers, "threads": threads, "max_requests": conf["max_requests"]},
            "app": {"TOKI_DEBUG": "0", "database": "SQLite (temporary, seed_demo)", "SECURE_SSL_REDIRECT": "0"},
        },
        "prepare_s": prepare_timings,
        "throughput_ratio_to_nginx": round(ratio, 4),
        "results": results,
        "elapsed_s": round(elapsed, 1),
    }
    print(f"results: {write_results(NAME, data).relative_to(REPO)}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    run_main(main)
