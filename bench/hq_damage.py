"""Damage reports (issue 6): the live 第4号様式 aggregate over 10,000 reports, and the Excel 第N報.

For each database (SQLite, and PostgreSQL when reachable) a fresh Toki is migrated and seeded (Sado profile,
personas, the FDMA definition), and one incident gets --reports damage reports spread over the ten districts:
mixed categories (casualties, housing, roads, farmland, losses), a fifth of them corrected once (so the
aggregate must skip superseded versions), and lifeline reports (power, water, telephone) with several versions
over time (so the peaks have a real time series). Rows are written with bulk_create in the shape the actions
write them (versions, DamageCount rows with is_current), then the denormalised totals and lifeline levels are
rebuilt (`totals.rebuild`, what `manage.py rebuild_damage_totals` runs); filing one report through the action
is measured separately ("file one report": the incremental upkeep of those tables).

Measured in the same process, each --repeat times (median and worst):

    live aggregate   toki.hq.damage.selectors.live_aggregate(incident)         target < 200 ms
    aggregate+src    the same with sources (what issuing a 第N報 computes)
    file one report  actions.file_report of a back-dated power outage (keeps the totals and levels current)
    issue 第N報      actions.issue_report (aggregate with sources, snapshot, M2M of versions, audit)
    Excel 第N報      excel.workbook_bytes from the issued snapshot              target < 2 s
    floor            SELECT SUM(value) over the incident's current count rows: the least a query-time
                     aggregate could cost, the reference measured in the same run

    .venv/bin/python bench/hq_damage.py [--reports 10000] [--repeat 15] [--skip-postgres]
        [--pg-url postgres://postgres@127.0.0.1:5432/toki_hq_damage_bench]
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    REPO,
    BenchError,
    django_world,
    format_table,
    isolated_app_env,
    machine_info,
    run_main,
    write_results,
)

NAME = "hq_damage"
TARGET_AGGREGATE_MS = 200
TARGET_EXCEL_MS = 2000
PG_URL = "postgres://postgres@127.0.0.1:5432/toki_hq_damage_bench"


def _timed(function, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def _populate(incident, user, reports: int, seed: int) -> dict:
    """Write `reports` reports (with corrections and lifeline series) through bulk_create; return counts."""
    from datetime import timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from toki.hq.damage.models import DamageCount, DamageReport, DamageReportVersion
    from toki.hq.damage.selectors import active_definition

    rng = random.Random(seed)
    definition = active_definition()
    districts = list(incident.municipality.districts.order_by("sort_order"))
    plans = [("casualties", ["casualties_dead", "casualties_injured_serious", "casualties_injured_minor"]),
             ("housing", ["housing_total_collapse_buildings", "housing_total_collapse_households",
                          "housing_half_collapse_households", "housing_flood_above_floor_households",
                          "housing_flood_above_floor_persons", "housing_partial_damage_buildings"]),
             ("roads", ["sites_roads", "sites_bridges", "sites_slope_failures"]),
             ("farmland", ["paddy_submerged_ha", "upland_submerged_ha"]),
             ("losses", ["loss_public_civil_works_kyen", "loss_agriculture_kyen"]),
             ("power", ["lifeline_power_households"]), ("water", ["lifeline_water_households"]),
             ("telecom", ["lifeline_telephone_lines"])]
    start = timezone.now() - timedelta(days=2)
    version_rows, count_rows = 0, 0
    with transaction.atomic():
        report_objs = []
        for n in range(reports):
            category, items = plans[n % len(plans)]
            report_objs.append(DamageReport(
                incident=incident, definition=definition, category=category, district=districts[n % len(districts)],
                created_by=user, updated_at=start + timedelta(seconds=n * 15)))
        DamageReport.objects.bulk_create(report_objs, batch_size=2000)
        versions, plan_of = [], {}
        for n, report in enumerate(report_objs):
            category, items = plans[n % len(plans)]
            lifeline = category in ("power", "water", "telecom")
            steps = rng.randint(2, 5) if lifeline else (2 if rng.random() < 0.2 else 1)
            observed = start + timedelta(seconds=n * 15)
            for number in range(1, steps + 1):
                observed += timedelta(minutes=rng.randint(10, 180)) if lifeline and number > 1 else timedelta(0)
                version = DamageReportVersion(
                    report=report, number=number, district=report.district, observed_at=observed,
                    created_by=user, created_at=observed + timedelta(minutes=number), address=f"地点{n}",
                    reason="" if number == 1 else "更新")
                versions.append(version)
                plan_of[id(version)] = (report, items, number == steps, lifeline)
        DamageReportVersion.objects.bulk_create(versions, batch_size=2000)
        counts = []
        for version in versions:
            report, items, is_last, lifeline = plan_of[id(version)]
            for item in items:
                if lifeline:
                    value = Decimal(rng.randint(0, 800))
                elif item.endswith("_ha"):
                    value = Decimal(rng.randint(0, 500)) / 100
                elif item.endswith("_kyen"):
                    value = Decimal(rng.randint(0, 50000))
                else:
                    value = Decimal(rng.randint(0, 5))
                counts.append(DamageCount(
                    version=version, report=report, incident=incident, district=version.district, item=item,
                    value=value, observed_at=version.observed_at, recorded_at=version.created_at, is_current=is_last))
            if is_last:
                report.current_version = version
        DamageCount.objects.bulk_create(counts, batch_size=5000)
        DamageReport.objects.bulk_update(report_objs, ["current_version"], batch_size=2000)
        version_rows, count_rows = len(versions), len(counts)
    from toki.hq.damage import totals

    totals.rebuild(incident, definition.definition.ids_with("peak"))  # what the actions keep incrementally
    return {"reports": reports, "versions": version_rows, "count_rows": count_rows}


def worker(args) -> dict:
    """Runs in a child process with the database of one backend: set up, populate, measure; prints JSON."""
    municipality, alice = django_world()
    from datetime import timedelta

    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from toki.hq import actions as hq_actions
    from toki.hq.damage import actions
    from toki.hq.damage.aggregate import from_snapshot
    from toki.hq.damage.excel import workbook_bytes
    from toki.hq.damage.management.commands.load_damage_form import BUNDLED
    from toki.hq.damage.models import DamageCount
    from toki.hq.damage.selectors import live_aggregate

    actions.load_definition(acting_user=None, doc=json.loads((BUNDLED / "fdma-4-r8.json").read_text()),
                            activate=True)
    incident = hq_actions.open_incident(acting_user=alice, municipality=municipality, name="ベンチマーク豪雨",
                                        kind="heavy_rain")
    t0 = time.perf_counter()
    sizes = _populate(incident, alice, args.reports, args.seed)
    populate_s = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    live_aggregate(incident)  # warm: definition parsed, connection open
    floor, _ = _timed(lambda: DamageCount.objects.filter(incident=incident, is_current=True).aggregate(
        s=Sum("value")), args.repeat)
    plain, aggregate = _timed(lambda: live_aggregate(incident), args.repeat)
    sources, _ = _timed(lambda: live_aggregate(incident, with_sources=True), max(3, args.repeat // 3))
    districts = list(municipality.districts.all())
    filing, _ = _timed(lambda: actions.file_report(
        acting_user=alice, incident=incident, category="power", district=districts[0],
        counts={"lifeline_power_households": 10}, observed_at=timezone.now() - timedelta(hours=30)),
        max(3, args.repeat // 3))
    issue, issued = _timed(lambda: actions.issue_report(acting_user=alice, incident=incident),
                           max(3, args.repeat // 3))
    issued.incident = incident
    excel, content = _timed(lambda: workbook_bytes(issued, from_snapshot(issued.snapshot,
                                                                         issued.definition.definition)),
                            max(3, args.repeat // 3))
    return {"vendor": connection.vendor, "sizes": sizes, "populate_s": round(populate_s, 2),
            "excel_bytes": len(content), "check": {"reports": aggregate.report_count,
                                                   "power_peak": str(aggregate.totals["lifeline_power_households"]),
                                                   "dead": str(aggregate.totals["casualties_dead"])},
            "ms": {name: {"median": round(statistics.median(t), 1), "max": round(max(t), 1), "runs": len(t)}
                   for name, t in (("floor", floor), ("live aggregate", plain), ("aggregate+sources", sources),
                                   ("file one report", filing),
                                   ("issue 第N報", issue), ("Excel 第N報", excel))}}


def _run_backend(label: str, database_url: str | None, args, tmp: Path) -> dict:
    env = isolated_app_env(tmp / label, LOG_LEVEL="ERROR")
    if database_url:
        env["DATABASE_URL"] = database_url
    cmd = [sys.executable, __file__, "--worker", "--reports", str(args.reports), "--repeat", str(args.repeat),
           "--seed", str(args.seed)]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise BenchError(f"{label} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _postgres(url: str) -> bool:
    """Create the benchmark's database afresh; False when PostgreSQL is not reachable."""
    import psycopg

    base, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args), ensure_ascii=False))
        return 0
    runs = {}
    with tempfile.TemporaryDirectory(prefix="toki-bench-damage-") as tmp:
        tmp = Path(tmp)
        runs["sqlite"] = _run_backend("sqlite", None, args, tmp)
        if not args.skip_postgres:
            if _postgres(args.pg_url):
                runs["postgresql"] = _run_backend("postgresql", args.pg_url, args, tmp)
            else:
                print(f"PostgreSQL not reachable at {args.pg_url}: skipped", file=sys.stderr)
    rows, ok = [], True
    for label, run in runs.items():
        for name, figures in run["ms"].items():
            target = {"live aggregate": TARGET_AGGREGATE_MS, "Excel 第N報": TARGET_EXCEL_MS}.get(name)
            verdict = "" if target is None else ("met" if figures["median"] < target else "MISSED")
            ok = ok and verdict != "MISSED"
            rows.append([label, name, figures["median"], figures["max"], figures["runs"],
                         f"< {target}" if target else "", verdict])
    print(f"{args.reports} reports, 10 districts; sizes: " + "; ".join(
        f"{label}: {run['sizes']['versions']} versions, {run['sizes']['count_rows']} count rows"
        for label, run in runs.items()))
    print(format_table(["database", "measure", "median ms", "max ms", "runs", "target ms", ""], rows))
    path = write_results(NAME, {"machine": machine_info(), "reports": args.reports, "runs": runs,
                                "targets_ms": {"live aggregate": TARGET_AGGREGATE_MS,
                                               "Excel 第N報": TARGET_EXCEL_MS}})
    print(f"results: {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
