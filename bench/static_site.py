"""The static 軽量版 (portal issue, item 5): (a) throughput of its home page under nginx, (b) freshness.

(a) One throwaway nginx on 127.0.0.1 serves the snapshot with deploy/nginx/toki-static.conf (the directory
replaced) on one port and a plain file of the same bytes on another; gunicorn runs the dynamic home page as
bench/home_page.py starts it. Each is driven with wrk (-t2 -c256 -d10s by default) after a warm-up, in the same
run. Targets: the 軽量版 at >= 0.9 of the plain file and >= 20,000 requests/s.

(b) With `manage.py run_worker` (database task backend) on the same temporary SQLite site, a shelter is opened for
a (real, non-drill) incident and its status is switched 20 times between 開設 and 満員 through
toki.shelters.actions.openings.set_opening_status, as shelter staff would; each time the script polls the
snapshot's data/shelters.json until the opening shows the new status and records the time from the commit to
the file on disk (the HTML pages are written in the same atomic swap). Target: within 10 s.

    .venv/bin/python bench/static_site.py [-c 256] [-d 10] [--changes 20]
"""

import argparse
import json
import os
import statistics
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
    run_checked,
    run_main,
    start_process,
    stop_process,
    tool_version,
    wait_http,
    write_results,
)
from _served_app import fetch, measure_server, prepared_app, start_gunicorn, throughput_table

NAME = "static_site"
SNIPPET = REPO / "deploy" / "nginx" / "toki-static.conf"
DEPLOYED_DIR = "/var/lib/toki/static-site/"
TARGET_RATIO, TARGET_RPS, TARGET_FRESH_S = 0.9, 20_000, 10.0

NGINX_SERVERS = """\
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{lite_port};
        include {tmp}/toki-static.conf;
    }}
    server {{
        listen 127.0.0.1:{plain_port};
        root {tmp}/plain;
    }}"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-t", "--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("-c", "--connections", type=int, default=256, help="wrk connections (default 256)")
    parser.add_argument("-d", "--duration", type=float, default=10, help="seconds measured per server (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--changes", type=int, default=20, help="changes timed for freshness (default 20)")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between two changes (default 1)")
    # home_page.start_gunicorn reads these two.
    parser.add_argument("--workers", type=int, help="override the gunicorn worker count of the config file")
    parser.add_argument("--gunicorn-threads", type=int, help="override the gunicorn threads of the config file")
    return parser.parse_args(argv)


def start_nginx(nginx: str, tmp: Path, site_dir: Path, plain_body: bytes):
    (tmp / "plain").mkdir()
    (tmp / "plain" / "plain.html").write_bytes(plain_body)
    snippet = SNIPPET.read_text().replace(DEPLOYED_DIR, f"{site_dir}/")
    (tmp / "toki-static.conf").write_text(snippet)
    # When run as root, nginx workers drop to `nobody`: let them read both trees.
    # The snapshot's own files are world-readable already (the publisher makes them so).
    temp_root = Path(tempfile.gettempdir())
    for directory in [tmp, tmp / "plain", *[p for p in site_dir.parents if temp_root in p.parents]]:
        directory.chmod(0o755)
    (tmp / "plain" / "plain.html").chmod(0o644)
    lite_port, plain_port = free_port(), free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(nginx_conf(tmp, what="bench/static_site.py", worker_connections=4096,
                                servers=NGINX_SERVERS.format(tmp=tmp, lite_port=lite_port, plain_port=plain_port)))
    log = tmp / "nginx-start.log"
    return start_process([nginx, "-p", str(tmp), "-c", str(conf)], log_path=log), lite_port, plain_port, log


def throughput(args, tools, tmp: Path, nginx_tmp: Path, env: dict, site_dir: Path) -> list[dict]:
    gunicorn = nginx = None
    try:
        gunicorn, g_port, g_log = start_gunicorn(tmp, env, args)
        wait_http(g_port, gunicorn, g_log, "/")
        fetch(g_port, "/", "gunicorn")
        lite_body = (site_dir / "current" / "index.html").read_bytes()
        nginx, lite_port, plain_port, n_log = start_nginx(tools["nginx"], nginx_tmp, site_dir, lite_body)
        wait_http(lite_port, nginx, n_log, "/lite/index.html")
        if fetch(lite_port, "/lite/index.html", "nginx (軽量版)") != lite_body:
            raise BenchError("nginx does not serve the snapshot's home page")
        if len(fetch(plain_port, "/plain.html", "nginx (plain)")) != len(lite_body):
            raise BenchError("the plain file does not have the page's size")
        servers = [("nginx, 軽量版 home (toki-static.conf)", lite_port, "/lite/index.html", nginx, n_log),
                   ("nginx, plain file of the same size", plain_port, "/plain.html", nginx, n_log),
                   ("gunicorn + Django, dynamic home", g_port, "/", gunicorn, g_log)]
        results = []
        for label, port, path, proc, log in servers:
            result = measure_server(label, port, path, proc, log, args)
            body = fetch(port, path, label)
            result.pop("raw", None)
            results.append({"server": label, "path": path, "body_bytes": len(body), **result})
        return results
    finally:
        stop_process(nginx)
        stop_process(gunicorn)


def freshness(args, tmp: Path, env: dict, site_dir: Path) -> list[float]:
    """Seconds from each committed shelter status change (開設 ⇄ 満員) to the new status in the published JSON."""
    worker = None
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "toki.settings"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from toki.accounts.models import User
    from toki.areas.selectors import default_municipality
    from toki.hq.actions import open_incident
    from toki.shelters.actions.openings import open_shelter, set_opening_status
    from toki.shelters.models import OpeningStatus, Shelter

    municipality = default_municipality()
    hq_admin = User.objects.get(username="alice")  # the demo's HQ admin (seed_demo)
    incident = open_incident(acting_user=hq_admin, municipality=municipality, name="bench: 軽量版 freshness",
                             kind="heavy_rain")
    shelter = Shelter.objects.filter(municipality=municipality, is_designated_shelter=True).order_by("pk").first()
    opening = open_shelter(acting_user=hq_admin, shelter=shelter, incident=incident)
    page = site_dir / "current" / "data" / "shelters.json"
    delays = []
    try:
        log = tmp / "worker.log"
        worker = start_process([sys.executable, "manage.py", "run_worker"], log_path=log, env=env)
        time.sleep(2)  # the worker's start-up
        if worker.poll() is not None:
            raise BenchError(f"the worker exited:\n{log_tail(log)}")
        for number in range(args.changes):
            status = (OpeningStatus.FULL, OpeningStatus.OPEN)[number % 2]
            opening = set_opening_status(acting_user=hq_admin, opening=opening, status=status)
            committed = time.monotonic()  # set_opening_status returns after COMMIT (and the enqueue)
            deadline = committed + 60
            while _published_status(page, shelter.name) != status:
                if time.monotonic() > deadline:
                    raise BenchError(f"change {number} not published within 60 s:\n{log_tail(log)}")
                time.sleep(0.01)
            delays.append(round(time.monotonic() - committed, 3))
            print(f"  change {number + 1:2d} ({status}): {delays[-1]:.3f} s", flush=True)
            time.sleep(args.pause)
    finally:
        stop_process(worker)
    return delays


def _published_status(path: Path, name: str) -> str | None:
    """The status of the open shelter called `name` in the snapshot's shelters.json (None: not listed yet)."""
    try:
        document = json.loads(_read(path) or "{}")
    except ValueError:
        return None  # never expected: the snapshot is swapped atomically
    return next((row["status"] for row in document.get("open_shelters", []) if row["name"] == name), None)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    tools = require_tools("nginx", "wrk")
    machine = machine_info()
    started = time.monotonic()
    with (tempfile.TemporaryDirectory(prefix="toki-bench-lite-") as tmp_name,
          tempfile.TemporaryDirectory(prefix="toki-bench-lite-nginx-") as nginx_tmp):
        tmp = Path(tmp_name)
        env, prepare = prepared_app(tmp, TOKI_TASKS="db")
        site_dir = tmp / "var" / "static-site"
        begin = time.monotonic()
        run_checked([sys.executable, "manage.py", "publish_static"], what="manage.py publish_static", env=env)
        prepare["publish_static"] = round(time.monotonic() - begin, 2)
        results = throughput(args, tools, tmp, Path(nginx_tmp), env, site_dir)
        print("measuring freshness ...", flush=True)
        delays = freshness(args, tmp, env, site_dir)
    return report(args, tools, machine, prepare, results, delays, time.monotonic() - started)


def report(args, tools, machine, prepare, results, delays, elapsed) -> int:
    lite, plain, app = results
    ratio = lite["requests_per_sec"] / plain["requests_per_sec"] if plain["requests_per_sec"] else 0.0
    print()
    print(throughput_table(results))
    median, worst = statistics.median(delays), max(delays)
    checks = {
        "lite_at_least_0.9_of_plain": ratio >= TARGET_RATIO,
        "lite_at_least_20000_rps": lite["requests_per_sec"] >= TARGET_RPS,
        "fresh_within_10_s": worst <= TARGET_FRESH_S,
    }
    ratio_met = "met" if checks["lite_at_least_0.9_of_plain"] else "NOT met"
    print(f"\n軽量版/plain file: {ratio:.2%} (target {TARGET_RATIO:.0%}: {ratio_met}); "
          f"軽量版 {lite['requests_per_sec']:.0f} req/s (target {TARGET_RPS}: "
          f"{'met' if checks['lite_at_least_20000_rps'] else 'NOT met'})")
    print(f"freshness over {len(delays)} shelter status changes: median {median:.2f} s, worst {worst:.2f} s "
          f"(target {TARGET_FRESH_S:.0f} s: {'met' if checks['fresh_within_10_s'] else 'NOT met'})")
    print(f"(wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s after {args.warmup:g}s warm-up; "
          f"{machine['cores']} cores; {elapsed:.0f} s in all)")
    # The dynamic page is a comparison: at 256 connections gunicorn times some requests out (wrk's 5 s), which
    # is the point of the 軽量版. Only errors of the two nginx servers make the run fail.
    errors = lite["errors"] + plain["errors"]
    if app["errors"]:
        print(f"(the dynamic page had {app['errors']} timed-out or failed requests at {args.connections} "
              "connections; see the JSON)")
    data = {
        "benchmark": NAME,
        "issue": "portal item 5",
        "ok": errors == 0,
        "targets_met": checks,
        "machine": machine,
        "versions": {"django": package_version("django"), "gunicorn": package_version("gunicorn"),
                     "nginx": tool_version([tools["nginx"], "-v"], r"nginx/(\S+)"),
                     "wrk": tool_version([tools["wrk"], "-v"], r"wrk (\S+)")},
        "parameters": {"wrk": {"threads": args.threads, "connections": args.connections,
                               "duration_s": args.duration, "warmup_s": args.warmup},
                       "freshness": {"changes": args.changes, "pause_s": args.pause,
                                     "change": "toki.shelters.actions.openings.set_opening_status (開設 ⇄ 満員)",
                                     "task_backend": "django_tasks_db, manage.py run_worker (interval 0.5 s)"}},
        "prepare_s": prepare,
        "throughput_ratio_lite_to_plain": round(ratio, 4),
        "results": results,
        "freshness_s": {"median": median, "worst": worst, "all": delays},
        "elapsed_s": round(elapsed, 1),
    }
    print(f"results: {write_results(NAME, data).relative_to(REPO)}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    run_main(main)
