"""load_profile rejects a bad profile with a message naming the file and field, and writes nothing."""

from django.test import TestCase

from toki.accounts.models import AuditEvent
from toki.areas.actions import ProfileError, load_profile
from toki.areas.models import District, Municipality
from toki.areas.profile import municipality_code_check_digit
from toki.areas.tests.profile_files import SADO, ProfileFiles


class ProfileValidationTests(ProfileFiles, TestCase):
    def assertRejected(self, path, message):
        before = (Municipality.objects.count(), District.objects.count(), AuditEvent.objects.count())
        with self.assertRaises(ProfileError) as caught:
            load_profile(path)
        self.assertIn(str(path), str(caught.exception))
        self.assertIn(message, str(caught.exception))
        self.assertEqual((Municipality.objects.count(), District.objects.count(), AuditEvent.objects.count()),
                         before)

    def test_it_rejects_a_centre_that_is_not_lat_lon_numbers(self):
        path = self.sado_with(lambda d: d["districts"][3].update(centre="38.0, 138.3"))
        self.assertRejected(path, "districts[3].centre: expected [lat, lon] numbers")

    def test_it_rejects_a_centre_given_lon_first(self):
        path = self.sado_with(lambda d: d["districts"][0].update(centre=[138.43, 38.08]))
        self.assertRejected(path, "districts[0].centre: [138.43, 38.08] is not [lat, lon]")

    def test_it_rejects_a_code_that_is_not_six_digits(self):
        self.assertRejected(self.sado_with(lambda d: d.update(code="15224")), "code: expected the 6-digit")

    def test_it_rejects_a_code_with_a_wrong_check_digit(self):
        self.assertRejected(self.sado_with(lambda d: d.update(code="152241")), "code: check digit is wrong")

    def test_it_rejects_duplicate_district_codes(self):
        path = self.sado_with(lambda d: d["districts"][4].update(code="ryotsu"))
        self.assertRejected(path, "districts[4].code: duplicate district code 'ryotsu' (first at districts[0])")

    def test_it_rejects_a_district_code_that_is_not_a_slug(self):
        path = self.sado_with(lambda d: d["districts"][1].update(code="相川"))
        self.assertRejected(path, "districts[1].code: expected a slug")

    def test_it_rejects_a_missing_name(self):
        self.assertRejected(self.sado_with(lambda d: d.pop("name")), ": name: required text")

    def test_it_rejects_an_empty_district_list(self):
        self.assertRejected(self.sado_with(lambda d: d.update(districts=[])), "districts: expected a non-empty list")

    def test_it_rejects_a_centre_outside_the_outline(self):
        path = self.sado_with(lambda d: d["districts"][2].update(centre=[38.5, 138.0]))
        self.assertRejected(path, "districts[2].centre: [38.5, 138.0] lies outside the outline")

    def test_it_rejects_a_seed_outside_the_outline(self):
        path = self.sado_with(lambda d: d["districts"][0].update(seeds=[[37.9, 139.0]]))
        self.assertRejected(path, "districts[0].seeds[0]: [37.9, 139.0] lies outside the outline")

    def test_it_rejects_a_district_without_boundary_when_there_is_no_outline(self):
        self.assertRejected(self.sado_with(lambda d: d.pop("outline")), "districts[0].boundary: required when")

    def test_it_rejects_an_unclosed_boundary(self):
        ring = [[138.2, 37.8], [138.3, 37.8], [138.3, 37.9], [138.2, 37.9]]
        path = self.sado_with(lambda d: d["districts"][7].update(boundary={"type": "Polygon", "coordinates": [ring]}))
        self.assertRejected(path, "districts[7].boundary: coordinates[0]: the ring is not closed")

    def test_it_rejects_an_outline_that_is_not_a_polygon(self):
        path = self.sado_with(lambda d: d.update(outline={"type": "Point", "coordinates": [138.3, 38.0]}))
        self.assertRejected(path, "outline: expected a GeoJSON Polygon or MultiPolygon")

    def test_it_rejects_an_unknown_office_kind(self):
        path = self.sado_with(lambda d: d["offices"][1].update(kind="annex"))
        self.assertRejected(path, "offices[1].kind: expected one of main, branch, service_centre")

    def test_it_rejects_an_office_in_an_unknown_district(self):
        path = self.sado_with(lambda d: d["offices"][2].update(district="kamo"))
        self.assertRejected(path, "offices[2].district: unknown district code 'kamo'")

    def test_it_rejects_a_file_that_is_not_json(self):
        self.assertRejected(self.write_profile("{ not json"), "cannot read profile")

    def test_it_rejects_a_missing_file(self):
        self.assertRejected(self.tmp / "missing.json", "cannot read profile")

    def test_it_changes_nothing_of_a_loaded_municipality_when_the_new_file_is_bad(self):
        load_profile(SADO)
        path = self.sado_with(lambda d: (d.update(name="改名"), d["districts"][9].update(centre=[0, "x"])))
        self.assertRejected(path, "districts[9].centre")
        self.assertEqual(Municipality.objects.get().name, "佐渡市")

    def test_it_computes_check_digits(self):
        self.assertEqual(municipality_code_check_digit("15224"), 2)  # 佐渡市 152242
        self.assertEqual(municipality_code_check_digit("13101"), 6)  # 千代田区 131016
        self.assertEqual(municipality_code_check_digit("15586"), 1)  # 粟島浦村 155861

    def test_it_rejects_a_jma_city_code_of_another_municipality(self):
        path = self.sado_with(lambda d: d["jma_codes"].update(city=["1510000"]))
        self.assertRejected(path, "jma_codes.city[0]: 1510000 does not match code 152242 (expected 1522400)")

    def test_it_rejects_jma_codes_that_are_not_digit_strings(self):
        path = self.sado_with(lambda d: d["jma_codes"].update(tsunami_region=[341]))
        self.assertRejected(path, "jma_codes.tsunami_region: expected a list of digit strings")
