"""The 安否 ladder's periodic step (docs/registry.md "Automatic escalation"): people of an open round not confirmed
after TOKI_REGISTRY_LADDER_MINUTES move up one rung (message → call → visit), each rung a task for their first
supporter. Idempotent, safe to run twice at once; run by the scheduler (TOKI_PERIODIC_JOBS) or with --loop."""

import time

from django.core.management.base import BaseCommand

from toki.registry.actions_safety import escalate


class Command(BaseCommand):
    help = "Move people not yet confirmed in an open 安否 round up the ladder (message → call → visit)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Run every --every seconds until stopped.")
        parser.add_argument("--every", type=int, default=60, help="Seconds between runs with --loop.")

    def handle(self, *args, loop=False, every=60, **options):
        while True:
            counts = escalate()
            self.stdout.write(f"safety ladder: {counts['moved']} moved up, {counts['tasks']} tasks, "
                              f"{counts['tablet']} asked by their tablet")
            if not loop:
                return
            time.sleep(max(10, every))
