"""Shared-ride bookings (issue 19): the booking API at a steady rate while the re-optimiser runs.

The app runs as in production (gunicorn with deploy/gunicorn.conf.py, TOKI_DEBUG=0) on its own fresh PostgreSQL
database (and/or SQLite) with the Sado demo (two areas, five vehicles); `manage.py rides_reoptimise --loop` runs
beside it the whole time (its own process at the lowest CPU priority, as deployed), with the task worker that
stores its results. An open-loop client (as shelter_checkin.py: latency counts from when a request was
due) POSTs /api/v1/rides/bookings as the HQ persona: random meeting points of a random area, a random earliest
pickup between 08:30 and 16:30 of one of the next five service days, 1–3 passengers. Reference in the same run:
GET /api/v1/health at the same rate (no session, no database).

Afterwards the database is checked: every accepted booking is on exactly one vehicle plan, no plan is ever over
its seats or wheelchair spaces (no seat sold twice), and every planned pickup lies inside the promised window (no
promise broken, after all the re-optimiser's rounds). Target: booking p95 under 200 ms.

    .venv/bin/python bench/rides_booking.py [--rate 20] [-d 30] [--engines postgres,sqlite]
"""

import argparse
import json
import random
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import sleep as pause
from zoneinfo import ZoneInfo

from _common import (
    REPO,
    BenchError,
    format_table,
    isolated_app_env,
    log_tail,
    machine_info,
    package_version,
    run_main,
    start_process,
    stop_process,
    wait_http,
    write_results,
)
from shelter_checkin import GUNICORN_CONF, Client, load, login, manage, pg_database, summary

NAME = "rides_booking"
TARGET_P95_MS = 200.0
PORTS = {"sqlite": 18420, "postgres": 18421}
TOKYO = ZoneInfo("Asia/Tokyo")
TRACE_CONF = REPO / "bench" / "_gunicorn_trace.py"
POINTS = {
    "ryotsu": ["ryotsu-office", "ryotsu-hospital", "aiport", "ryotsu-gym", "ryotsu-jhs", "yoshii-es",
               "kanai-east-cc", "ryotsu-fire"],
    "aikawa": ["aikawa-office", "aikawa-centre", "aikawa-gym", "aikawa-es", "aikawa-jhs", "tenjin-park"],
}
CHECK = """
import json
from datetime import datetime, timedelta
from toki.accounts.models import AuditEvent
from toki.transport.rides.models import Booking, VehicleDay
over, missing, broken = [], [], []
accepted = set(Booking.objects.filter(status="accepted").values_list("pk", flat=True))
seen = []
for vd in VehicleDay.objects.select_related("vehicle"):
    seats = chairs = 0
    for s in vd.stops:
        sign = 1 if s["kind"] == "pickup" else -1
        seats += sign * (s["pax"] - s["wheelchairs"]); chairs += sign * s["wheelchairs"]
        if seats > vd.vehicle.seats or chairs > vd.vehicle.wheelchair_spaces:
            over.append(vd.pk)
        if s["kind"] == "pickup":
            seen.append(s["booking"])
slack = timedelta(seconds=1)
for b in Booking.objects.filter(status="accepted"):
    if not (b.promised_pickup_from - slack <= b.planned_pickup <= b.promised_pickup_until + slack):
        broken.append(b.pk)
print(json.dumps({"accepted": len(accepted), "rejected": Booking.objects.filter(status="rejected").count(),
                  "on_plans": len(seen), "on_two_plans_or_missing": sorted(set(seen) ^ accepted) + [
                      p for p in set(seen) if seen.count(p) > 1],
                  "over_capacity_plans": sorted(set(over)), "broken_promises": broken,
                  "reoptimiser_writes": AuditEvent.objects.filter(action="rides.plans_improved").count()}))
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20, help="bookings per second (default 20)")
    parser.add_argument("-d", "--duration", type=float, default=30, help="seconds of load (default 30)")
    parser.add_argument("--engines", default="postgres", help="comma-separated: postgres, sqlite")
    parser.add_argument("--reoptimise-seconds", type=float, default=1.0, help="search time per area and day")
    parser.add_argument("--reoptimise-interval", type=float, default=2.0, help="seconds between re-optimiser rounds")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/toki_rides_bench")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--trace", type=Path, default=None,  # kept as text in the results file
                        help="keep each request's wall and CPU time (bench/_gunicorn_trace.py) in this directory")
    return parser.parse_args(argv)


def service_days(count: int = 5) -> list[date]:
    """The next `count` days the demo runs (Monday to Saturday), from tomorrow: the booking rule opens 7 days."""
    days: list[date] = []
    day = datetime.now(TOKYO).date()
    while len(days) < count:
        day += timedelta(days=1)
        if day.isoweekday() != 7:
            days.append(day)
    return days


def requests_for(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    days = service_days()
    out = []
    for _ in range(count):
        day = rng.choice(days)
        area = rng.choice(sorted(POINTS))
        origin, destination = rng.sample(POINTS[area], 2)
        minutes = rng.randrange(8 * 60 + 30, 16 * 60 + 30, 5)
        when = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=TOKYO)
        out.append({"area": area, "origin": origin, "destination": destination,
                    "earliest_pickup": when.isoformat(), "passengers": rng.choice([1, 1, 1, 2, 2, 3])})
    return out


class BookingClient(Client):
    def book(self, body: dict) -> tuple[int, str]:
        status, data = self._request("POST", "/api/v1/rides/bookings", json.dumps(body), self.headers)
        if status != 200:
            return status, data[:200].decode(errors="replace")
        return 200, "answered" if json.loads(data)["status"] in ("accepted", "rejected") else "?"


def run_engine(engine: str, args) -> dict:
    count = int(args.rate * args.duration)
    with tempfile.TemporaryDirectory(prefix=f"toki-bench-rides-{engine}-") as tmp_name:
        tmp = Path(tmp_name)
        extra = {"ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "STATIC_ROOT": str(tmp / "static"),
                 "LOG_LEVEL": "WARNING", "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{PORTS[engine]}",
                 "TOKI_RIDES_REOPTIMISE_SECONDS": str(int(max(1, args.reoptimise_seconds)))}
        if engine == "postgres":
            pg_database(args.pg_url, "create")
            extra["DATABASE_URL"] = args.pg_url
        env = isolated_app_env(tmp, **extra)
        gunicorn = reoptimiser = worker = None
        try:
            print(f"[{engine}] preparing: migrate, seed_demo ...")
            manage(env, "compile_translations")
            manage(env, "migrate", "--no-input")
            manage(env, "rides_prepare_solver")  # as a deploy does: the workers load the compiled kernel
            manage(env, "seed_demo")
            manage(env, "collectstatic", "--no-input")
            port = PORTS[engine]
            log = tmp / "gunicorn.log"
            conf = GUNICORN_CONF
            if args.trace is not None:
                args.trace.mkdir(parents=True, exist_ok=True)
                env["TOKI_BENCH_TRACE"] = str(args.trace / f"{engine}-requests.jsonl")
                Path(env["TOKI_BENCH_TRACE"]).unlink(missing_ok=True)
                conf = TRACE_CONF
            gunicorn = start_process([sys.executable, "-m", "gunicorn", "-c", str(conf), "--bind",
                                      f"127.0.0.1:{port}"], log_path=log, env=env)
            wait_http(port, gunicorn, log, "/api/v1/health")
            worker_log = tmp / "worker.log"  # stores the re-optimiser's results, as in production
            worker = start_process([sys.executable, "manage.py", "run_worker"], log_path=worker_log, env=env)
            reopt_log = tmp / "reoptimise.log"
            reoptimiser = start_process([sys.executable, "manage.py", "rides_reoptimise", "--loop",
                                         "--interval", str(args.reoptimise_interval),
                                         "--seconds", str(args.reoptimise_seconds), "-v", "2"],
                                        log_path=reopt_log, env=env)
            cookies = login(port, "alice")
            client = BookingClient(port, cookies, None)
            print(f"[{engine}] reference (health) and {count} bookings at {args.rate:g}/s ...")
            reference = summary(load(client.health, [None] * count, args.rate, args.duration), "ok")
            asked = requests_for(count, args.seed)
            answered = load(client.book, asked, args.rate, args.duration)
            bookings = summary(answered, "answered")
            if args.trace is not None:
                (args.trace / f"{engine}-client.json").write_text(json.dumps(
                    [{**request, **result} for request, result in zip(asked, answered, strict=False)]))
            if gunicorn.poll() is not None:
                raise BenchError(f"gunicorn exited during the run:\n{log_tail(log)}")
            if reoptimiser.poll() is not None:
                raise BenchError(f"the re-optimiser exited during the run:\n{log_tail(reopt_log)}")
            stop_process(reoptimiser)
            reoptimiser = None
            pause(3)  # the worker stores the last results handed to it
            stop_process(worker)
            worker = None
            check = json.loads(manage(env, "shell", "-c", CHECK).strip().splitlines()[-1])
            rounds = sum(1 for line in reopt_log.read_text().splitlines() if line.startswith("rides_reoptimise:"))
            if args.trace is not None:
                (args.trace / f"{engine}-reoptimise.log").write_text(reopt_log.read_text())
        finally:
            stop_process(reoptimiser)
            stop_process(worker)
            stop_process(gunicorn)
            if engine == "postgres":
                pg_database(args.pg_url, "drop")
    return {"engine": engine, "reference": reference, "bookings": bookings, "check": check,
            "reoptimiser_rounds_logged": rounds}


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    results = [run_engine(engine.strip(), args) for engine in args.engines.split(",") if engine.strip()]
    rows = []
    ok = True
    for r in results:
        check, lat, ref = r["check"], r["bookings"]["latency_ms"], r["reference"]["latency_ms"]
        safe = not (check["over_capacity_plans"] or check["broken_promises"] or check["on_two_plans_or_missing"])
        ok = ok and safe and lat["p95"] < TARGET_P95_MS and r["bookings"]["errors"] == 0
        rows.append([r["engine"], r["bookings"]["requests"], r["bookings"]["errors"], lat["p50"], lat["p95"],
                     lat["max"], ref["p95"], check["accepted"], check["rejected"], check["reoptimiser_writes"],
                     "yes" if safe else "NO"])
    print(format_table(["engine", "bookings", "errors", "p50 ms", "p95 ms", "max ms", "health p95 ms", "accepted",
                        "refused", "re-opt writes", "seats & promises kept"], rows))
    parameters = {**vars(args), "trace": str(args.trace) if args.trace else None}
    path = write_results(NAME, {"target_p95_ms": TARGET_P95_MS, "parameters": parameters, "results": results,
                                "versions": {"gunicorn": package_version("gunicorn")}, "machine": machine_info()})
    print(f"results: {path.relative_to(REPO)}")
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
