"""load_profile: districts with computed or explicit boundaries, offices, idempotency, another municipality."""

from django.test import TestCase

from toki.accounts.models import AuditEvent
from toki.areas.actions import load_profile
from toki.areas.models import District, Municipality, Office
from toki.areas.tests.profile_files import EXAMPLE_TOWN, SADO, ProfileFiles
from toki.lib import geo

SQUARE_AROUND_OGI = {"type": "Polygon", "coordinates": [[
    [138.20, 37.79], [138.30, 37.79], [138.30, 37.85], [138.20, 37.85], [138.20, 37.79]]]}


class LoadProfileTests(ProfileFiles, TestCase):
    def test_it_creates_the_municipality_and_its_districts(self):
        municipality = load_profile(SADO)
        self.assertEqual((municipality.code, municipality.name), ("152242", "佐渡市"))
        self.assertTrue(municipality.is_default)
        self.assertEqual(municipality.districts.count(), 10)
        self.assertEqual(Office.objects.filter(municipality=municipality).count(), 4)

    def test_it_computes_approximate_boundaries_with_their_source(self):
        municipality = load_profile(SADO)
        for district in municipality.districts.all():
            with self.subTest(district.code):
                self.assertTrue(district.boundary_is_approximate)
                self.assertIn("Voronoi", district.boundary_source)
                self.assertTrue(geo.point_in_geometry(district.centre_lat, district.centre_lon, district.boundary))

    def test_it_keeps_an_explicit_boundary_and_marks_it_official(self):
        def give_ogi_a_boundary(data):
            ogi = next(d for d in data["districts"] if d["code"] == "ogi")
            ogi["boundary"] = SQUARE_AROUND_OGI
            ogi["boundary_source"] = "国土数値情報 (test)"

        load_profile(self.sado_with(give_ogi_a_boundary))
        ogi = District.objects.get(code="ogi")
        self.assertEqual(ogi.boundary, SQUARE_AROUND_OGI)
        self.assertFalse(ogi.boundary_is_approximate)
        self.assertEqual(ogi.boundary_source, "国土数値情報 (test)")
        self.assertTrue(District.objects.get(code="hamochi").boundary_is_approximate)

    def test_it_is_idempotent(self):
        load_profile(SADO)
        boundaries = {d.code: d.boundary for d in District.objects.all()}
        load_profile(SADO)
        self.assertEqual(Municipality.objects.count(), 1)
        self.assertEqual(District.objects.count(), 10)
        self.assertEqual({d.code: d.boundary for d in District.objects.all()}, boundaries)

    def test_it_records_an_audit_event(self):
        municipality = load_profile(SADO)
        event = AuditEvent.objects.get(action="areas.load_profile")
        self.assertEqual(event.object_id, str(municipality.pk))
        self.assertEqual(event.changes["districts"], 10)
        self.assertEqual(event.changes["approximate_boundaries"], 10)
        self.assertEqual(event.changes["file"], "sado.json")

    def test_it_loads_another_municipality_from_a_file_alone(self):
        load_profile(SADO)
        awashima = load_profile(EXAMPLE_TOWN, make_default=False)
        self.assertEqual((awashima.code, awashima.name), ("155861", "粟島浦村"))
        self.assertFalse(awashima.is_default)
        self.assertEqual(sorted(awashima.districts.values_list("code", flat=True)), ["kamaya", "uchiura"])
        self.assertEqual(Municipality.objects.get(is_default=True).code, "152242")
        self.assertEqual(awashima.jma_codes["city"], ["1558600"])

    def test_it_moves_the_default_to_the_last_profile_loaded_as_default(self):
        load_profile(SADO)
        load_profile(EXAMPLE_TOWN)
        self.assertEqual(list(Municipality.objects.filter(is_default=True).values_list("code", flat=True)),
                         ["155861"])

    def test_it_keeps_the_outline_in_the_profile_field(self):
        municipality = load_profile(SADO)
        self.assertEqual(municipality.profile["outline"]["type"], "Polygon")
        self.assertNotIn("districts", municipality.profile)
