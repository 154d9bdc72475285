"""Start the task worker of whichever backend TOKI_TASKS selects (db: django-tasks-db, rq: RQ)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker for the configured backend."

    def handle(self, *args, **options):
        if settings.TOKI_TASKS == "rq":
            call_command("rqworker", "default", job_class="django_tasks_rq.Job")
        elif settings.TOKI_TASKS == "db":
            call_command("db_worker", interval=0.5, reload=False, startup_delay=False)
        else:
            self.stdout.write("TOKI_TASKS=immediate runs tasks in the web process; no worker needed.")
