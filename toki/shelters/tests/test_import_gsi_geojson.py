"""import_shelters with the real GSI GeoJSON files of Sado (64 指定避難所 and 86 指定緊急避難場所)."""

from io import StringIO

from django.core.management import call_command
from django.utils import translation

from toki.accounts.models import AuditEvent
from toki.shelters.models import Shelter
from toki.shelters.tests.files import GSI_EMERGENCY, GSI_SHELTERS
from toki.test import BaseTestCase


def run(*paths) -> str:
    out = StringIO()
    call_command("import_shelters", *map(str, paths), "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


class GsiGeoJsonImportTests(BaseTestCase):
    def test_it_imports_both_files(self):
        out = run(GSI_SHELTERS, GSI_EMERGENCY)
        self.assertEqual(Shelter.objects.count(), 86)  # one place per site: every 指定避難所 is also an emergency site
        self.assertEqual(Shelter.objects.filter(is_designated_shelter=True).count(), 64)
        self.assertEqual(Shelter.objects.filter(is_emergency_site=True).count(), 86)
        self.assertIn("shitei_hinanjo_152242.geojson: GSI GeoJSON 指定避難所 (utf-8), 64 rows: 64 created", out)
        self.assertIn("GSI GeoJSON 指定緊急避難場所 (utf-8), 86 rows: 86 created, 0 updated, 0 unchanged; 64 joined a "
                      "place already listed", out)

    def test_it_keeps_the_hazard_flags(self):
        run(GSI_EMERGENCY)
        counts = {field: Shelter.objects.filter(**{field: True}).count() for field in (
            "hazard_earthquake", "hazard_flood", "hazard_landslide", "hazard_tsunami", "hazard_storm_surge",
            "hazard_large_fire", "hazard_inland_flood", "hazard_volcano")}
        self.assertEqual(counts, {"hazard_earthquake": 79, "hazard_flood": 73, "hazard_landslide": 72,
                                  "hazard_tsunami": 65, "hazard_storm_surge": 0, "hazard_large_fire": 0,
                                  "hazard_inland_flood": 0, "hazard_volcano": 0})

    def test_it_assigns_every_shelter_a_district(self):
        run(GSI_SHELTERS, GSI_EMERGENCY)
        self.assertFalse(Shelter.objects.filter(district=None).exists())
        self.assertEqual(Shelter.objects.get(common_id="E1522400081111").district, self.districts["ryotsu"])
        self.assertEqual(Shelter.objects.get(common_id="E1522400085201").district, self.districts["ogi"])

    def test_it_reads_the_fields_of_a_designated_shelter(self):
        run(GSI_SHELTERS)
        shelter = Shelter.objects.get(common_id="E1522400001111")
        self.assertEqual((shelter.name, shelter.address), ("七浦小学校体育館", "新潟県佐渡市稲鯨1312"))
        self.assertEqual((shelter.lat, shelter.lon), (37.975521, 138.236001))
        self.assertTrue(shelter.is_designated_shelter)
        self.assertFalse(shelter.is_emergency_site)
        self.assertTrue(shelter.shares_site_with_other_designation)
        self.assertIsNone(shelter.capacity)
        self.assertEqual(shelter.source, Shelter.Source.GSI_GEOJSON)
        self.assertEqual(shelter.municipality, self.municipality)

    def test_it_makes_one_place_of_both_designations(self):
        # The GSI files list 七浦小学校体育館 once per designation, under two 共通ID with one serial (…00001).
        run(GSI_SHELTERS, GSI_EMERGENCY)
        site = Shelter.objects.get(name="七浦小学校体育館")
        self.assertEqual(site.common_id, "E1522400001111")  # the 指定避難所 listing is the primary one
        self.assertEqual([d.common_id for d in site.designations.all()], ["E1522400001111", "E1522400001201"])
        self.assertEqual((site.is_designated_shelter, site.is_emergency_site), (True, True))
        with translation.override("ja"):
            self.assertEqual(site.hazard_labels(), ["洪水", "崖崩れ、土石流及び地滑り", "地震", "津波"])

    def test_the_shelter_listing_gives_the_place_whichever_file_comes_first(self):
        # あいぽーと佐渡: the two files' points are 13 m apart; the 指定避難所 point wins in either order.
        run(GSI_EMERGENCY, GSI_SHELTERS)
        site = Shelter.objects.get(name="あいぽーと佐渡")
        self.assertEqual(site.common_id, "E1522400079111")
        shelter_point = (site.lat, site.lon)
        self.assertEqual(Shelter.objects.count(), 86)
        Shelter.objects.all().delete()
        run(GSI_SHELTERS, GSI_EMERGENCY)
        self.assertEqual((Shelter.objects.get(name="あいぽーと佐渡").lat, Shelter.objects.get(
            name="あいぽーと佐渡").lon), shelter_point)

    def test_names_that_differ_only_in_spaces_are_one_place(self):
        run(GSI_SHELTERS, GSI_EMERGENCY)
        self.assertEqual(Shelter.objects.filter(name__startswith="アミューズメント佐渡").count(), 1)

    def test_two_facilities_at_one_address_stay_two_places(self):
        # 市役所両津支所 and 佐渡島開発総合センター share an address and a site serial (…080), not a name.
        run(GSI_SHELTERS, GSI_EMERGENCY)
        self.assertEqual(Shelter.objects.filter(address="新潟県佐渡市両津湊198").count(), 2)

    def test_it_creates_nothing_new_on_a_second_run(self):
        run(GSI_SHELTERS, GSI_EMERGENCY)
        out = run(GSI_SHELTERS, GSI_EMERGENCY)
        self.assertEqual(Shelter.objects.count(), 86)  # one place per site: every 指定避難所 is also an emergency site
        self.assertIn("64 rows: 0 created, 0 updated, 64 unchanged", out)
        self.assertIn("86 rows: 0 created, 0 updated, 86 unchanged", out)

    def test_it_updates_a_changed_shelter_on_a_second_run(self):
        run(GSI_SHELTERS)
        Shelter.objects.filter(common_id="E1522400001111").update(name="旧名", district=None)
        out = run(GSI_SHELTERS)
        self.assertIn("64 rows: 0 created, 1 updated, 63 unchanged", out)
        shelter = Shelter.objects.get(common_id="E1522400001111")
        self.assertEqual((shelter.name, shelter.district), ("七浦小学校体育館", self.districts["aikawa"]))

    def test_it_records_one_audit_event_per_file_without_personal_data(self):
        run(GSI_SHELTERS)
        event = AuditEvent.objects.get(action="shelters.import")
        self.assertIsNone(event.actor_id)
        self.assertEqual(event.object_id, str(self.municipality.pk))
        self.assertEqual(event.changes, {
            "file": "shitei_hinanjo_152242.geojson", "format": "GSI GeoJSON 指定避難所", "source": "gsi-geojson",
            "rows": 64, "created": 64, "updated": 0, "unchanged": 0, "joined": 0,
        })
