"""Prune the registry access log past its retention period (TOKI_REGISTRY_ACCESS_LOG_YEARS, default 5).

    manage.py registry_prune_access_log [--dry-run]

Verifies the part to prune, writes a signed checkpoint (last row id and hash, count, time range), then deletes
those rows: the only delete the database allows on the table. Prints ids and counts only. Run daily
(TOKI_PERIODIC_JOBS).
"""

from django.core.management.base import BaseCommand, CommandError

from toki.registry.accesslog_retention import RetentionError, cutoff, plan, prune


class Command(BaseCommand):
    help = "Prune the registry access log past its retention period, after a signed checkpoint."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would be pruned, prune nothing")

    def handle(self, *args, dry_run, **options):
        before = cutoff()
        if dry_run:
            found = plan(before)
            self.stdout.write(f"would prune {found.count} rows through row {found.last_id}" if found
                              else "nothing to prune")
            return
        try:
            checkpoint = prune(before)
        except RetentionError as refused:
            raise CommandError(str(refused)) from None
        if checkpoint is None:
            self.stdout.write(f"nothing to prune (no row before {before:%Y-%m-%d})")
            return
        self.stdout.write(f"pruned {checkpoint.pruned} rows through row {checkpoint.last_id} "
                          f"(checkpoint {checkpoint.pk})")
