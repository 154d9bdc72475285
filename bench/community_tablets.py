"""Household tablets (issue 17): 3,000 tablets polling for alerts as the fallback to push, and a safety reply to
the HQ board, under the production server (deploy/gunicorn.conf.py, TOKI_DEBUG=0, SQLite with seed_demo).

1. "saturated" (wrk, --connections, --wrk-duration s each, the 3,000 device cookies spread over the requests):
   - the reference: GET /api/v1/health;
   - an unchanged conditional poll: GET /tablet/poll.json with If-None-Match → 304, no body;
   - a full poll: the same without If-None-Match → 200 with the JSON.
   For each: req/s, p50/p95/p99 and the server's CPU per request (the steadier figure on a shared machine);
   the ratio of the unchanged poll's CPU to the health check's.
2. "as used": 3,000 tablets each polling every 30 s (100 polls a second, conditional, as tablets do after
   their first answer) for --duration s from Python threads: p50/p95 and the server's CPU per poll.
3. A safety reply to the HQ board: --replies tablets each POST 「無事です」 while an HQ member's board part
   (/hq/incidents/<id>/board/safety/) is read every 250 ms; the time from the tap to the first board answer
   that counts it: p50/p95 (target < 2 s). The board page itself re-reads the part every 10 s.

    .venv/bin/python bench/community_tablets.py [--tablets 3000] [--duration 30] [--wrk-duration 10]
"""

import argparse
import http.client
import json
import re
import runpy
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import (
    REPO,
    BenchError,
    format_table,
    log_tail,
    machine_info,
    package_version,
    percentile,
    process_tree_cpu_s,
    require_tools,
    run_checked,
    run_main,
    run_wrk_script,
    stop_process,
    wait_http,
    write_results,
)
from _served_app import GUNICORN_CONF, app_env, prepare_app, start_gunicorn

NAME = "community_tablets"
TARGET_REPLY_P95_MS = 2000
SAFE = re.compile(r'id="safety-safe">無事 (\d+)')

# Run inside the isolated app (manage.py shell -c): TABLETS households in 両津 with one enrolled tablet each,
# a real incident for the HQ board, a session for alice.
SEED = r"""
import json
from datetime import timedelta
from django.conf import settings
from django.test import Client
from django.utils import timezone
from toki.accounts.models import User
from toki.areas.models import District
from toki.community.devices import digest, new_secret
from toki.community.models import Device, Household
from toki.hq.actions.incidents import open_incident

ryotsu = District.objects.get(code="ryotsu")
households = Household.objects.bulk_create(
    Household(municipality=ryotsu.municipality, district=ryotsu, label=f"bench {n}") for n in range(TABLETS))
secrets = [new_secret() for _ in households]
# Steady state: each tablet last wrote its "last seen" within the 5 minutes before (SEEN_WRITE_EVERY), spread
# evenly, so about one poll in ten (30 s of 300) writes it again, as in use.
now = timezone.now()
Device.objects.bulk_create(Device(household=h, token_sha256=digest(s), last_seen_at=now - timedelta(seconds=n % 300))
                           for n, (h, s) in enumerate(zip(households, secrets)))
alice = User.objects.get(username="alice")
incident = open_incident(acting_user=alice, municipality=ryotsu.municipality, name="bench 大雨", kind="heavy_rain",
                         started_at=timezone.now() - timedelta(hours=1))
client = Client()
client.force_login(alice)
print("BENCH-SEED " + json.dumps({"secrets": secrets, "incident": incident.pk,
                                   "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                                   "session_name": settings.SESSION_COOKIE_NAME}))
"""

P95_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P95-US %d\\n", latency:percentile(95)))
end
"""
# Run right before each measurement: the steady state of "last seen" (see SEED), whatever time the set-up took.
RESPREAD = r"""
from datetime import timedelta
from django.utils import timezone
from toki.community.models import Device
now = timezone.now()
devices = list(Device.objects.only("pk"))
for n, device in enumerate(devices):
    device.last_seen_at = now - timedelta(seconds=n % 300)
Device.objects.bulk_update(devices, ["last_seen_at"], batch_size=500)
"""
WRK_LUA = """
local secrets = {%(secrets)s}
local counter = 0
request = function()
  counter = counter + 1
  local headers = {["Cookie"] = "toki_tablet=" .. secrets[(counter %% #secrets) + 1]}
  %(etag)s
  return wrk.format("GET", "/tablet/poll.json?v=1", headers)
end
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tablets", type=int, default=3000, help="enrolled tablets (default 3000)")
    parser.add_argument("--interval", type=float, default=30, help="seconds between a tablet's polls (default 30)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of polling as used (default 30)")
    parser.add_argument("--wrk-duration", type=float, default=10, help="seconds of each saturated load (default 10)")
    parser.add_argument("--connections", type=int, default=20, help="wrk connections (default 20)")
    parser.add_argument("--replies", type=int, default=40, help="safety replies measured (default 40)")
    parser.add_argument("--workers", type=int, help="override the gunicorn worker count of the config file")
    parser.add_argument("--gunicorn-threads", type=int, help="override the gunicorn threads of the config file")
    return parser.parse_args(argv)


def seed(env, tablets: int) -> dict:
    output = run_checked([sys.executable, "manage.py", "shell", "-c", SEED.replace("TABLETS", str(tablets))],
                         what="seeding the tablets", env=env, timeout=900)
    line = next((line for line in output.splitlines() if line.startswith("BENCH-SEED ")), None)
    if line is None:
        raise BenchError(f"the seed script printed no result:\n{output[-2000:]}")
    return json.loads(line.removeprefix("BENCH-SEED "))


def respread(env) -> None:
    run_checked([sys.executable, "manage.py", "shell", "-c", RESPREAD], what="spreading last seen", env=env)


def get(port: int, path: str, headers: dict) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wrk(tool: str, port: int, pid: int, args, tmp: Path, label: str, *, lua: str, path: str) -> dict:
    cpu_before = process_tree_cpu_s(pid)
    result = run_wrk_script(tool, f"http://127.0.0.1:{port}{path}", lua, tmp / "load.lua",
                            connections=args.connections, duration=args.wrk_duration)
    cpu = process_tree_cpu_s(pid) - cpu_before
    result.update({"label": label, "server_cpu_s": round(cpu, 2),
                   "server_cpu_ms_per_request": round(cpu * 1000 / result["requests"], 3)})
    return result


def as_used(port: int, pid: int, data: dict, etag: str, args) -> dict:
    """Each tablet polls every `interval` s, staggered evenly: `tablets / interval` polls a second."""
    rate = len(data["secrets"]) / args.interval
    threads_n = 16
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    start = time.monotonic() + 0.5
    total = int(rate * args.duration)

    def worker(index: int) -> None:
        for n in range(index, total, threads_n):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            secret = data["secrets"][n % len(data["secrets"])]
            started = time.perf_counter()
            try:
                status, _headers, _body = get(port, "/tablet/poll.json?v=1",
                                              {"Cookie": f"toki_tablet={secret}", "If-None-Match": etag})
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(str(exc))
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[status] = statuses.get(status, 0) + 1

    cpu_before = process_tree_cpu_s(pid)
    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads_n)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=args.duration + 120)
    cpu = process_tree_cpu_s(pid) - cpu_before
    if not latencies:
        raise BenchError(f"no poll answered; errors: {errors[:3]}")
    return {"polls": len(latencies), "polls_per_sec_target": round(rate, 1), "statuses": statuses,
            "errors": len(errors), "error_samples": errors[:3],
            "latency_ms": {f"p{p}": round(percentile(latencies, p), 2) for p in (50, 95, 99)},
            "server_cpu_s": round(cpu, 2), "server_cpu_ms_per_poll": round(cpu * 1000 / len(latencies), 3),
            "server_cpu_share_of_one_core": round(cpu / args.duration, 3)}


def replies(port: int, data: dict, args) -> dict:
    """Tablets tap 「無事です」 one after another; the board part is read every 250 ms as alice."""
    board = f"/hq/incidents/{data['incident']}/board/safety/"
    cookie = {"Cookie": f"{data['session_name']}={data['session']}"}
    seen: list[tuple[float, int]] = []  # (time the board answer was requested, safe count in it)
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            asked = time.monotonic()
            status, _h, body = get(port, board, cookie)
            match = SAFE.search(body.decode()) if status == 200 else None
            if match:
                seen.append((asked, int(match.group(1))))
            time.sleep(0.25)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    taps: list[tuple[float, int]] = []
    for n in range(args.replies):
        secret = data["secrets"][n]
        status, headers, _body = get(port, "/tablet/", {"Cookie": f"toki_tablet={secret}"})
        token = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
        if status != 200 or token is None:
            raise BenchError(f"the tablet page answered {status} without a CSRF cookie")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        tapped = time.monotonic()
        connection.request("POST", "/tablet/reply/", body="status=safe",
                           headers={"Cookie": f"toki_tablet={secret}; csrftoken={token.group(1)}",
                                    "X-CSRFToken": token.group(1), "Accept": "application/json",
                                    "Content-Type": "application/x-www-form-urlencoded",
                                    "Referer": f"http://127.0.0.1:{port}/tablet/"})
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise BenchError(f"the reply answered HTTP {response.status}")
        taps.append((tapped, n + 1))
        time.sleep(0.6)
    time.sleep(1.5)
    stop.set()
    watcher.join(timeout=10)
    delays = []
    for tapped, count in taps:
        shown = next((asked for asked, safe in seen if asked >= tapped and safe >= count), None)
        if shown is not None:
            delays.append((shown - tapped) * 1000 + 0.0)
    if len(delays) < len(taps):
        raise BenchError(f"{len(taps) - len(delays)} replies never reached the board")
    # A board answer requested at `asked` counts from the tap; the poll's own latency is added on top.
    return {"replies": len(taps), "board_reads": len(seen),
            "latency_ms": {f"p{p}": round(percentile(delays, p), 1) for p in (50, 95)},
            "target_p95_ms": TARGET_REPLY_P95_MS}


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    tools = require_tools("wrk")
    conf = runpy.run_path(str(GUNICORN_CONF))
    machine = machine_info()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="toki-bench-tablets-") as tmp_name:
        tmp = Path(tmp_name)
        env = app_env(tmp)
        print(f"preparing the app in {tmp} ...", flush=True)
        prepare = prepare_app(env)
        data = seed(env, args.tablets)
        gunicorn = None
        try:
            gunicorn, port, log = start_gunicorn(tmp, env, args)
            wait_http(port, gunicorn, log, "/api/v1/health")
            status, headers, _ = get(port, "/tablet/poll.json?v=1", {"Cookie": f"toki_tablet={data['secrets'][0]}"})
            etag = headers.get("ETag", "")
            if status != 200 or not etag:
                raise BenchError(f"the poll answered {status} without an ETag")
            secrets_lua = ", ".join(f'"{s}"' for s in data["secrets"])
            runs: list[dict] = []
            print("saturated: health, unchanged poll, full poll ...", flush=True)
            for label, lua, path in (
                    ("health check (reference)", P95_LUA, "/api/v1/health"),
                    ("poll, unchanged (304)", WRK_LUA % {"secrets": secrets_lua,
                                                         "etag": f'headers["If-None-Match"] = \'{etag}\''},
                     "/tablet/poll.json"),
                    ("poll, full (200)", WRK_LUA % {"secrets": secrets_lua, "etag": ""}, "/tablet/poll.json")):
                if not runs:
                    wrk(tools["wrk"], port, gunicorn.pid, args, tmp, "warmup", lua=lua, path=path)
                respread(env)
                runs.append(wrk(tools["wrk"], port, gunicorn.pid, args, tmp, label, lua=lua, path=path))
            print(f"as used: {args.tablets} tablets every {args.interval:g} s for {args.duration:g} s ...", flush=True)
            respread(env)
            used = as_used(port, gunicorn.pid, data, etag, args)
            print(f"safety replies to the HQ board ({args.replies}) ...", flush=True)
            reply = replies(port, data, args)
            server_log = log_tail(log, 20)
        finally:
            stop_process(gunicorn)
    health, unchanged, _full = runs
    ratio = unchanged["server_cpu_ms_per_request"] / health["server_cpu_ms_per_request"]
    print()
    print(format_table(["request", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "server CPU ms/req"],
                       [[r["label"], f"{r['requests_per_sec']:.0f}", r["latency_ms"]["p50"], r["latency_ms"]["p95"],
                         r["latency_ms"]["p99"], r["errors"], r["server_cpu_ms_per_request"]] for r in runs]))
    print(f"\nunchanged poll / health check, server CPU per request: {ratio:.2f}")
    print(f"as used: {used['polls']} polls ({used['polls_per_sec_target']}/s), p50 {used['latency_ms']['p50']} ms, "
          f"p95 {used['latency_ms']['p95']} ms, server CPU {used['server_cpu_ms_per_poll']} ms/poll "
          f"({used['server_cpu_share_of_one_core']:.0%} of one core), statuses {used['statuses']}")
    print(f"safety reply → HQ board: p50 {reply['latency_ms']['p50']} ms, p95 {reply['latency_ms']['p95']} ms "
          f"(target < {TARGET_REPLY_P95_MS} ms)")
    errors = sum(r["errors"] for r in runs) + used["errors"]
    ok = errors == 0 and reply["latency_ms"]["p95"] < TARGET_REPLY_P95_MS
    if errors:
        print(f"ERRORS: {errors}\n{server_log}")
    data_out = {
        "benchmark": NAME, "issue": 17, "ok": ok, "machine": machine,
        "versions": {"gunicorn": package_version("gunicorn"), "django": package_version("django")},
        "parameters": {"tablets": args.tablets, "interval_s": args.interval, "duration_s": args.duration,
                       "wrk": {"connections": args.connections, "duration_s": args.wrk_duration, "threads": 2},
                       "gunicorn": {"worker_class": conf["worker_class"], "workers": args.workers or conf["workers"],
                                    "threads": args.gunicorn_threads or conf["threads"]},
                       "app": {"database": "SQLite (temporary, seed_demo)", "cache": "local memory per worker"}},
        "prepare_s": prepare, "saturated": [{k: v for k, v in r.items() if k != "raw"} for r in runs],
        "unchanged_poll_to_health_cpu_ratio": round(ratio, 3), "as_used": used, "safety_reply": reply,
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    print(f"results: {write_results(NAME, data_out).relative_to(REPO)}")
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
