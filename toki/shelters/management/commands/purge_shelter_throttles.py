"""Delete the public shelter pages' rate-limit rows whose window has passed (the 安否 search's and the
pre-registration's; keyed hashes of client addresses). Idempotent; safe to run in parallel."""

from django.core.management.base import BaseCommand

from toki.shelters.actions.households import purge_preregistration_throttles, purge_safety_search_throttles


class Command(BaseCommand):
    help = "Forget expired rate-limit counters of the public 安否 search and pre-registration."

    def handle(self, *args, **options):
        searches, registrations = purge_safety_search_throttles(), purge_preregistration_throttles()
        self.stdout.write(f"purged {searches} safety-search and {registrations} pre-registration throttle(s)")
