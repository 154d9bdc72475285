"""GTFS-Realtime for 50 vehicles (issue 20): what regenerating the feeds every 5 s costs, as a share of one core.

A child process migrates a fresh SQLite database, loads the Sado profile and the DEMO GTFS-JP feed, registers 50
vehicles and gives each a position on a trip (with a delay, so TripUpdates have 50 entities) and opens two
service alerts (an evacuation order in 相川 through the real action and the suspension rules; TripUpdates then
also marks the suspended routes' trips still to run that day CANCELED, when the run is in their service hours).
Then, interleaved round by round in the same run, it
times (CPU time of the process, `time.process_time`):

    reference     serialising the same three FeedMessages from objects already in memory (no database): the
                  protobuf work alone, what any implementation must pay
    regenerate    what Toki does every 5 s: the three feeds built from the database (`realtime.FEEDS`: the
                  queries, the objects, the protobuf)
    ingest 50     50 position reports through the real endpoint (URLconf, bearer token, JSON checks, one
                  transaction each), i.e. every vehicle reporting once per 5 s

Figures: CPU ms per regeneration (median, p95), and the share of one core at one regeneration every 5 s
(median CPU ÷ 5 s). Target: regenerate < 5 % of one core; the ingest figure is shown beside it.

    .venv/bin/python bench/gtfs_rt.py [--rounds 40]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, BenchError, django_world, format_table, machine_info, percentile, run_main, write_results

NAME = "gtfs_rt"
VEHICLES = 50
PERIOD_S = 5.0
TARGET_SHARE = 0.05


def _cpu_ms(function) -> float:
    start = time.process_time()
    function()
    return (time.process_time() - start) * 1000


def child(rounds: int) -> dict:
    municipality, alice = django_world()
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from toki.alerts.actions.orders import issue_evacuation_order
    from toki.transport.transit import realtime
    from toki.transport.transit.actions import register_vehicle
    from toki.transport.transit.service_alerts import load_suspension_rules, refresh_service_alerts
    from toki.transport.transit.tests.helpers import RULES, load_demo

    feed = load_demo(municipality)
    load_suspension_rules(acting_user=None, municipality=municipality, text=RULES.read_text())
    issue_evacuation_order(acting_user=alice, districts=[municipality.districts.get(code="aikawa")], level=4,
                           hazard="flood", reason="bench")
    refresh_service_alerts(municipality)  # what the subscriber does after the commit
    trips = list(feed.trips.values_list("gtfs_id", flat=True))
    tokens = [register_vehicle(acting_user=None, municipality=municipality, gtfs_id=f"bench-{n:02d}",
                               label=f"bench {n}")[1] for n in range(VEHICLES)]
    client, url = Client(HTTP_HOST="localhost"), reverse("transit:vehicle_position")

    def ingest():
        now = timezone.now().isoformat()
        for n, token in enumerate(tokens):
            response = client.post(url, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
                                   data=json.dumps({"lat": 38.0 + n / 1000, "lon": 138.3, "measured_at": now,
                                                    "trip_id": trips[n % len(trips)], "delay": 60 + n,
                                                    "bearing": 90.0, "speed": 8.0, "stop_sequence": 2}))
            if response.status_code != 202:
                raise RuntimeError(f"report refused: {response.status_code} {response.content[:200]!r}")

    ingest()
    cache.clear()

    def regenerate() -> list[bytes]:
        return [build(municipality) for build in realtime.FEEDS.values()]

    bodies = regenerate()
    # The reference: the same messages parsed once into memory, then serialised again and again.
    from google.transit import gtfs_realtime_pb2 as rt

    messages = []
    for body in bodies:
        message = rt.FeedMessage()
        message.ParseFromString(body)
        messages.append(message)
    counts = [len(m.entity) for m in messages]
    if counts[0] != VEHICLES or counts[1] < VEHICLES or counts[2] != 2:  # trip updates: + the cancelled trips
        raise RuntimeError(f"unexpected entity counts {counts}")

    def reference():
        for message in messages:
            message.SerializeToString()

    timings: dict[str, list[float]] = {"reference": [], "regenerate": [], "ingest 50": []}
    for _ in range(rounds):
        timings["reference"].append(_cpu_ms(reference))
        timings["regenerate"].append(_cpu_ms(regenerate))
        timings["ingest 50"].append(_cpu_ms(ingest))
    return {"rounds": rounds, "entities": counts, "bytes": [len(b) for b in bodies],
            "cpu_ms": {k: {"median": statistics.median(v), "p95": percentile(v, 95)} for k, v in timings.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.rounds)))
        return 0
    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="toki-bench-gtfs-rt-") as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'rt.sqlite3'}", "TOKI_TASKS": "db",
               "LOG_LEVEL": "WARNING", "TOKI_VAR_DIR": tmp}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        done = subprocess.run([sys.executable, __file__, "--child", "--rounds", str(args.rounds)], cwd=REPO,
                              env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise BenchError(f"the run failed: {done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    rows = []
    for variant, figures in result["cpu_ms"].items():
        share = figures["median"] / 1000 / PERIOD_S
        rows.append([variant, f"{figures['median']:.2f}", f"{figures['p95']:.2f}", f"{share * 100:.2f} %"])
    print(format_table(["work every 5 s", "CPU ms median", "CPU ms p95", "share of one core"], rows))
    regenerate = result["cpu_ms"]["regenerate"]["median"] / 1000 / PERIOD_S
    ok = regenerate < TARGET_SHARE
    print(f"{result['rounds']} rounds; entities (vehicles, trip updates, alerts) {result['entities']}, "
          f"bytes {result['bytes']}; load average at the start {machine['load_average_1_5_15']}, "
          f"{machine['cores']} cores (shared machine)")
    path = write_results(NAME, {"machine": machine, "result": result, "target_share": TARGET_SHARE, "ok": ok})
    print(f"results: {path.relative_to(REPO)}; {'OK' if ok else 'TARGET MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
