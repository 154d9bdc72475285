"""Remove warnings past their ValidDateTime and republish the 軽量版. Idempotent; run every minute by the
scheduler (TOKI_PERIODIC_JOBS)."""

from django.core.management.base import BaseCommand

from toki.alerts.actions.state import expire_states


class Command(BaseCommand):
    help = "Remove warning states past their ValidDateTime (津波予報（若干の海面変動）) and republish the 軽量版."

    def handle(self, *args, **options):
        self.stdout.write(f"expired {expire_states()} warning state(s)")
