"""district_for: which district a point lies in (approximate Voronoi boundaries of the Sado profile)."""

from pathlib import Path

from django.conf import settings

from toki.areas.actions import load_profile
from toki.areas.selectors import district_for, district_locator
from toki.areas.tests.gsi_points import gsi_points
from toki.test import BaseTestCase

EXAMPLE_TOWN = Path(settings.BASE_DIR) / "profiles" / "example-town.json"


class DistrictForTests(BaseTestCase):
    def test_it_maps_each_district_centre_to_its_district(self):
        for code, district in self.districts.items():
            with self.subTest(code):
                self.assertEqual(district_for(district.centre_lat, district.centre_lon), district)

    def test_it_maps_known_places(self):
        places = [
            ("両津港", 38.0807, 138.4380, "ryotsu"),
            ("小木港", 37.8136, 138.2833, "ogi"),
            ("佐渡金山 (相川)", 38.040, 138.245, "aikawa"),
            ("佐渡市役所 (千種)", 38.0182, 138.3675, "kanai"),
            ("赤泊港", 37.8650, 138.4120, "akadomari"),
            ("真野 (吉岡)", 37.9700, 138.3489, "mano"),
        ]
        for name, lat, lon, code in places:
            with self.subTest(name):
                self.assertEqual(district_for(lat, lon, self.municipality), self.districts[code])

    def test_it_answers_none_far_out_at_sea(self):
        self.assertIsNone(district_for(38.5, 138.0))

    def test_it_answers_none_on_the_mainland(self):
        self.assertIsNone(district_for(37.916, 139.036))  # 新潟市

    def test_it_places_every_gsi_shelter_point_in_a_district(self):
        locator = district_locator(self.municipality)
        unplaced = [name for name, lat, lon in gsi_points() if locator.find(lat, lon) is None]
        self.assertEqual(unplaced, [])

    def test_it_places_a_point_just_off_the_coast_in_the_nearest_district(self):
        # In 両津湾 about 1.5 km off the outline: outside every boundary, within the 3 km tolerance.
        self.assertEqual(district_for(38.0900, 138.4560), self.districts["ryotsu"])

    def test_it_answers_none_beyond_the_coast_tolerance(self):
        self.assertIsNone(district_for(38.0807, 138.62))  # 3.8 km off the outline, east of 水津

    def test_it_keeps_the_north_west_coast_with_aikawa(self):
        self.assertEqual(district_for(38.1976, 138.3337), self.districts["aikawa"])  # 高千 (a seed)

    def test_it_keeps_the_north_east_coast_with_ryotsu(self):
        self.assertEqual(district_for(38.3200, 138.5128), self.districts["ryotsu"])  # 鷲崎 (a seed)

    def test_it_uses_one_query(self):
        with self.assertNumQueries(1):
            district_for(38.0807, 138.4380)


class DistrictForTwoMunicipalitiesTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.awashima = load_profile(EXAMPLE_TOWN, make_default=False)

    def test_it_answers_within_the_other_municipality(self):
        uchiura = self.awashima.districts.get(code="uchiura")
        kamaya = self.awashima.districts.get(code="kamaya")
        self.assertEqual(district_for(38.4660, 139.2500, self.awashima), uchiura)
        self.assertEqual(district_for(38.4470, 139.2250, self.awashima), kamaya)

    def test_it_searches_every_municipality_when_none_is_given(self):
        self.assertEqual(district_for(38.4660, 139.2500).municipality, self.awashima)
        self.assertEqual(district_for(38.0807, 138.4380).municipality, self.municipality)

    def test_it_does_not_answer_for_another_municipality(self):
        self.assertIsNone(district_for(38.0807, 138.4380, self.awashima))
