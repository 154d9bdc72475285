"""Re-optimise the shared-ride plans of today and the coming days without breaking a promise (docs/rides.md).
Idempotent; two at once are safe (a result is written only onto the plans it started from).

Runs as its own process (`--loop`; deploy/systemd/toki-rides-optimiser.service, the demo's supervisor), at the
lowest CPU priority: its search takes a whole core for seconds, and nobody waits for it while people booking do
(toki/lib/cpu_priority.py). That process hands its results to the task worker, which writes them at normal
priority (rides/tasks.py); a single round (no `--loop`) writes them itself."""

from django.conf import settings
from django.core.management.base import BaseCommand

from toki.lib.cpu_priority import lower_cpu_priority
from toki.lib.periodic import every
from toki.transport.rides.reoptimise import reoptimise


class Command(BaseCommand):
    help = "Improve the day's shared-ride plans, keeping every promised pickup window."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="run forever")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between rounds with --loop")
        parser.add_argument("--seconds", type=float, default=None,
                            help="search time per area and day (default: TOKI_RIDES_REOPTIMISE_SECONDS)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--iterations", type=int, default=None,
                            help="also stop each search after this many iterations (a reproducible round)")

    def handle(self, *args, loop=False, interval=60.0, seconds=None, seed=0, iterations=None, **options):
        budget = settings.TOKI_RIDES_REOPTIMISE_SECONDS if seconds is None else seconds

        def once():
            improved = reoptimise(seconds=budget, seed=seed, defer_writes=loop, max_iterations=iterations)
            if options["verbosity"] > 1 or (options["verbosity"] and any(improved.values())):
                done = "sent to the task worker" if loop else "improved"
                self.stdout.write(f"rides_reoptimise: {done} {improved}")

        if loop:  # a process of its own: only then is lowering the whole process's priority right
            priority = lower_cpu_priority()
            if options["verbosity"] > 1:
                self.stdout.write(f"CPU priority: {', '.join(priority) or 'unchanged'}")
                self.stdout.flush()  # before the first round, which may take the whole search time
            every(interval, "rides_reoptimise", once)
        once()
