"""Re-enqueue delivery batches whose worker died or whose retry is due, and finish plannings whose planner died
half-way (docs/notify.md; an alert whose planning never started is redelivered by events_sweep, ADR 0007).
Idempotent; `--loop` runs it every few seconds (production: a systemd unit or the scheduler)."""

from django.core.management.base import BaseCommand

from toki.lib.periodic import every
from toki.notify.actions.sweep import sweep


class Command(BaseCommand):
    help = "Re-send stuck or due LINE delivery batches (same retry key) and finish interrupted plannings."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="run forever")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between sweeps with --loop")

    def handle(self, *args, loop=False, interval=5.0, **options):
        def once():
            found = sweep()
            if found["planned"] or found["requeued"] or options["verbosity"] > 1:
                self.stdout.write(f"notify_sweep: planned {found['planned']}, requeued {found['requeued']}")

        if loop:
            every(interval, "notify_sweep", once)  # survives a database or Redis restart (toki/lib/periodic.py)
        once()
