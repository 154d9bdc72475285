from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

DATA = Path(__file__).resolve().parents[2] / "data"


class Command(BaseCommand):
    help = "Load the DEMO Sado transit feed (not an official timetable) and its demo suspension rules."

    def handle(self, *args, **options):
        call_command("import_gtfs", str(DATA / "demo_feed"), demo=True, stdout=self.stdout)
        call_command("load_suspension_rules", str(DATA / "suspension_rules.json"), stdout=self.stdout)
