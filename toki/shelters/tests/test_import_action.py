"""toki.shelters.actions.import_shelters: fields per format, districts, conflicts, one transaction."""

from pathlib import Path

from django.conf import settings

from toki.accounts.models import AuditEvent
from toki.areas.actions import load_profile
from toki.areas.selectors import district_locator
from toki.shelters.actions import ShelterImportConflict, import_shelters
from toki.shelters.importing import read_shelter_file
from toki.shelters.models import Shelter
from toki.shelters.tests.files import GSI_CSV_UTF8_BOM, STANDARD_CSV, TempFiles, read_csv
from toki.test import BaseTestCase

EXAMPLE_TOWN = Path(settings.BASE_DIR) / "profiles" / "example-town.json"


class ImportActionTests(TempFiles, BaseTestCase):
    def parse(self, path, municipality=None):
        municipality = municipality or self.municipality
        return read_shelter_file(path, municipality=municipality, locator=district_locator(municipality))

    def run_import(self, parsed, municipality=None):
        return import_shelters(parsed.rows, acting_user=self.alice, municipality=municipality or self.municipality,
                               source=parsed.format.source, file_name=parsed.path.name,
                               file_format=parsed.format.label)

    def test_it_counts_created_updated_and_unchanged(self):
        parsed = self.parse(GSI_CSV_UTF8_BOM)
        self.assertEqual(self.run_import(parsed).created, 3)
        Shelter.objects.filter(common_id="E1522400003201").update(hazard_tsunami=False)
        result = self.run_import(parsed)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 1, 2))
        self.assertTrue(Shelter.objects.get(common_id="E1522400003201").hazard_tsunami)

    def test_it_keeps_fields_the_format_does_not_carry(self):
        rows = read_csv(STANDARD_CSV, "utf-8")
        rows[1][rows[0].index("ID")] = "E1522400001201"  # the 七浦小学校 emergency site, with a capacity
        rows[1][rows[0].index("緯度")], rows[1][rows[0].index("経度")] = "37.975521", "138.236001"
        self.run_import(self.parse(self.write_rows("standard.csv", rows, encoding="utf-8")))
        self.run_import(self.parse(GSI_CSV_UTF8_BOM))  # GSI has no capacity, kana or phone
        shelter = Shelter.objects.get(common_id="E1522400001201")
        self.assertEqual((shelter.capacity, shelter.phone), (810, "0259-00-0000"))
        self.assertEqual(shelter.name, "七浦小学校体育館")
        self.assertEqual(shelter.source, Shelter.Source.GSI_CSV)

    def test_it_records_the_acting_user(self):
        self.run_import(self.parse(GSI_CSV_UTF8_BOM))
        event = AuditEvent.objects.get(action="shelters.import")
        self.assertEqual(event.actor_id, self.alice.pk)

    def test_it_refuses_a_common_id_of_another_municipality_and_writes_nothing(self):
        awashima = load_profile(EXAMPLE_TOWN, make_default=False)
        self.run_import(self.parse(GSI_CSV_UTF8_BOM))
        rows = read_csv(GSI_CSV_UTF8_BOM)[:2]
        rows[1][rows[0].index("都道府県名及び市町村名")] = "新潟県粟島浦村"
        rows[1][rows[0].index("緯度")], rows[1][rows[0].index("経度")] = "38.466", "139.250"
        parsed = self.parse(self.write_rows("awashima.csv", rows), awashima)
        with self.assertRaisesMessage(ShelterImportConflict, "belongs to a shelter of another municipality"):
            self.run_import(parsed, awashima)
        self.assertEqual(Shelter.objects.get(common_id="E1522400001201").municipality, self.municipality)


class ImportOverRowsWithoutListingsTests(BaseTestCase):
    def test_a_shelter_written_without_a_listing_is_found_by_its_common_id(self):
        Shelter.objects.create(common_id="E1522400001201", municipality=self.municipality, name="七浦小学校体育館",
                               address="新潟県佐渡市稲鯨1312", lat=37.975521, lon=138.236001, source="gsi-csv",
                               is_emergency_site=True)
        parsed = read_shelter_file(GSI_CSV_UTF8_BOM, municipality=self.municipality,
                                   locator=district_locator(self.municipality))
        result = import_shelters(parsed.rows, acting_user=self.alice, municipality=self.municipality,
                                 source=parsed.format.source, file_name="x.csv")
        self.assertEqual((result.created, result.updated), (2, 1))
        self.assertEqual(Shelter.objects.get(common_id="E1522400001201").designations.count(), 1)
