"""Shared-ride reminders the evening before (issue 19): N bookings of tomorrow, each rider linked to LINE, and the
reminder job (`toki.transport.rides.reminders.send_evening_reminders`, what `manage.py rides_remind` runs): the time
from the job's start until the local LINE server has accepted every reminder — N personal announcements planned in
notify (a Notification, a batch and a Delivery each, under its own dedupe key) and N multicasts of one recipient.

Reference in the same run: one Announcement to the same N people as district subscribers (the way alerts reach
them: one Notification, one batch, one multicast of N ids), through the same planner and transport.

A child process migrates a temporary SQLite database, loads the Sado profile and the rides demo, and writes the N
riders, their LINE subscribers and links, and their bookings for tomorrow (rows written directly: this measures the
reminders, not booking; bench/rides_booking.py measures that). The task backend is the immediate one (the sending
task runs in the job's process on commit, one request after another: the time is the serial cost, with no worker
queue in between); the local LINE server (in the child, its own thread) answers each request after --latency-ms.
The job is then run a second time: it must send nothing (each reminder once).

    .venv/bin/python bench/rides_reminders.py [--bookings 500] [--latency-ms 20]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from _common import REPO, BenchError, django_world, format_table, machine_info, run_main, write_results

NAME = "rides_reminders"
TOKEN = "bench-token"  # noqa: S105 - the local LINE server's made-up token


def child(bookings: int) -> dict:
    """In a process whose DATABASE_URL is an empty database and LINE_API_BASE_URL the local LINE server."""
    sys.path.insert(0, str(REPO))
    from toki.notify.line.localserver_process import LocalLineClient

    return _measure(LocalLineClient(os.environ["LINE_API_BASE_URL"]), bookings)


def _world(bookings: int):
    from datetime import datetime, time, timedelta

    municipality, _alice = django_world()  # Django set up, migrated, the profile loaded
    from django.utils import timezone

    from toki.notify.models import Category, Subscriber
    from toki.transport.rides.actions_line import CONSENT_VERSION
    from toki.transport.rides.demo import seed_rides_demo
    from toki.transport.rides.models import Booking, Rider, RiderLink

    ryotsu = seed_rides_demo(municipality)[0]
    district = ryotsu.district
    assert district is not None  # the demo's areas belong to their branch office's district
    tomorrow = timezone.localdate() + timedelta(days=1)
    points = list(ryotsu.points.order_by("pk"))
    vehicle = ryotsu.vehicles.first()
    subscribers = Subscriber.objects.bulk_create([
        Subscriber(municipality=municipality, channel="line", address=f"U{n:032x}", all_districts=False,
                   categories=[Category.NOTICES]) for n in range(1, bookings + 1)])
    Subscriber.districts.through.objects.bulk_create([
        Subscriber.districts.through(subscriber_id=s.pk, district_id=district.pk) for s in subscribers])
    riders = Rider.objects.bulk_create([
        Rider(municipality=municipality, area=ryotsu, name=f"利用者{n}", phone="0259-27-0000")
        for n in range(bookings)])
    now = timezone.now()
    RiderLink.objects.bulk_create([RiderLink(rider=r, subscriber=s, consented_at=now, consent_version=CONSENT_VERSION)
                                   for r, s in zip(riders, subscribers, strict=True)])
    rows = []
    for n, rider in enumerate(riders):
        origin, destination = points[n % len(points)], points[(n + 1) % len(points)]
        pickup = timezone.make_aware(datetime.combine(tomorrow, time(8 + n % 9, (n * 5) % 60)))
        rows.append(Booking(area=ryotsu, rider=rider, channel="line", status="accepted", service_date=tomorrow,
                            origin=origin, destination=destination, origin_lat=origin.lat, origin_lon=origin.lon,
                            destination_lat=destination.lat, destination_lon=destination.lon, earliest_pickup=pickup,
                            vehicle=vehicle, promised_pickup_from=pickup, planned_pickup=pickup,
                            promised_pickup_until=pickup + timedelta(minutes=15),
                            planned_dropoff=pickup + timedelta(minutes=12), fare_yen=200))
    Booking.objects.bulk_create(rows, batch_size=500)
    evening = timezone.make_aware(datetime.combine(tomorrow - timedelta(days=1), time(18, 30)))
    return municipality, district, evening


def _received(line) -> int:
    return sum(line.delivery_counts().values())


def _wait_for(line, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while _received(line) < count:
        if time.monotonic() > deadline:
            raise BenchError(f"the local LINE server got {_received(line)} of {count}")
        time.sleep(0.005)


def _warm_up(municipality, district, content) -> None:
    """One announcement to one subscriber of another district first: the LINE SDK's import (seconds) and the
    first connection are not counted in either figure."""
    from toki.notify.actions.planning import announce
    from toki.notify.announcements import Announcement, Category
    from toki.notify.models import Subscriber

    other = municipality.districts.exclude(pk=district.pk).first()
    warm = Subscriber.objects.create(municipality=municipality, channel="line", address="U" + "f" * 32,
                                     all_districts=False, categories=[Category.NOTICES])
    warm.districts.set([other])
    announce(Announcement(municipality_id=municipality.pk, dedupe_key="bench:warm-up", category=Category.NOTICES,
                          title="warm-up", texts={"ja": content}, district_codes=(other.code,)))


def _measure(line, bookings: int) -> dict:
    municipality, district, evening = _world(bookings)  # Django is set up from here on
    from toki.notify.actions.planning import announce
    from toki.notify.announcements import Announcement, Category, Content
    from toki.notify.models import Notification
    from toki.transport.rides.reminders import send_evening_reminders
    content = Content(language="ja", title="参照：お知らせ", short="参照：お知らせ", body="参照：お知らせ\n本文",
                      url="https://example.jp/")
    _warm_up(municipality, district, content)
    line.reset()
    start = time.perf_counter()
    announce(Announcement(municipality_id=municipality.pk, dedupe_key="bench:reference", category=Category.NOTICES,
                          title="参照", texts={"ja": content}, district_codes=(district.code,)))
    _wait_for(line, bookings)
    reference_s = time.perf_counter() - start
    reference_requests = sum(line.stats()["by_operation"].get("multicast", {}).values())
    reference_received = _received(line)

    line.reset()
    start = time.perf_counter()
    sent = send_evening_reminders(evening)
    _wait_for(line, bookings)
    reminders_s = time.perf_counter() - start
    stats = line.stats()
    received = line.delivery_counts()

    start = time.perf_counter()
    again = send_evening_reminders(evening)
    again_s = time.perf_counter() - start
    time.sleep(0.2)
    return {"bookings": bookings, "reference_s": reference_s, "reference_requests": reference_requests,
            "reminders_s": reminders_s, "reminders_planned": sent,
            "reminder_requests": sum(stats["by_operation"].get("multicast", {}).values()),
            "received_once": sum(1 for n in received.values() if n == 1), "received_twice_or_more":
            sum(1 for n in received.values() if n > 1), "second_run_sent": again, "second_run_s": again_s,
            "notifications": Notification.objects.filter(source_key__startswith="rides_reminder:").count(),
            "after_second_run": _received(line), "invalid": len(line.invalid_requests()),
            "reference_received": reference_received}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="the local LINE server's answer time")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.bookings)))
        return 0
    sys.path.insert(0, str(REPO))
    from toki.notify.line.localserver_process import LocalLineProcess

    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="toki-bench-reminders-") as tmp, \
            LocalLineProcess(token=TOKEN, latency_ms=args.latency_ms) as line:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "TOKI_TASKS": "immediate",
               "TOKI_VAR_DIR": f"{tmp}/var", "LOG_LEVEL": "ERROR", "DJANGO_SETTINGS_MODULE": "toki.settings",
               "LINE_API_BASE_URL": line.base_url, "LINE_API_DATA_BASE_URL": line.base_url,
               "LINE_CHANNEL_ACCESS_TOKEN": TOKEN}
        env.pop("REDIS_URL", None)
        done = subprocess.run([sys.executable, __file__, "--child", "--bookings", str(args.bookings)], env=env,
                              cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"the child failed:\n{done.stderr[-3000:]}")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    load_after = [round(x, 2) for x in os.getloadavg()]
    n = r["bookings"]
    rows = [
        ["reference: one Announcement to the N as district subscribers", f"{r['reference_s']:.2f} s",
         f"{r['reference_requests']} multicast"],
        ["evening reminders: N personal announcements", f"{r['reminders_s']:.2f} s",
         f"{r['reminder_requests']} multicasts"],
        ["per reminder", f"{r['reminders_s'] / n * 1000:.1f} ms", f"of which LINE's answer {args.latency_ms:g} ms"],
        ["job run again (nothing due)", f"{r['second_run_s']:.2f} s", f"{r['second_run_sent']} sent"],
        ["riders who received their reminder exactly once", f"{r['received_once']} of {n}",
         f"{r['received_twice_or_more']} twice or more"],
    ]
    print(f"\nEvening-before reminders, {n} bookings, local LINE server answering in {args.latency_ms:g} ms "
          f"({machine['cores']} cores, {machine['cpu']}; load average {machine['load_average_1_5_15']} before, "
          f"{load_after} after)\n")
    print(format_table(["figure", "time", "requests"], rows))
    print(f"results: {write_results(NAME, {'machine': machine, 'args': vars(args), **r}).relative_to(REPO)}")
    ok = (r["received_once"] == n and r["received_twice_or_more"] == 0 and r["second_run_sent"] == 0
          and r["invalid"] == 0 and r["after_second_run"] == n)
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
