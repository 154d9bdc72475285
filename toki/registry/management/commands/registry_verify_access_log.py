"""Recompute the registry access log's hash chain (toki.registry.accesslog) and say whether it holds.

    manage.py registry_verify_access_log

Exit status 0 when every chained row follows; otherwise prints the id of the first row that does not, and why
(ids only), and fails. Run it from cron and after any restore.
"""

from django.core.management.base import BaseCommand, CommandError

from toki.registry.accesslog import verify


class Command(BaseCommand):
    help = "Verify the hash chain of the registry access log."

    def handle(self, *args, **options):
        result = verify()
        if not result.ok:
            raise CommandError(f"access log chain broken at row {result.broken_at}: {result.reason} "
                               f"({result.checked} rows verified before it)")
        self.stdout.write(f"access log chain holds: {result.checked} rows verified"
                          + (f", {result.unchained} older rows from before the chain" if result.unchained else ""))
