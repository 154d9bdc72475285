"""Copy the registry access log's chain head off the box (TOKI_REGISTRY_LOG_HEAD_SINK: a file path on another
machine's mount, or an http(s) endpoint).

    manage.py registry_export_log_head

Sends the last row's id and hash, the count and the time, signed; `registry_verify_access_log` compares the
database with the last copy. Run hourly (TOKI_PERIODIC_JOBS, when the sink is set).
"""

from django.core.management.base import BaseCommand, CommandError

from toki.registry.accesslog_retention import RetentionError, export_head


class Command(BaseCommand):
    help = "Copy the registry access log's chain head to the off-box sink."

    def handle(self, *args, **options):
        try:
            head = export_head()
        except RetentionError as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"head exported: row {head['sequence']}, {head['entries']} entries")
