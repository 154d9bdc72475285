"""The plan's KPIs (issue 18): recompute every measured KPI for five fiscal years over a large history, and the
public KPI page, uncached and cached.

A child process per database (a temporary SQLite file; PostgreSQL too with --postgres URL) migrates a fresh
database, loads the Sado profile, personas and plan, then writes five fiscal years (FY2023–2027) of history in
the form Toki keeps it:

    portal     20,000,000 page views (daily counts per page group: the portal never keeps a row per view),
               the daily visitor counts, 200,000 visitor keys of the last two days not yet folded, 50,000 survey
               answers
    LINE       50,000 subscribers (5,000 of them left), 400 warnings/orders announced with 100 batches each
    HQ         50 real incidents with 100 acknowledged instructions and 20 chronology entries each, 200,000
               audit events
    shelters   10 openings with 10,000 people checked in

and times `refresh_computed_results` for FY2023–2027 (the hourly `kpi_refresh`) twice: the first run writes every
figure, the second finds nothing changed. Beside it, in the same process, the reference: one aggregate query per
source table (the least any recompute must read). Memory: the peak of Python allocations during the recompute
(tracemalloc) and the process's maximum resident size.

Then the public KPI page `/kpi/` through Django's test client: p50/p95 of 40 requests with the plan-table cache
cleared before each (uncached), and of 40 with it warm (cached), beside `/api/v1/health` (a trivial view).
Targets: recompute under 10 s on each database; the page under 500 ms uncached and 100 ms cached (p95).

    .venv/bin/python bench/kpi_recompute.py [--postgres postgres://…/toki_bench_kpi]
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _common import (
    REPO,
    BenchError,
    django_world,
    format_table,
    fresh_postgres,
    machine_info,
    percentile,
    run_main,
    write_results,
)

NAME = "kpi_recompute"
FIRST_DAY, LAST_DAY = date(2023, 4, 1), date(2028, 3, 31)
TODAY = LAST_DAY
PAGE_VIEWS = 20_000_000
TARGET_RECOMPUTE_S = 10.0
TARGET_UNCACHED_MS, TARGET_CACHED_MS = 500.0, 100.0
REQUESTS = 40


def _days():
    day = FIRST_DAY
    while day <= LAST_DAY:
        yield day
        day += timedelta(days=1)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), tzinfo=UTC)


def seed_portal(rng: random.Random) -> dict:
    from toki.portal.models import PATH_GROUPS, DailyVisitorCount, PageViewCount, SurveyAnswer, VisitorDay

    days = list(_days())
    per_day = PAGE_VIEWS // len(days)
    views, visitors, total = [], [], 0
    for index, day in enumerate(days):
        count = per_day + (PAGE_VIEWS - per_day * len(days) if index == 0 else 0)
        share = count // len(PATH_GROUPS)
        for position, group in enumerate(PATH_GROUPS):
            part = share + (count - share * len(PATH_GROUPS) if position == 0 else 0)
            views.append(PageViewCount(day=day, path_group=group, views=part))
            total += part
        if day < LAST_DAY - timedelta(days=1):
            visitors.append(DailyVisitorCount(day=day, unique_visitors=count // 3, repeat_visitors=count // 10))
    PageViewCount.objects.bulk_create(views, batch_size=5000)
    DailyVisitorCount.objects.bulk_create(visitors, batch_size=5000)
    keys = [VisitorDay(day=LAST_DAY - timedelta(days=n % 2), visitor_hash=uuid.uuid4().hex,
                       first_seen=_at(LAST_DAY, rng), is_repeat=n % 4 == 0) for n in range(200_000)]
    VisitorDay.objects.bulk_create(keys, batch_size=5000)
    answers = [SurveyAnswer(day=rng.choice(days), visitor_hash=uuid.uuid4().hex, rating=rng.randint(1, 5))
               for _ in range(50_000)]
    SurveyAnswer.objects.bulk_create(answers, batch_size=5000)
    return {"page_view_rows": len(views), "page_views": total, "visitor_keys": len(keys), "survey": len(answers)}


def seed_line(municipality, rng: random.Random) -> dict:
    from toki.notify.models import Category, Channel, DeliveryBatch, DeliveryState, Notification, Subscriber

    days = list(_days())
    subscribers = []
    for n in range(50_000):
        joined = _at(rng.choice(days), rng)
        left = joined + timedelta(days=rng.randint(1, 300)) if n % 10 == 0 else None
        subscribers.append(Subscriber(municipality=municipality, channel=Channel.LINE, address=f"U{n:032x}",
                                      followed_at=joined, unfollowed_at=left, is_active=left is None))
    Subscriber.objects.bulk_create(subscribers, batch_size=5000)
    notifications = Notification.objects.bulk_create([
        Notification(municipality=municipality, source_key=f"bench:{n}", category=rng.choice(
            (Category.WARNINGS, Category.EVACUATION_ORDERS, Category.QUAKE_TSUNAMI)), title=f"bench {n}",
            recipients=50_000) for n in range(400)], batch_size=400)
    planned = {}
    for notification in notifications:
        planned[notification.pk] = _at(rng.choice(days), rng)
        Notification.objects.filter(pk=notification.pk).update(planned_at=planned[notification.pk])
    batches = [DeliveryBatch(notification=notification, channel=Channel.LINE, language="ja", messages=[], size=500,
                             retry_key=uuid.uuid4(), state=DeliveryState.ACCEPTED,
                             finished_at=planned[notification.pk] + timedelta(seconds=rng.randint(5, 900)))
               for notification in notifications for _ in range(100)]
    DeliveryBatch.objects.bulk_create(batches, batch_size=5000)
    return {"subscribers": len(subscribers), "announcements": len(notifications), "batches": len(batches)}


def seed_hq(municipality, alice, rng: random.Random) -> dict:
    from toki.accounts.models import AuditEvent, OrgUnit
    from toki.hq.models import ChronologyEntry, Incident, Instruction

    days = list(_days())
    incidents = Incident.objects.bulk_create([
        Incident(municipality=municipality, name=f"bench {n}", kind="heavy_rain", started_at=started,
                 ended_at=started + timedelta(days=3), created_by=alice)
        for n, started in enumerate(_at(rng.choice(days), rng) for _ in range(50))])
    branch = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH_OFFICE).first()
    instructions, entries = [], []
    for incident in incidents:
        for n in range(100):
            issued = incident.started_at + timedelta(minutes=n)
            instructions.append(Instruction(incident=incident, title=f"指示 {n}", to_org_unit=branch, issued_at=issued,
                                            issued_by=alice, status=Instruction.Status.ACKNOWLEDGED,
                                            acknowledged_at=issued + timedelta(minutes=rng.randint(1, 40)),
                                            acknowledged_by=alice))
        entries += [ChronologyEntry(incident=incident, at=incident.started_at + timedelta(minutes=n), content="記録",
                                    created_by=alice) for n in range(20)]
    Instruction.objects.bulk_create(instructions, batch_size=5000)
    ChronologyEntry.objects.bulk_create(entries, batch_size=5000)
    events = [AuditEvent(actor_id=alice.pk, action="bench", object_type="bench", object_id=str(n), changes={})
              for n in range(200_000)]
    AuditEvent.objects.bulk_create(events, batch_size=5000)
    return {"incidents": len(incidents), "instructions": len(instructions), "chronology": len(entries),
            "audit_events": len(events)}


def seed_shelters(municipality, alice, rng: random.Random) -> dict:
    from django.core.management import call_command

    from toki.hq.actions.incidents import open_incident
    from toki.shelters.actions.openings import open_shelter
    from toki.shelters.models import Household, Member, Registration, Shelter

    data = REPO / "toki" / "demo" / "data"
    call_command("import_shelters", str(data / "shitei_hinanjo_152242.geojson"), no_progress=True, verbosity=0)
    incident = open_incident(acting_user=alice, municipality=municipality, name="bench shelters", kind="earthquake")
    shelters = list(Shelter.objects.filter(municipality=municipality, district__isnull=False).order_by("pk")[:10])
    openings = [open_shelter(acting_user=alice, shelter=shelter, incident=incident) for shelter in shelters]
    households, members, registrations = [], [], []
    now = datetime.now(tz=UTC)
    for n in range(10_000):
        opening = openings[n % len(openings)]
        household = Household(municipality=municipality, source=Household.Source.DESK, registered_opening=opening)
        member = Member(household=household, name=f"避難者 {n}")
        households.append(household)
        members.append(member)
        registrations.append(Registration(opening=opening, household=household, member=member,
                                          state=Registration.State.CHECKED_IN, state_at=now, checked_in_at=now))
    Household.objects.bulk_create(households, batch_size=2000)
    Member.objects.bulk_create(members, batch_size=2000)
    Registration.objects.bulk_create(registrations, batch_size=2000)
    return {"openings": len(openings), "checked_in": len(registrations)}


def reference_reads() -> float:
    """The floor: one aggregate per source table the providers read."""
    from django.db.models import Count, Max, Sum

    from toki.accounts.models import AuditEvent
    from toki.hq.models import Instruction
    from toki.notify.models import DeliveryBatch, Subscriber
    from toki.portal.models import DailyVisitorCount, PageViewCount, SurveyAnswer
    from toki.shelters.models import Registration

    started = time.perf_counter()
    PageViewCount.objects.aggregate(Sum("views"))
    DailyVisitorCount.objects.aggregate(Sum("unique_visitors"), Sum("repeat_visitors"))
    SurveyAnswer.objects.aggregate(Count("id"))
    Subscriber.objects.aggregate(Count("id"))
    DeliveryBatch.objects.aggregate(Max("finished_at"))
    Instruction.objects.aggregate(Count("id"))
    AuditEvent.objects.aggregate(Count("actor_id"))
    Registration.objects.aggregate(Count("id"))
    return time.perf_counter() - started


def time_pages(client) -> dict:
    from django.core.cache import cache

    def timed(path: str, clear: bool) -> list[float]:
        found = []
        for _ in range(REQUESTS):
            if clear:
                cache.clear()
            started = time.perf_counter()
            response = client.get(path, secure=True)
            found.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise BenchError(f"{path} answered {response.status_code}")
        return found

    figures = {}
    for label, path, clear in (("trivial view (/api/v1/health)", "/api/v1/health", False),
                               ("/kpi/ uncached", "/kpi/", True), ("/kpi/ cached", "/kpi/", False)):
        values = timed(path, clear)
        figures[label] = {"p50": percentile(values, 50), "p95": percentile(values, 95)}
    return figures


def child() -> dict:
    municipality, alice = django_world()
    from django.db import connection
    from django.test import Client

    from toki.demo.kpi import create_kpi_demo
    from toki.kpi.actions import refresh_computed_results
    from toki.kpi.models import Result

    plan, _owner = create_kpi_demo("bench-password-not-secret-1")
    rng = random.Random(18)
    started = time.perf_counter()
    volumes = {"portal": seed_portal(rng), "line": seed_line(municipality, rng),
               "hq": seed_hq(municipality, alice, rng), "shelters": seed_shelters(municipality, alice, rng)}
    seeding_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    reference_s = reference_reads()
    years = list(range(2023, 2028))
    from toki.kpi import providers

    per_metric: dict[str, float] = {}
    measure_one = providers.measure

    def timed_measure(key, *args):
        began = time.perf_counter()
        try:
            return measure_one(key, *args)
        finally:
            per_metric[key] = per_metric.get(key, 0.0) + time.perf_counter() - began

    providers.measure = timed_measure
    tracemalloc.start()
    started = time.perf_counter()
    report = refresh_computed_results(plan, today=TODAY, years=years)
    first_s = time.perf_counter() - started
    peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    written = Result.objects.count()
    started = time.perf_counter()
    refresh_computed_results(plan, today=TODAY, years=years)
    second_s = time.perf_counter() - started
    measured = sum(1 for figures in report.values() for value in figures.values()
                   if value.replace(".", "", 1).lstrip("-").isdigit())
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # production mode serves hashed names
    pages = time_pages(Client())
    return {
        "backend": connection.vendor, "volumes": volumes, "seeding_s": seeding_s, "reference_s": reference_s,
        "recompute_first_s": first_s, "recompute_again_s": second_s, "results_written": written,
        "figures_measured": measured, "figures_missing": {code: {y: v for y, v in figures.items()
                                                                  if not v.replace(".", "", 1).lstrip("-").isdigit()}
                                                           for code, figures in report.items()},
        "seconds_per_metric": {key: round(value, 3) for key, value in sorted(per_metric.items(),
                                                                              key=lambda item: -item[1])},
        "python_peak_mb": peak_mb, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pages_ms": pages,
    }


def measure(database_url: str, tmp: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "TOKI_TASKS": "immediate", "LOG_LEVEL": "WARNING",
           "TOKI_VAR_DIR": tmp, "STATIC_ROOT": str(Path(tmp) / "static"), "TOKI_DEBUG": "0",
           "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "testserver"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, __file__, "--child"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=3600)
    if done.returncode != 0:
        raise BenchError(f"the {database_url.split(':')[0]} run failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="", help="also on PostgreSQL: a database URL it may drop and create")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(), default=str))
        return 0
    machine = machine_info()
    results = []
    with tempfile.TemporaryDirectory(prefix="toki-bench-kpi-") as tmp:
        results.append(measure(f"sqlite:///{Path(tmp) / 'kpi.sqlite3'}", tmp))
        if args.postgres:
            results.append(measure(fresh_postgres(args.postgres), tmp))
    ok, rows = True, []
    for r in results:
        pages = r["pages_ms"]
        rows.append([r["backend"], f"{r['reference_s']:.3f}", f"{r['recompute_first_s']:.2f}",
                     f"{r['recompute_again_s']:.2f}", r["figures_measured"], f"{r['python_peak_mb']:.1f}",
                     f"{r['max_rss_mb']:.0f}",
                     f"{pages['trivial view (/api/v1/health)']['p95']:.1f}",
                     f"{pages['/kpi/ uncached']['p50']:.0f} / {pages['/kpi/ uncached']['p95']:.0f}",
                     f"{pages['/kpi/ cached']['p50']:.1f} / {pages['/kpi/ cached']['p95']:.1f}"])
        ok &= r["recompute_first_s"] < TARGET_RECOMPUTE_S and r["recompute_again_s"] < TARGET_RECOMPUTE_S
        ok &= pages["/kpi/ uncached"]["p95"] < TARGET_UNCACHED_MS and pages["/kpi/ cached"]["p95"] < TARGET_CACHED_MS
    print(format_table(["database", "reference reads s", "recompute s", "again s", "figures", "py peak MB",
                        "max RSS MB", "trivial p95 ms", "/kpi/ uncached p50/p95 ms", "/kpi/ cached p50/p95 ms"],
                       rows))
    for r in results:
        print(f"{r['backend']}: seconds per metric (first run): {r['seconds_per_metric']}")
        print(f"{r['backend']}: volumes {r['volumes']}; seeding {r['seeding_s']:.0f}s; not measured: "
              f"{ {k: v for k, v in r['figures_missing'].items() if v} }")
    path = write_results(NAME, {"machine": machine, "results": results, "ok": ok})
    print(f"results: {path.relative_to(REPO)}; {'OK' if ok else 'TARGET MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
