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
    free_port,
    log_tail,
    machine_info,
    nginx_conf,
    package_version,
    require_tools,
    run_main,
    start_process,
    stop_process,
    tool_version,
    wait_http,
    write_results,
)
from _served_app import (
    GUNICORN_CONF,
    fetch,
    load_parser,
    measure_server,
    prepared_app,
    start_gunicorn,
    throughput_table,
)

NAME = "home_page"
NGINX_SERVERS = """\
    server {{
        listen 127.0.0.1:{port};
        root {www};
        location / {{ index index.html; }}
    }}"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = load_parser(__doc__.splitlines()[0], connections=32, duration=10, what="seconds measured per server")
    parser.add_argument("--path", default="/", help="the page to measure (default /)")
    return parser.parse_args(argv)


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    tools = require_tools("nginx", "wrk")
    conf = runpy.run_path(str(GUNICORN_CONF))
    machine = machine_info()  # load average before this run adds its own
    started = time.monotonic()
    with (tempfile.TemporaryDirectory(prefix="toki-bench-home-") as tmp_name,
          tempfile.TemporaryDirectory(prefix="toki-bench-nginx-") as nginx_tmp):
        tmp = Path(tmp_name)
        env, prepare_timings = prepared_app(tmp)
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
                result = measure_server(label, port, args.path, proc, log, args)
                results.append({"server": label, "body_bytes": len(body), **result})
            server_log = log_tail(g_log, 20)
        finally:
            stop_process(nginx)
            stop_process(gunicorn)
    return report(args, tools, conf, machine, prepare_timings, results, server_log, time.monotonic() - started)


def report(args, tools, conf, machine, prepare_timings, results, server_log, elapsed) -> int:
    app, reference = results
    ratio = app["requests_per_sec"] / reference["requests_per_sec"] if reference["requests_per_sec"] else 0.0
    print()
    print(throughput_table(results))
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
