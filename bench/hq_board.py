"""Live HQ board (issue 6): 50 staff polling the board's partials under the production server; p95 latency.

Two loads against the same gunicorn (deploy/gunicorn.conf.py, TOKI_DEBUG=0, a fresh SQLite database with
seed_demo, the FDMA form definition and a busy incident):

1. "as used": 50 logged-in staff, each polling the three htmx partials (summary, instructions, chronology)
   every 10 s and the map JSON every 30 s, as the board page does, for --duration seconds (Python threads,
   one keep-alive connection and one session per person). Latency of every request: p50/p95/p99.
2. "saturated": wrk with 50 connections asking for the same partials back to back, the 50 sessions spread
   over the connections (a Lua script): how far the setup is from its limit, req/s and p50/p95/p99.

Target: p95 < 300 ms for (1). The incident seeded: --reports damage reports from two branch offices, 60
instructions, 600 chronology entries, evacuation orders in two districts.

    .venv/bin/python bench/hq_board.py [--staff 50] [--duration 60] [--reports 300] [--wrk-duration 15]
"""

import argparse
import http.client
import json
import runpy
import statistics
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

NAME = "hq_board"
TARGET_P95_MS = 300
PARTS = ("summary", "instructions", "chronology")

# Run inside the isolated app (manage.py shell -c): a busy incident and one session per staff member.
SEED = r"""
import json, random
from datetime import timedelta
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role, User
from toki.alerts.actions.orders import issue_evacuation_order
from toki.areas.models import District
from toki.hq import actions
from toki.hq.actions import chronology, instructions
from toki.hq.damage import actions as damage_actions

random.seed(7)
call_command("load_damage_form", "fdma-4-r8.json", "--activate", verbosity=0)
alice, bob, frank = (User.objects.get(username=n) for n in ("alice", "bob", "frank"))
districts = {d.code: d for d in District.objects.all()}
ryotsu, aikawa = districts["ryotsu"], districts["aikawa"]
incident = actions.open_incident(acting_user=alice, municipality=ryotsu.municipality, name="bench 豪雨",
                                 kind="heavy_rain", districts=[ryotsu, aikawa], hq_level="disaster_hq",
                                 started_at=timezone.now() - timedelta(hours=6))
for n in range(REPORTS):
    user, district, lat, lon = (bob, ryotsu, 38.08, 138.44) if n % 2 else (frank, aikawa, 38.03, 138.25)
    damage_actions.file_report(acting_user=user, incident=incident, category="casualties", district=district,
                               counts={"casualties_injured_minor": random.randint(0, 3)},
                               latitude=lat + random.uniform(-0.02, 0.02), longitude=lon + random.uniform(-0.02, 0.02),
                               address=f"bench {n}")
offices = {o.name: o for o in OrgUnit.objects.filter(name__in=["両津支所", "相川支所"])}
for n in range(60):
    item = instructions.give_instruction(acting_user=alice, incident=incident, title=f"bench instruction {n}",
                                         priority=random.choice(["urgent", "high", "normal"]),
                                         due_at=timezone.now() + timedelta(minutes=random.randint(5, 600)),
                                         to_org_unit=offices["両津支所" if n % 2 else "相川支所"])
    if n % 3 == 0:
        instructions.acknowledge_instruction(acting_user=alice, instruction=item)
for n in range(600):
    chronology.write_entry(acting_user=alice, incident=incident, content=f"bench entry {n}",
                           category=random.choice(["damage", "hq", "other"]), district=random.choice([ryotsu, aikawa]))
issue_evacuation_order(acting_user=alice, districts=[ryotsu, aikawa], level=4, hazard="landslide", reason="bench")
hq = OrgUnit.objects.get(kind=OrgUnit.Kind.HQ)
cookies = []
for n in range(STAFF):
    user = account_actions.ensure_user(acting_user=None, username=f"bench-staff-{n}", display_name=f"staff {n}",
                                       password=None)
    account_actions.grant_membership(acting_user=None, user=user, org_unit=hq, role=Role.VIEWER)
    client = Client()
    client.force_login(user)
    cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
print("BENCH-SEED " + json.dumps({"incident": incident.pk, "cookies": cookies,
                                   "cookie_name": settings.SESSION_COOKIE_NAME}))
"""

WRK_LUA = """
local paths = {%(paths)s}
local cookies = {%(cookies)s}
local counter = 0
request = function()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  local cookie = cookies[(math.floor(counter / #paths) %% #cookies) + 1]
  return wrk.format("GET", path, {["Cookie"] = "%(cookie_name)s=" .. cookie})
end
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=50, help="staff polling the board (default 50)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of polling as used (default 60)")
    parser.add_argument("--reports", type=int, default=300, help="damage reports in the incident (default 300)")
    parser.add_argument("--wrk-duration", type=float, default=15, help="seconds of saturated load (default 15)")
    parser.add_argument("--poll", type=float, default=10, help="seconds between polls of the partials (default 10)")
    parser.add_argument("--workers", type=int, help="override the gunicorn worker count of the config file")
    parser.add_argument("--gunicorn-threads", type=int, help="override the gunicorn threads of the config file")
    return parser.parse_args(argv)


def seed(env, *, staff: int, reports: int) -> dict:
    script = SEED.replace("REPORTS", str(reports)).replace("STAFF", str(staff))
    output = run_checked([sys.executable, "manage.py", "shell", "-c", script], what="seeding the incident", env=env,
                         timeout=900)
    line = next((line for line in output.splitlines() if line.startswith("BENCH-SEED ")), None)
    if line is None:
        raise BenchError(f"the seed script printed no result:\n{output[-2000:]}")
    return json.loads(line.removeprefix("BENCH-SEED "))



def poll_as_used(port: int, data: dict, args) -> dict:
    """Each staff member in a thread: the partials every `poll` s and the map every 3 polls, staggered."""
    incident = data["incident"]
    stop_at = time.monotonic() + args.duration
    latencies: dict[str, list[float]] = {part: [] for part in (*PARTS, "map")}
    errors: list[str] = []
    lock = threading.Lock()

    def person(index: int, cookie: str) -> None:
        time.sleep(index * args.poll / len(data["cookies"]))  # staggered, as people open the board at different times
        headers = {"Cookie": f"{data['cookie_name']}={cookie}", "HX-Request": "true"}
        round_ = 0
        while time.monotonic() < stop_at:
            started_round = time.monotonic()
            # A new connection each round, as a browser after gunicorn's keep-alive timeout (2 s) has passed;
            # the requests of one round share it.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            targets = [(part, f"/hq/incidents/{incident}/board/{part}/") for part in PARTS]
            if round_ % 3 == 0:
                targets.append(("map", f"/hq/incidents/{incident}/board/map.json"))
            for part, path in targets:
                started = time.perf_counter()
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as exc:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    with lock:
                        errors.append(f"{part}: {exc}")
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if status == 200:
                        latencies[part].append(elapsed)
                    else:
                        errors.append(f"{part}: HTTP {status}")
            connection.close()
            round_ += 1
            time.sleep(max(0.0, args.poll - (time.monotonic() - started_round)))

    threads = [threading.Thread(target=person, args=(i, c), daemon=True) for i, c in enumerate(data["cookies"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + 120)
    every = [value for values in latencies.values() for value in values]
    if not every:
        raise BenchError(f"no successful request; errors: {errors[:5]}")
    summary = {"requests": len(every), "errors": len(errors), "error_samples": errors[:5],
               "requests_per_sec": round(len(every) / args.duration, 1),
               "latency_ms": {f"p{p}": round(percentile(every, p), 2) for p in (50, 95, 99)},
               "mean_ms": round(statistics.fmean(every), 2), "max_ms": round(max(every), 2)}
    summary["by_part"] = {part: {"requests": len(values), "p50": round(percentile(values, 50), 2),
                                 "p95": round(percentile(values, 95), 2)}
                          for part, values in latencies.items() if values}
    return summary


def warm_up(port: int, data: dict, rounds: int = 30) -> None:
    """Unmeasured requests first, so every gunicorn worker has loaded its code and templates."""
    headers = {"Cookie": f"{data['cookie_name']}={data['cookies'][0]}"}
    for _ in range(rounds):
        for path in [f"/hq/incidents/{data['incident']}/board/{part}/" for part in PARTS] + [
                f"/hq/incidents/{data['incident']}/board/map.json"]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                raise BenchError(f"{path} answered HTTP {response.status} during the warm-up")


def saturate(wrk: str, port: int, data: dict, args, tmp: Path) -> dict:
    paths = ", ".join(f'"/hq/incidents/{data["incident"]}/board/{part}/"' for part in PARTS)
    cookies = ", ".join(f'"{c}"' for c in data["cookies"])
    lua = WRK_LUA % {"paths": paths, "cookies": cookies, "cookie_name": data["cookie_name"]}
    return run_wrk_script(wrk, f"http://127.0.0.1:{port}/", lua, tmp / "board.lua", connections=args.staff,
                          duration=args.wrk_duration)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    tools = require_tools("wrk")
    conf = runpy.run_path(str(GUNICORN_CONF))
    machine = machine_info()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="toki-bench-hq-") as tmp_name:
        tmp = Path(tmp_name)
        env = app_env(tmp)
        print(f"preparing the app in {tmp} ...", flush=True)
        prepare = prepare_app(env)
        seed_started = time.monotonic()
        data = seed(env, staff=args.staff, reports=args.reports)
        prepare["seed_incident"] = round(time.monotonic() - seed_started, 2)
        gunicorn = None
        try:
            gunicorn, port, log = start_gunicorn(tmp, env, args)
            wait_http(port, gunicorn, log, "/api/v1/health")
            warm_up(port, data)
            print(f"{args.staff} staff polling every {args.poll:g} s for {args.duration:g} s ...", flush=True)
            cpu_before = process_tree_cpu_s(gunicorn.pid)
            as_used = poll_as_used(port, data, args)
            as_used["server_cpu_s"] = round(process_tree_cpu_s(gunicorn.pid) - cpu_before, 2)
            print(f"wrk: {args.staff} connections back to back for {args.wrk_duration:g} s ...", flush=True)
            saturated = saturate(tools["wrk"], port, data, args, tmp)
            if gunicorn.poll() is not None:
                raise BenchError(f"gunicorn exited during the run:\n{log_tail(log)}")
            server_log = log_tail(log, 20)
        finally:
            stop_process(gunicorn)
    return report(args, conf, machine, prepare, as_used, saturated, server_log, time.monotonic() - started)


def report(args, conf, machine, prepare, as_used, saturated, server_log, elapsed) -> int:
    rows = [["as used (polling)", as_used["requests"], f"{as_used['requests_per_sec']:.1f}",
             as_used["latency_ms"]["p50"], as_used["latency_ms"]["p95"], as_used["latency_ms"]["p99"],
             as_used["errors"]],
            ["saturated (wrk)", saturated["requests"], f"{saturated['requests_per_sec']:.1f}",
             saturated["latency_ms"]["p50"], saturated["latency_ms"].get("p95", "?"), saturated["latency_ms"]["p99"],
             saturated["errors"]]]
    print()
    print(format_table(["load", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"], rows))
    print()
    print(format_table(["part (as used)", "requests", "p50 ms", "p95 ms"],
                       [[part, v["requests"], v["p50"], v["p95"]] for part, v in as_used["by_part"].items()]))
    workers = args.workers or conf["workers"]
    threads = args.gunicorn_threads or conf["threads"]
    met = as_used["latency_ms"]["p95"] < TARGET_P95_MS
    print(f"\ntarget p95 < {TARGET_P95_MS} ms as used: {'met' if met else 'NOT MET'}"
          f" ({args.staff} staff, {args.reports} reports; gunicorn {conf['worker_class']} {workers}x{threads};"
          f" {machine['cores']} cores; {elapsed:.0f} s in all)")
    errors = as_used["errors"] + saturated["errors"]
    if errors:
        print(f"\nERRORS: {errors}; samples: {as_used['error_samples']}\nlast lines of the gunicorn log:\n{server_log}")
    data = {
        "benchmark": NAME, "issue": 6, "ok": errors == 0, "target_p95_ms": TARGET_P95_MS, "target_met": met,
        "machine": machine,
        "versions": {"gunicorn": package_version("gunicorn"), "django": package_version("django")},
        "parameters": {"staff": args.staff, "poll_s": args.poll, "duration_s": args.duration,
                       "reports": args.reports, "instructions": 60, "chronology_entries": 600,
                       "wrk_duration_s": args.wrk_duration,
                       "gunicorn": {"config": "deploy/gunicorn.conf.py", "worker_class": conf["worker_class"],
                                    "workers": workers, "threads": threads},
                       "app": {"TOKI_DEBUG": "0", "database": "SQLite (temporary, seed_demo + bench incident)"}},
        "prepare_s": prepare, "as_used": as_used, "saturated": saturated, "elapsed_s": round(elapsed, 1),
    }
    print(f"results: {write_results(NAME, data).relative_to(REPO)}")
    return 0 if errors == 0 and met else 1


if __name__ == "__main__":
    run_main(main)
