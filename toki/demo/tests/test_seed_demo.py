"""Issue 14 items 5 and 9: the demo is ready for the README's tours without a command by hand: the 第4号様式 form is
loaded and active, and carol's shelter team is linked to its shelter. Seeding twice changes nothing."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from toki.demo.shelters import DEMO_SHELTER, DEMO_TEAM
from toki.hq.damage.models import FormDefinition
from toki.shelters.models import ShelterTeam


class SeedDemoTests(TestCase):
    def test_it_loads_the_damage_form_and_links_carols_team_once(self):
        for _ in range(2):
            call_command("seed_demo", stdout=StringIO())
        active = FormDefinition.objects.get(active=True)
        self.assertEqual((active.code, active.version), ("fdma-4", "R8"))
        self.assertEqual(FormDefinition.objects.count(), 1)
        team = ShelterTeam.objects.select_related("org_unit", "shelter").get()
        self.assertEqual((team.org_unit.name, team.shelter.name), (DEMO_TEAM, DEMO_SHELTER))
