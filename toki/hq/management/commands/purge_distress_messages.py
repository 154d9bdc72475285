"""Forget possible calls for help older than the retention period (docs/privacy.md). Run hourly by the scheduler."""

from django.core.management.base import BaseCommand

from toki.hq.actions.distress import purge_distress_messages


class Command(BaseCommand):
    help = "Delete possible calls for help (救助要請の可能性) older than 30 days."

    def handle(self, *args, **options):
        self.stdout.write(f"purged {purge_distress_messages()} message(s)")
