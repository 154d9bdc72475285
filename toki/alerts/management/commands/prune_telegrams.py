"""Delete old stored telegrams that do not concern the municipality. Idempotent; run hourly by the scheduler."""

from django.core.management.base import BaseCommand

from toki.alerts.actions.telegrams import prune_telegrams


class Command(BaseCommand):
    help = "Prune stored JMA telegrams that do not concern the municipality after TOKI_JMA_KEEP_OTHER_DAYS."

    def handle(self, *args, **options):
        self.stdout.write(f"pruned {prune_telegrams()} telegram(s)")
