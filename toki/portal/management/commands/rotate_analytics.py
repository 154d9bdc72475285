"""Delete past days' salts and fold visitor keys older than two days into daily counts. Idempotent; run hourly
by the scheduler (TOKI_PERIODIC_JOBS)."""

from django.core.management.base import BaseCommand

from toki.portal.analytics import rotate


class Command(BaseCommand):
    help = "Rotate the portal's analytics: delete past salts, keep only daily counts of visitor keys after 2 days."

    def handle(self, *args, **options):
        done = rotate()
        self.stdout.write(f"deleted {done['salts']} salt(s), folded {done['visitor_keys']} visitor key(s), "
                          f"blanked {done['survey_keys']} survey key(s)")
