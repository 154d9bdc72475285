"""Run the periodic jobs of settings.TOKI_PERIODIC_JOBS, each at its interval, until stopped.

Each job is an idempotent management command (DESIGN.md rule 7), so running two schedulers at once, or a
job that overlaps its previous run, does no harm.
"""

import logging
import signal
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from toki.lib.periodic import run_step

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic management commands listed in TOKI_PERIODIC_JOBS."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def handle(self, *args, once=False, **options):
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        next_run = {name: 0.0 for name, _interval, _args in settings.TOKI_PERIODIC_JOBS}
        while not self.stopping:
            for name, interval, job_args in settings.TOKI_PERIODIC_JOBS:
                if time.monotonic() >= next_run[name]:
                    self._run(name, job_args)
                    next_run[name] = time.monotonic() + interval
            if once:
                return
            time.sleep(1)

    def _run(self, name, job_args):
        # One failing job must not stop the others (logged with its traceback), and a connection broken by a
        # database restart is replaced before the next job (toki/lib/periodic.py).
        run_step(f"periodic job {name}", lambda: call_command(name, *job_args))

    def _stop(self, *_):
        self.stopping = True
