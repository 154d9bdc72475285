"""Driver's tablet positions (issue 19): the time of one POST /rides/driver/position with N vehicles reporting, with
the running-late check (`actions.retime_from_position`: the vehicle's next stop estimated from the position, the
later stops re-timed when it cannot make it on time) against the same endpoint with the check left out (the
position recorded only, as before), in the same run.

    .venv/bin/python bench/rides_positions.py [--vehicles 20] [--rounds 30] [--late-share 0.25] [--stops 8]

A fresh SQLite database (migrate, seed_demo) in a temporary directory; requests go through the whole Django stack
(middleware, URLconf, the view) with Django's test client in this process, so the figure is the server's own work
per report, without a network or a web server in front. Written before the clock starts: N vehicles of 両津, each
with a tablet enrolled through its one-time code and today's plan of --stops stops (bookings between the area's
meeting points, the first pickup 10 minutes from the start, one stop every 10 minutes; a shift around now).

Each round, every vehicle reports once, the two ways one after the other (their order alternating round by round,
so a change in the machine's load touches both): "check off" (the reference: `retime_from_position` replaced by a
no-op) and "check on". --late-share of the vehicles are 12 km from their next stop and half a kilometre further at
each round (late by about half an hour and more each round: the check re-times and writes their plan at every
report, the worst case); the others report from their next stop, ahead of time (the check reads and writes
nothing). The first round warms up and is not counted. Every answer must be HTTP 202; afterwards every late
vehicle's plan must have been re-timed once per "check on" report and no on-time vehicle's plan written.
"""

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

from _common import REPO, BenchError, format_table, machine_info, percentile, run_main, write_results
from rides_driver_sync import setup_django  # the same demo database (and an open shelter, unused here)

NAME = "rides_positions"
KM = 1 / 111  # degrees of latitude in a kilometre


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--late-share", type=float, default=0.25, help="share of the vehicles running late")
    parser.add_argument("--stops", type=int, default=8, help="stops on each vehicle's plan (even)")
    return parser.parse_args(argv)


def vehicles_with_plans(count: int, stops: int) -> list:
    """`count` vehicles of 両津 with today's plan of `stops` stops, around now; each with an enrolled tablet."""
    from django.test import Client
    from django.utils import timezone

    from toki.accounts.models import User
    from toki.transport.rides import driver, plans
    from toki.transport.rides.models import Booking, ServiceArea, Vehicle, VehicleDay

    area = ServiceArea.objects.get(code="ryotsu")
    points = list(area.points.order_by("pk"))
    bob = User.objects.get(username="bob")
    now = timezone.now()
    start = now + timedelta(minutes=10)
    result = []
    for number in range(count):
        vehicle = Vehicle.objects.create(area=area, code=f"bench-{number}", name=f"ベンチ{number}号車", seats=8,
                                         depot_lat=points[0].lat, depot_lon=points[0].lon)
        trips = []
        for k in range(stops // 2):
            origin, destination = points[(number + k) % len(points)], points[(number + k + 1) % len(points)]
            pickup = start + timedelta(minutes=20 * k)
            trips.append(Booking(
                area=area, channel="phone", status="accepted", service_date=timezone.localdate(now), origin=origin,
                destination=destination, origin_lat=origin.lat, origin_lon=origin.lon,
                destination_lat=destination.lat, destination_lon=destination.lon, vehicle=vehicle,
                earliest_pickup=pickup, promised_pickup_from=pickup,
                promised_pickup_until=pickup + timedelta(minutes=area.pickup_window_minutes),
                planned_pickup=pickup, planned_dropoff=pickup + timedelta(minutes=10)))
        trips = Booking.objects.bulk_create(trips)
        route = []
        for k, booking in enumerate(trips):
            pickup = start + timedelta(minutes=20 * k)
            route += [plans.stop(booking, "pickup", pickup),
                      plans.stop(booking, "dropoff", pickup + timedelta(minutes=10))]
        VehicleDay.objects.create(vehicle=vehicle, day=timezone.localdate(now), start=now - timedelta(hours=1),
                                  end=now + timedelta(hours=8), stops=route)
        _code, secret = driver.create_enrolment(acting_user=bob, vehicle=vehicle)
        client = Client(HTTP_HOST="localhost")
        if client.post(f"/rides/driver/enrol/{secret}/").status_code != 302:
            raise BenchError("the tablet's enrolment failed")
        result.append((vehicle, client, (route[0]["lat"], route[0]["lon"])))
    return result


def post_position(client, lat: float, lon: float) -> float:
    from django.utils import timezone

    body = json.dumps({"lat": lat, "lon": lon, "measured_at": timezone.now().isoformat(), "accuracy": 10})
    started = time.perf_counter()
    response = client.post("/rides/driver/position", body, content_type="application/json")
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 202:
        raise BenchError(f"the position answered {response.status_code}: {response.content[:300]!r}")
    return elapsed


def summary(values: list[float]) -> list:
    return [len(values), f"{statistics.median(values):.1f}", f"{percentile(values, 95):.1f}", f"{max(values):.1f}"]


def load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> int:
    args = parse_args(sys.argv[1:])
    if args.stops % 2 or args.stops < 2 or args.vehicles < 1 or not 0 <= args.late_share <= 1:
        raise BenchError("--stops: an even number ≥ 2; --vehicles ≥ 1; --late-share from 0 to 1")
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="toki-bench-positions-") as tmp:
        print("preparing: migrate, seed_demo, the vehicles, their plans and tablets ...")
        setup_django(Path(tmp))
        from toki.transport.rides import actions
        from toki.transport.rides.models import VehicleDay

        fleet = vehicles_with_plans(args.vehicles, args.stops)
        late = math.ceil(args.vehicles * args.late_share)
        times: dict[str, list[float]] = {"off": [], "on": [], "on_time": [], "on_late": []}
        for number in range(args.rounds + 1):  # the first round warms up (imports, caches) and is not counted
            modes = ("off", "on") if number % 2 else ("on", "off")
            for mode in modes:
                for index, (_vehicle, client, (lat, lon)) in enumerate(fleet):
                    away = (12 + 0.5 * number) * KM if index < late else 0.0
                    if mode == "off":
                        with mock.patch.object(actions, "retime_from_position", return_value=False):
                            elapsed = post_position(client, lat + away, lon)
                    else:
                        elapsed = post_position(client, lat + away, lon)
                    if number:
                        times[mode].append(elapsed)
                        if mode == "on":
                            times["on_late" if index < late else "on_time"].append(elapsed)
        versions = {vd.vehicle_id: (vd.version, vd.expected_next)
                    for vd in VehicleDay.objects.filter(vehicle__in=[v for v, _c, _p in fleet])}
        for index, (vehicle, _client, _point) in enumerate(fleet):
            version, expected = versions[vehicle.pk]
            wanted = args.rounds + 1 if index < late else 0
            if version != wanted or bool(expected) != (index < late):
                raise BenchError(f"{vehicle.code}: plan version {version} (expected {wanted}), floor {expected}")
    load_after = load_average()
    rows = [["position recorded only (reference: check off)", *summary(times["off"])],
            ["position + running-late check", *summary(times["on"])]]
    if times["on_time"]:
        rows.append(["  of which on time (read, nothing written)", *summary(times["on_time"])])
    if times["on_late"]:
        rows.append(["  of which late (plan re-timed and written)", *summary(times["on_late"])])
    table = format_table([f"one report, {args.vehicles} vehicles", "reports", "p50 ms", "p95 ms", "max ms"], rows)
    print(table)
    print(f"load average: {load_before} at the start, {load_after} at the end")
    ratio = percentile(times["on"], 95) / percentile(times["off"], 95)
    print(f"p95 with the check ÷ without: {ratio:.2f}")
    path = write_results(NAME, {"machine": machine_info(), "vehicles": args.vehicles, "rounds": args.rounds,
                                "late_vehicles": late, "stops": args.stops, "ms": times, "table": table,
                                "load_average": {"start": load_before, "end": load_after}, "p95_ratio": ratio})
    print(f"results: {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    run_main(main)
