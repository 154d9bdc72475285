"""Create the Sado demo shared-ride service (両津 and 相川 areas, vehicles, meeting points). Idempotent."""

from django.core.management.base import BaseCommand, CommandError

from toki.areas.selectors import default_municipality
from toki.transport.rides.demo import seed_rides_demo


class Command(BaseCommand):
    help = "Create the demo shared-ride areas of the default municipality (idempotent)."

    def handle(self, *args, **options):
        municipality = default_municipality()
        if municipality is None:
            raise CommandError("no municipality profile is loaded (manage.py load_profile)")
        areas = seed_rides_demo(municipality)
        self.stdout.write(f"{len(areas)} demo ride area(s) in place")
