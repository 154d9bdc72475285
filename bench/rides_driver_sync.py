"""Driver's tablet sync (issue 19, deliverable 4): time per batch of 200 marks through POST /rides/driver/events,
against the shelter tablet's sync endpoint with 200 events in the same run.

    .venv/bin/python bench/rides_driver_sync.py [--batches 20] [--events 200]

A fresh SQLite database (migrate, seed_demo, open_demo_shelter) in a temporary directory; requests go through the
whole Django stack (middleware, URLconf, the views) with Django's test client in this process, so the figure is
the server's own work per batch, without a network or a web server in front.

- driver: a tablet enrolled through its one-time code for 両津1号車; per batch, 100 bookings of today on that
  vehicle (written beforehand, outside the clock) are marked boarded then dropped off — 200 events, each applied
  through the rides actions (row lock, audit record, domain event). Then the same batch again: 200 duplicates.
- reference: carol's shelter tablet, POST /api/v1/shelters/openings/{id}/events with 100 walk-in households
  (register_household) and their 100 check-ins — 200 events, the contract the driver's sync reuses.
The two kinds alternate batch by batch, so a change in the machine's load touches both. Every answer must be HTTP
200 with every event applied (or duplicate for the resend); the bookings must be completed afterwards.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _common import REPO, BenchError, format_table, machine_info, percentile, run_main, write_results

NAME = "rides_driver_sync"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--events", type=int, default=200, help="events per batch (even; at most 200)")
    return parser.parse_args(argv)


def setup_django(tmp: Path):
    os.environ.update({"DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}", "TOKI_VAR_DIR": str(tmp / "var"),
                       "DJANGO_SETTINGS_MODULE": "toki.settings", "LOG_LEVEL": "ERROR",
                       "ALLOWED_HOSTS": "localhost"})
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # The URLconf (and the API's schemas) built now: seed_demo backdates its KPI history under freezegun, whose
    # fake datetime class the API's schema builder would meet if the URLconf were first loaded then.
    from django.urls import resolve

    resolve("/api/v1/health")
    call_command("seed_demo", verbosity=0)
    call_command("open_demo_shelter", verbosity=0)


def driver_client():
    from django.test import Client

    from toki.transport.rides import driver
    from toki.transport.rides.models import Vehicle

    vehicle = Vehicle.objects.get(area__code="ryotsu", code="ryotsu-1")
    _code, secret = driver.create_enrolment(acting_user=_bob(), vehicle=vehicle)
    client = Client(HTTP_HOST="localhost")
    response = client.post(f"/rides/driver/enrol/{secret}/")
    if response.status_code != 302:
        raise BenchError(f"enrolment answered {response.status_code}")
    return client, vehicle


def _bob():
    from toki.accounts.models import User

    return User.objects.get(username="bob")


def bookings_for_batch(vehicle, count: int) -> list[int]:
    """`count` bookings of today on `vehicle`, accepted (outside the clock)."""
    from django.utils import timezone

    from toki.transport.rides.models import Booking

    point = vehicle.area.points.first()
    rows = [Booking(area=vehicle.area, channel="phone", status="accepted", service_date=timezone.localdate(),
                    origin=point, destination=point, origin_lat=point.lat, origin_lon=point.lon,
                    destination_lat=point.lat, destination_lon=point.lon, vehicle=vehicle) for _ in range(count)]
    return [b.pk for b in Booking.objects.bulk_create(rows)]


def driver_batch(booking_ids: list[int]) -> list[dict]:
    from datetime import timedelta

    from django.utils import timezone

    at = (timezone.now() - timedelta(minutes=1)).isoformat()
    events = []
    for kind in ("boarded", "dropped_off"):
        events += [{"id": str(uuid.uuid4()), "type": kind, "occurred_at": at, "payload": {"booking": pk}}
                   for pk in booking_ids]
    return events


def shelter_batch(count: int) -> list[dict]:
    from django.utils import timezone

    at = timezone.now().isoformat()
    events = []
    households = [str(uuid.uuid4()) for _ in range(count)]
    for household in households:
        events.append({"id": str(uuid.uuid4()), "type": "register_household", "occurred_at": at, "payload": {
            "household_id": household, "members": [{"id": str(uuid.uuid4()), "name_kana": "ベンチ ハナコ"}]}})
    events += [{"id": str(uuid.uuid4()), "type": "check_in", "occurred_at": at,
                "payload": {"household_id": household}} for household in households]
    return events


def timed_post(client, url: str, events: list[dict], expected: str) -> float:
    body = json.dumps({"device_id": "bench-tablet", "events": events})
    started = time.perf_counter()
    response = client.post(url, body, content_type="application/json")
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise BenchError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    statuses = {r["status"] for r in response.json()["results"]}
    if statuses != {expected}:
        raise BenchError(f"{url}: {statuses} (expected only {expected}): {response.json()['results'][:2]}")
    return elapsed


def summary(values: list[float], events: int) -> list:
    return [len(values), f"{statistics.median(values):.0f}", f"{percentile(values, 95):.0f}", f"{max(values):.0f}",
            f"{percentile(values, 95) / events:.2f}"]


def main() -> int:
    args = parse_args(sys.argv[1:])
    if args.events % 2 or not 2 <= args.events <= 200:
        raise BenchError("--events: an even number from 2 to 200")
    with tempfile.TemporaryDirectory(prefix="toki-bench-driver-") as tmp:
        print("preparing: migrate, seed_demo, open_demo_shelter ...")
        setup_django(Path(tmp))
        from django.test import Client

        from toki.accounts.models import User
        from toki.shelters.models import ShelterOpening
        from toki.transport.rides.models import Booking

        driver, vehicle = driver_client()
        shelter = Client(HTTP_HOST="localhost")
        shelter.force_login(User.objects.get(username="carol"))
        opening = ShelterOpening.objects.exclude(status="closed").order_by("pk").first()
        if opening is None:
            raise BenchError("open_demo_shelter opened nothing")
        shelter_url = f"/api/v1/shelters/openings/{opening.pk}/events"
        half = args.events // 2
        times: dict[str, list[float]] = {"driver": [], "driver_resent": [], "shelter": []}
        every_booking: list[int] = []
        for number in range(args.batches + 1):  # the first round warms up (imports, caches) and is not counted
            ids = bookings_for_batch(vehicle, half)
            every_booking += ids
            events = driver_batch(ids)
            measured = {"shelter": timed_post(shelter, shelter_url, shelter_batch(half), "applied"),
                        "driver": timed_post(driver, "/rides/driver/events", events, "applied"),
                        "driver_resent": timed_post(driver, "/rides/driver/events", events, "duplicate")}
            if number:
                for key, value in measured.items():
                    times[key].append(value)
        completed = Booking.objects.filter(pk__in=every_booking, status="completed").count()
        if completed != len(every_booking):
            raise BenchError(f"{completed} of {len(every_booking)} bookings completed")
    rows = [["driver marks (boarded + dropped off)", *summary(times["driver"], args.events)],
            ["driver marks sent again (duplicates)", *summary(times["driver_resent"], args.events)],
            ["reference: shelter walk-ins (register + check-in)", *summary(times["shelter"], args.events)]]
    table = format_table([f"batch of {args.events} events", "batches", "p50 ms", "p95 ms", "max ms",
                          "p95 ms per event"], rows)
    print(table)
    path = write_results(NAME, {"machine": machine_info(), "events_per_batch": args.events,
                                "batches": args.batches, "ms": times, "table": table})
    print(f"results: {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    run_main(main)
