"""Re-optimise the shared-ride plans of today and the coming days without breaking a promise (docs/rides.md).
Idempotent; two at once are safe (a result is written only onto the plans it started from)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from toki.lib.periodic import every
from toki.transport.rides.reoptimise import reoptimise


class Command(BaseCommand):
    help = "Improve the day's shared-ride plans, keeping every promised pickup window."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="run forever")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between rounds with --loop")
        parser.add_argument("--seconds", type=float, default=None,
                            help="search time per area and day (default: TOKI_RIDES_REOPTIMISE_SECONDS)")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, loop=False, interval=30.0, seconds=None, seed=0, **options):
        budget = settings.TOKI_RIDES_REOPTIMISE_SECONDS if seconds is None else seconds

        def once():
            improved = reoptimise(seconds=budget, seed=seed)
            if options["verbosity"] > 1 or (options["verbosity"] and any(improved.values())):
                self.stdout.write(f"rides_reoptimise: improved {improved}")

        if loop:
            every(interval, "rides_reoptimise", once)
        once()
