"""Domain events (issue 15, deliverable 1; ADR 0007): what publishing an event costs an action.

A child process per database (a temporary SQLite file; PostgreSQL too with --postgres URL) migrates a fresh
database, loads the Sado profile and personas, opens a shelter for an incident and then times N calls of a real
action, `toki.shelters.actions.openings.set_crowding` (one transaction: the opening's row, an AuditEvent and one
event, "shelters.opening_crowding_changed", which two subscribers follow: the portal and HQ), in three variants
interleaved round by round in the same run:

    without      publish() replaced by a no-op for the run (the action as it would be without events)
    outbox only  publish() as shipped but its deliveries not enqueued after COMMIT (enqueue_on_commit a no-op for
                 the run): the event's checks and its INSERT, what the action's transaction itself pays
    full         publish() as shipped, the database task backend (TOKI_TASKS=db, the default): also the two
                 delivery tasks enqueued after COMMIT (the caller waits for them; a worker would run them)

Figures: median and p95 per action (ms), and the overhead (median of the variant − median of "without"). The
statements one action runs are counted with Django's CaptureQueriesContext: the outbox adds exactly one INSERT
(into events_event) and nothing else inside the transaction. Target: under 1 ms and one INSERT per event.

    .venv/bin/python bench/events_overhead.py [--actions 300] [--rounds 6] [--postgres postgres://…/toki_bench]
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

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

NAME = "events_overhead"
TARGET_MS = 1.0
VARIANTS = ("without", "outbox only", "full")


def child(actions: int, rounds: int) -> dict:
    """In a process whose DATABASE_URL points at an empty database: set up, then measure; returns the figures."""
    municipality, alice = django_world()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from toki.events import outbox
    from toki.hq.actions.incidents import open_incident
    from toki.shelters.actions.openings import open_shelter, set_crowding
    from toki.shelters.models import Shelter

    district = municipality.districts.first()
    shelter = Shelter.objects.create(common_id="bench-events", municipality=municipality, district=district,
                                     name="ベンチ避難所", lat=38.08, lon=138.44, is_designated_shelter=True,
                                     source="gsi", capacity=100)
    incident = open_incident(acting_user=alice, municipality=municipality, name="ベンチ豪雨", kind="heavy_rain")
    opening = open_shelter(acting_user=alice, shelter=shelter, incident=incident)
    values = ("full", "crowded")

    def nothing(*args, **kwargs) -> None:
        return None

    def swapped(variant: str) -> contextlib.ExitStack:
        """publish() a no-op for "without"; its deliveries not enqueued unless "full" (restored on exit)."""
        stack = contextlib.ExitStack()
        if variant == "without":
            stack.enter_context(mock.patch.object(outbox, "publish", nothing))
        if variant != "full":
            stack.enter_context(mock.patch.object(outbox, "enqueue_on_commit", nothing))
        return stack

    def run(variant: str, count: int, start: int) -> list[float]:
        timings = []
        with swapped(variant):
            for i in range(start, start + count):
                began = time.perf_counter()
                set_crowding(acting_user=alice, opening=opening, crowding=values[i % 2])
                timings.append((time.perf_counter() - began) * 1000)
        return timings

    def publish_alone(count: int = 500) -> float:
        """publish() by itself inside one transaction (rolled back), deliveries not enqueued: ms per call."""
        with swapped("outbox only"), transaction.atomic():
            began = time.perf_counter()
            for _ in range(count):
                outbox.publish("shelters.opening_crowding_changed", municipality_id=municipality.pk,
                               opening_id=opening.pk)
            elapsed = (time.perf_counter() - began) * 1000 / count
            transaction.set_rollback(True)
        return elapsed

    # Statements of one action with and without the event (the first call of each warms caches up).
    statements = {}
    for variant in ("without", "outbox only"):
        run(variant, 2, 0)
        with CaptureQueriesContext(connection) as captured:
            run(variant, 1, 0)
        statements[variant] = [q["sql"] for q in captured.captured_queries]
    extra = [sql for sql in statements["outbox only"] if '"events_' in sql]
    event_inserts = [sql for sql in extra if sql.startswith('INSERT INTO "events_event"')]

    timings: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    per_round = max(1, actions // rounds)
    for round_no in range(rounds):
        order = VARIANTS if round_no % 2 == 0 else tuple(reversed(VARIANTS))
        for variant in order:
            timings[variant] += run(variant, per_round, round_no)
    from toki.events.models import Event

    alone = [publish_alone() for _ in range(5)]
    return {
        "publish_alone_ms": statistics.median(alone),
        "backend": connection.vendor,
        "actions_per_variant": per_round * rounds,
        "timings_ms": {variant: {"median": statistics.median(values_), "p95": percentile(values_, 95),
                                 "mean": statistics.fmean(values_)} for variant, values_ in timings.items()},
        "statements_without": len(statements["without"]),
        "statements_with": len(statements["outbox only"]),
        "extra_statements": [sql[:120] for sql in extra],
        "event_inserts_per_action": len(event_inserts),
        "events_written": Event.objects.count(),
    }


def measure(database_url: str, args) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "TOKI_TASKS": "db", "LOG_LEVEL": "WARNING",
           "TOKI_VAR_DIR": args.tmp}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, __file__, "--child", "--actions", str(args.actions), "--rounds",
                           str(args.rounds)], cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise BenchError(f"the {database_url.split(':')[0]} run failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=300, help="actions per variant")
    parser.add_argument("--rounds", type=int, default=6, help="interleaved rounds the actions are split into")
    parser.add_argument("--postgres", default="", help="also on PostgreSQL: a database URL it may drop and create")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.actions, args.rounds)))
        return 0
    machine = machine_info()
    results = []
    with tempfile.TemporaryDirectory(prefix="toki-bench-events-") as tmp:
        args.tmp = tmp
        results.append(measure(f"sqlite:///{Path(tmp) / 'events.sqlite3'}", args))
        if args.postgres:
            results.append(measure(fresh_postgres(args.postgres), args))
    rows, ok = [], True
    for result in results:
        base = result["timings_ms"]["without"]["median"]
        for variant in VARIANTS:
            figures = result["timings_ms"][variant]
            overhead = figures["median"] - base
            rows.append([result["backend"], variant, f"{figures['median']:.2f}", f"{figures['p95']:.2f}",
                         "" if variant == "without" else f"{overhead:+.2f}"])
        ok &= result["event_inserts_per_action"] == 1 and len(result["extra_statements"]) == 1
        ok &= result["statements_with"] - result["statements_without"] == 1
        ok &= result["publish_alone_ms"] < TARGET_MS
    print(format_table(["database", "variant", "median ms", "p95 ms", "overhead ms"], rows))
    for result in results:
        print(f"{result['backend']}: {result['actions_per_variant']} actions per variant; statements per action "
              f"{result['statements_without']} → {result['statements_with']} (added: {result['extra_statements']}); "
              f"publish() alone {result['publish_alone_ms']:.3f} ms per event")
    print(f"load average (1, 5, 15 min) at the start: {machine['load_average_1_5_15']}, {machine['cores']} cores")
    path = write_results(NAME, {"machine": machine, "results": results, "target_ms": TARGET_MS, "ok": ok})
    print(f"results: {path.relative_to(REPO)}; {'OK' if ok else 'TARGET MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
