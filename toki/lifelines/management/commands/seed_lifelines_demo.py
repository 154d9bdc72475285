"""Create Sado's demo lifelines (ferries, the airport, power, water per district, route 350, telecoms), all
"normal". Idempotent: lifelines that exist are left as they are."""

from django.core.management.base import BaseCommand, CommandError

from toki.areas.selectors import default_municipality
from toki.lifelines.demo import seed_lifelines


class Command(BaseCommand):
    help = "Create the demo lifelines of the default municipality (idempotent)."

    def handle(self, *args, **options):
        municipality = default_municipality()
        if municipality is None:
            raise CommandError("no municipality profile is loaded (manage.py load_profile)")
        lifelines = seed_lifelines(municipality)
        self.stdout.write(f"{len(lifelines)} demo lifeline(s) in place")
