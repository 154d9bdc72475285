"""Which CAP messages concern Sado: geocodes within their system, shapes over a district, the name."""

from toki.alerts.cap.parse import parse_cap
from toki.alerts.cap.relevance import matches
from toki.alerts.tests.test_cap_support import (
    FAR_AWAY_POLYGON,
    area_xml,
    ferry_notice,
    geocode_notice,
    oasis_example,
    requires_oasis,
)
from toki.test import BaseTestCase


class RelevanceTest(BaseTestCase):
    def found(self, data: bytes) -> list[tuple[str, str]]:
        message = parse_cap(data)
        return [(m.rule, m.district_code) for m in matches(message, self.municipality,
                                                          self.municipality.districts.all())]

    def test_it_matches_a_polygon_over_ryotsu_port(self):
        self.assertEqual(self.found(ferry_notice()), [("polygon", "ryotsu")])

    def test_it_matches_the_local_government_code(self):
        self.assertEqual(self.found(geocode_notice()), [("geocode", "")])

    def test_it_matches_the_code_without_its_check_digit(self):
        self.assertEqual(self.found(geocode_notice(value="15224")), [("geocode", "")])

    def test_it_matches_a_jma_area_code(self):
        self.assertEqual(self.found(geocode_notice(value_name="JMA-AREA-CODE", value="1522400")), [("geocode", "")])
        self.assertEqual(self.found(geocode_notice(value_name="jma_area_code", value="150040")), [("geocode", "")])

    def test_it_does_not_compare_codes_across_systems(self):
        self.assertEqual(self.found(geocode_notice(value_name="JMA-AREA-CODE", value="152242", desc="島")), [])
        self.assertEqual(self.found(geocode_notice(value_name="SAME", value="152242", desc="島")), [])
        self.assertEqual(self.found(geocode_notice(value_name="LG-CODE", value="1522400", desc="島")), [])

    def test_it_trusts_a_known_geocode_over_the_name(self):
        self.assertEqual(self.found(geocode_notice(value="151009", desc="新潟市（佐渡市ではない）")), [])

    def test_it_reads_the_name_beside_a_geocode_of_another_system(self):
        self.assertEqual(self.found(geocode_notice(value_name="SAME", value="006037")), [("name", "")])

    def test_it_matches_a_circle_off_the_coast(self):
        area = area_xml("両津湾沖", polygon=None, circle="38.09,138.47 3")
        self.assertEqual(self.found(ferry_notice(area=area)), [("circle", "ryotsu")])

    def test_it_matches_the_name_of_an_area_without_a_shape(self):
        self.assertEqual(self.found(ferry_notice(area=area_xml("新潟県佐渡市全域", polygon=None))), [("name", "")])
        self.assertEqual(self.found(ferry_notice(area=area_xml("all of SADO CITY", polygon=None))), [("name", "")])

    def test_it_trusts_the_shape_over_the_name(self):
        self.assertEqual(self.found(ferry_notice(area=area_xml("佐渡市", polygon=FAR_AWAY_POLYGON))), [])

    def test_it_finds_nothing_in_a_message_for_elsewhere(self):
        self.assertEqual(self.found(ferry_notice(area=area_xml("東京", polygon=FAR_AWAY_POLYGON))), [])

    def test_it_reports_each_reason_once(self):
        self.assertEqual(self.found(ferry_notice()), [("polygon", "ryotsu")])  # two infos, same area

    @requires_oasis
    def test_it_finds_that_no_oasis_example_concerns_sado(self):
        for n in (1, 2, 3, 4):
            with self.subTest(example=n):
                self.assertEqual(self.found(oasis_example(n)), [])
