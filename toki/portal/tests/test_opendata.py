import csv
import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from toki.shelters.models import Shelter
from toki.shelters.opendata import STANDARD_COLUMNS
from toki.test import BaseTestCase

GSI_FILE = "toki/demo/data/shitei_kinkyu_hinanbasho_152242.geojson"


class OpenDataTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("import_shelters", GSI_FILE, no_progress=True, verbosity=0)

    def test_it_exports_the_standard_csv_columns_in_order(self):
        response = self.client.get(reverse("portal:shelters_csv"))
        text = response.content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(list(rows[0].keys()), STANDARD_COLUMNS)
        self.assertEqual(len(rows), Shelter.objects.count())
        self.assertTrue(response.content.startswith("\ufeff".encode()))

    def test_it_exports_a_csv_that_imports_back_unchanged(self):
        before = {s.common_id: (s.name, s.hazard_tsunami, round(s.lat, 6)) for s in Shelter.objects.all()}
        content = self.client.get(reverse("portal:shelters_csv")).content
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "shelters.csv"
            path.write_bytes(content)
            call_command("import_shelters", str(path), no_progress=True, verbosity=0)
        after = {s.common_id: (s.name, s.hazard_tsunami, round(s.lat, 6)) for s in Shelter.objects.all()}
        self.assertEqual(after, before)

    def test_it_exports_a_formula_like_name_as_text(self):
        # Issue 13 finding 9: a shelter master imported with a name like "=HYPERLINK(...)" is exported as text.
        rows = list(csv.DictReader(io.StringIO(
            self.client.get(reverse("portal:shelters_csv")).content.decode("utf-8-sig"))))
        rows[0]["名称"] = '=HYPERLINK("http://evil.example","避難所")'
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "shelters.csv"
            with path.open("w", encoding="utf-8", newline="") as out:
                writer = csv.DictWriter(out, fieldnames=STANDARD_COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
            call_command("import_shelters", str(path), no_progress=True, verbosity=0)
        exported = list(csv.DictReader(io.StringIO(
            self.client.get(reverse("portal:shelters_csv")).content.decode("utf-8-sig"))))
        self.assertIn("'=HYPERLINK(\"http://evil.example\",\"避難所\")", [row["名称"] for row in exported])

    def test_it_exports_geojson_points_with_attribution(self):
        data = self.client.get(reverse("portal:shelters_geojson")).json()
        self.assertEqual(len(data["features"]), Shelter.objects.count())
        self.assertIn("国土地理院", data["attribution"])
        lon, lat = data["features"][0]["geometry"]["coordinates"]
        self.assertTrue(138 < lon < 139 and 37 < lat < 39)

    def test_it_lists_the_data_sets(self):
        self.assertContains(self.client.get(reverse("portal:opendata")), reverse("portal:shelters_csv"))


class OpenDataOnePlacePerSiteTests(BaseTestCase):
    def test_a_site_designated_both_ways_is_one_row_under_its_emergency_site_id(self):
        call_command("import_shelters", GSI_FILE.replace("shitei_kinkyu_hinanbasho", "shitei_hinanjo"), GSI_FILE,
                     no_progress=True, verbosity=0)
        rows = list(csv.DictReader(io.StringIO(
            self.client.get(reverse("portal:shelters_csv")).content.decode("utf-8-sig"))))
        self.assertEqual(len(rows), 86)
        nanaura = [row for row in rows if row["名称"] == "七浦小学校体育館"]
        self.assertEqual([(row["ID"], row["指定避難所との重複"], row["災害種別_津波"]) for row in nanaura],
                         [("E1522400001201", "1", "1")])
