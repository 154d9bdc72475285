"""Delete login-throttle rows whose window and lock have both expired. Idempotent; safe to run in parallel."""

from django.core.management.base import BaseCommand

from toki.accounts.actions import purge_expired_throttles


class Command(BaseCommand):
    help = "Forget expired failed-login counters and rate-limit counters."

    def handle(self, *args, **options):
        self.stdout.write(f"purged {purge_expired_throttles()} expired login throttle(s) and rate counter(s)")
