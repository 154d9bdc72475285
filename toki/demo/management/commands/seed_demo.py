"""Load the Sado demo: the municipality profile, the personas, the GSI shelter master (carol's team linked to its
shelter) and the 第4号様式 damage form, so that the README's HQ drill and the shelter tablet work at once."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from toki.areas.actions import load_profile
from toki.areas.models import Municipality
from toki.demo.hq import create_hq_demo_users
from toki.demo.kpi import create_kpi_demo, seed_portal_history
from toki.demo.kpi_history import seed_kpi_history
from toki.demo.personas import create_personas
from toki.demo.shelters import demo_shelter, link_demo_team

# Demo only: printed by `make run`. Production never runs seed_demo.
DEMO_PASSWORD = "sado-demo-2026"  # noqa: S105 - demo-only, printed on purpose
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SHELTER_FILES = ("shitei_hinanjo_152242.geojson", "shitei_kinkyu_hinanbasho_152242.geojson")


class Command(BaseCommand):
    help = "Load the Sado demo data (profile, demo users, shelters, demo bus timetables). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when a municipality exists.")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Municipality.objects.exists():
            self.stdout.write("demo data already present; nothing to do")
            return
        municipality = load_profile(settings.TOKI_MUNICIPALITY_PROFILE)
        create_personas(municipality, DEMO_PASSWORD)
        create_hq_demo_users(municipality, DEMO_PASSWORD)  # 相川支所 frank: a second branch for HQ
        for name in SHELTER_FILES:
            call_command("import_shelters", str(DATA_DIR / name), no_progress=True)
        shelter = demo_shelter(municipality)
        if shelter is not None:
            link_demo_team(shelter)  # carol's team: /shelter-ops/ explains how its shelter opens
        # The damage form HQ and the branch offices file into (loading it again changes nothing).
        call_command("load_damage_form", "fdma-4-r8.json", activate=True, stdout=self.stdout)
        call_command("seed_lifelines_demo")
        call_command("seed_notices_demo")
        call_command("seed_transit_demo", stdout=self.stdout)  # DEMO bus timetables (docs/transit.md)
        call_command("seed_community_demo", password=DEMO_PASSWORD, stdout=self.stdout)  # docs/community.md
        call_command("seed_rides_demo")  # the shared-ride areas (docs/rides.md)
        create_kpi_demo(DEMO_PASSWORD)  # the plan's KPIs and their owner hana (docs/kpi.md)
        seed_portal_history()  # made-up portal traffic since 2024-10 for the measured KPIs
        seed_kpi_history(municipality)  # LINE follows since 2025-06 and the July 2026 rain, through the actions
        call_command("kpi_refresh")
        self.stdout.write(self.style.SUCCESS(f"loaded the {municipality.name} demo"))
