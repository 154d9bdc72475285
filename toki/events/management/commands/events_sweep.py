"""Redeliver domain events a crash or a failure left undelivered (ADR 0007). Idempotent; `--loop` runs it every
few seconds (production: run_scheduler, TOKI_PERIODIC_JOBS)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from toki.events.outbox import sweep
from toki.lib.periodic import every


class Command(BaseCommand):
    help = "Redeliver committed domain events whose subscriber tasks never ran or failed."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="run forever")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between sweeps with --loop")
        parser.add_argument("--grace", type=float, default=None,
                            help="seconds an event is left to its own delivery (default: TOKI_EVENTS_REQUEUE_SECONDS)")

    def handle(self, *args, loop=False, interval=5.0, grace=None, **options):
        def once():
            found = sweep(grace=None if grace is None else timedelta(seconds=grace))
            if found["redelivered"] or found["pruned"] or options["verbosity"] > 1:
                self.stdout.write(f"events_sweep: redelivered {found['redelivered']}, pruned {found['pruned']}")

        if loop:
            every(interval, "events_sweep", once)  # survives a database or Redis restart (toki/lib/periodic.py)
        once()
