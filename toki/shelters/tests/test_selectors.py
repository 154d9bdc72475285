"""public_shelters and nearest_shelters."""

from io import StringIO

from django.core.management import call_command

from toki.lib.geo import haversine_km
from toki.shelters.selectors import nearest_shelters, public_shelters
from toki.shelters.tests.files import GSI_EMERGENCY, GSI_SHELTERS
from toki.test import BaseTestCase

RYOTSU_PORT = (38.0807, 138.4380)


class SelectorTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("import_shelters", str(GSI_SHELTERS), str(GSI_EMERGENCY), "--no-progress", stdout=StringIO())

    def test_it_lists_the_shelters_of_a_municipality_by_district(self):
        with self.assertNumQueries(1):
            shelters = list(public_shelters(self.municipality))
            orders = [s.district.sort_order for s in shelters]
        self.assertEqual(len(shelters), 86)
        self.assertEqual(orders, sorted(orders))
        self.assertEqual(shelters[0].district.code, "ryotsu")

    def test_it_finds_the_nearest_shelters_nearest_first(self):
        with self.assertNumQueries(1):
            nearby = nearest_shelters(*RYOTSU_PORT, limit=3)
        self.assertEqual(len(nearby), 3)
        distances = [n.distance_km for n in nearby]
        self.assertEqual(distances, sorted(distances))
        self.assertLess(distances[0], 0.5)
        first = nearby[0].shelter
        self.assertAlmostEqual(distances[0], haversine_km(*RYOTSU_PORT, first.lat, first.lon))

    def test_it_can_keep_only_emergency_sites(self):
        nearby = nearest_shelters(*RYOTSU_PORT, limit=5, emergency_sites_only=True)
        self.assertTrue(all(n.shelter.is_emergency_site for n in nearby))

    def test_it_limits_the_search_to_a_municipality(self):
        self.assertEqual(len(nearest_shelters(*RYOTSU_PORT, limit=500, municipality=self.municipality)), 86)

    def test_it_returns_nothing_for_a_zero_limit(self):
        self.assertEqual(nearest_shelters(*RYOTSU_PORT, limit=0), [])
