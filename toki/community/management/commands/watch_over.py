"""The daily watch-over sweep (docs/community.md): idempotent, safe to run twice at once; --loop to keep going."""

import time

from django.core.management.base import BaseCommand

from toki.community.actions import sweep_watch_over


class Command(BaseCommand):
    help = "Raise, escalate and resolve watch-over flags of households with no sign for their time."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Run every --every seconds until stopped.")
        parser.add_argument("--every", type=int, default=300, help="Seconds between sweeps with --loop.")

    def handle(self, *args, loop=False, every=300, **options):
        while True:
            counts = sweep_watch_over()
            self.stdout.write(f"watch-over: {counts['raised']} raised, {counts['escalated']} escalated, "
                              f"{counts['resolved']} resolved")
            if not loop:
                return
            time.sleep(max(10, every))
