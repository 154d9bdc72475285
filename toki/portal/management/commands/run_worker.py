"""Start the task worker of whichever backend TOKI_TASKS selects (db: django-tasks-db, rq: RQ).

With RQ, a worker whose connection to Redis breaks between jobs (Redis restarted) quits with an error; this
command starts it again after a second, so that a Redis restart never leaves the site without workers until
someone notices (systemd would restart the unit too, but only after its own delay). A clean stop (SIGTERM: RQ's
warm shut-down) ends the command.
"""

import logging
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the background task worker for the configured backend."

    def handle(self, *args, **options):
        if settings.TOKI_TASKS == "rq":
            self.run_rq()
        elif settings.TOKI_TASKS == "db":
            call_command("db_worker", interval=0.5, reload=False, startup_delay=False)
        else:
            self.stdout.write("TOKI_TASKS=immediate runs tasks in the web process; no worker needed.")

    def run_rq(self):
        from redis.exceptions import ConnectionError as RedisConnectionError

        from toki.lib.rq_worker import TokiWorker

        while True:
            reason = "it quit after losing Redis"
            try:
                call_command("rqworker", "default", job_class="django_tasks_rq.Job",
                             worker_class="toki.lib.rq_worker.TokiWorker")
            except (SystemExit, RedisConnectionError) as stop:
                reason = f"Redis unreachable: {stop}"
            if TokiWorker.stop_requested:
                return  # told to stop (SIGTERM, SIGINT): RQ finished the job in hand first
            log.warning("RQ worker stopped (%s); starting it again in 1 s", reason)
            time.sleep(1)
