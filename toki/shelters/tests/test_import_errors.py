"""A bad file stops import_shelters with the file, row, column and reason, and writes nothing of it."""

import json
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase

from toki.accounts.models import AuditEvent
from toki.shelters.models import Shelter
from toki.shelters.tests.files import (
    GSI_CSV_CP932,
    GSI_CSV_UTF8_BOM,
    GSI_SHELTERS,
    STANDARD_CSV,
    TempFiles,
    read_csv,
)
from toki.test import BaseTestCase


class ImportErrorTests(TempFiles, BaseTestCase):
    def assertRejected(self, *paths, message):
        before = (Shelter.objects.count(), AuditEvent.objects.filter(action="shelters.import").count())
        with self.assertRaises(CommandError) as caught:
            call_command("import_shelters", *map(str, paths), "--no-progress", stdout=StringIO(), stderr=StringIO())
        self.assertIn(message, str(caught.exception))
        self.assertIn("nothing imported from this file", str(caught.exception))
        self.assertEqual((Shelter.objects.count(), AuditEvent.objects.filter(action="shelters.import").count()),
                         before)
        return str(caught.exception)

    def test_it_rejects_a_row_without_a_name(self):
        path = self.csv_with(GSI_CSV_UTF8_BOM, 2, "施設・場所名", "")
        self.assertRejected(path,
                            message="gsi_emergency_utf8bom.csv: row 2 (line 3), 施設・場所名: required, but empty")

    def test_it_rejects_a_latitude_out_of_range(self):
        path = self.csv_with(GSI_CSV_UTF8_BOM, 1, "緯度", "95.2")
        self.assertRejected(path, message="row 1 (line 2), 緯度: 95.2 is out of range (-90 to 90)")

    def test_it_rejects_a_latitude_that_is_not_a_number(self):
        path = self.csv_with(GSI_CSV_UTF8_BOM, 3, "経度", "東経138度")
        self.assertRejected(path, message="row 3 (line 4), 経度: not a number: '東経138度'")

    def test_it_rejects_a_hazard_flag_other_than_one_zero_or_empty(self):
        path = self.csv_with(GSI_CSV_UTF8_BOM, 3, "津波", "○")
        self.assertRejected(path, message="row 3 (line 4), 津波: expected \"1\", \"0\" or empty, got '○'")

    def test_it_rejects_a_point_outside_the_municipality(self):
        rows = read_csv(GSI_CSV_UTF8_BOM)
        rows[2][rows[0].index("緯度")], rows[2][rows[0].index("経度")] = "37.916", "139.036"  # 新潟市
        self.assertRejected(self.write_rows("outside.csv", rows),
                            message="row 2 (line 3), 緯度/経度: (37.916, 139.036) is outside 佐渡市")

    def test_it_rejects_a_duplicate_common_id_within_the_file(self):
        path = self.csv_with(GSI_CSV_UTF8_BOM, 3, "共通ID", "E1522400001201")
        self.assertRejected(path, message="row 3 (line 4), 共通ID: 'E1522400001201' repeats row 1")

    def test_it_rejects_a_row_of_another_municipality(self):
        path = self.csv_with(GSI_CSV_UTF8_BOM, 1, "都道府県名及び市町村名", "新潟県新潟市")
        self.assertRejected(path, message="row 1 (line 2), 都道府県名及び市町村名: '新潟県新潟市' is not 新潟県佐渡市")

    def test_it_rejects_a_cp932_file_with_a_bad_row(self):
        path = self.csv_with(GSI_CSV_CP932, 2, "指定緊急避難場所との住所同一", "2", encoding="cp932")
        self.assertRejected(path, message="row 2 (line 3), 指定緊急避難場所との住所同一: expected")

    def test_it_rejects_a_row_with_more_cells_than_the_header(self):
        rows = read_csv(GSI_CSV_UTF8_BOM)
        rows[1].append("余分")
        self.assertRejected(self.write_rows("extra.csv", rows), message="row 1 (line 2), (row): has more cells")

    def test_it_rejects_a_csv_without_coordinates(self):
        rows = [row[:-3] + row[-1:] for row in read_csv(GSI_CSV_UTF8_BOM)]
        self.assertRejected(self.write_rows("no_latlon.csv", rows), message="missing column 緯度, 経度")

    def test_it_rejects_an_unknown_format(self):
        path = self.write("other.csv", "name,lat,lon\n学校,38.0,138.4\n")
        self.assertRejected(path, message="other.csv: unknown format: expected GSI")

    def test_it_rejects_json_that_is_not_a_feature_collection(self):
        path = self.write("list.json", "{\"type\": \"Feature\"}")
        self.assertRejected(path, message="list.json: a JSON file must be a GeoJSON FeatureCollection")

    def test_it_rejects_bytes_that_are_neither_utf8_nor_cp932(self):
        self.assertRejected(self.write("binary.csv", b"\x81\x00\xff\xfe"), message="cannot decode as UTF-8")

    def test_it_rejects_a_bad_feature_of_a_geojson_file(self):
        document = json.loads(GSI_SHELTERS.read_text(encoding="utf-8"))
        document["features"][4]["geometry"]["coordinates"][1] = 95
        document["features"][9]["properties"]["施設・場所名"] = ""
        message = self.assertRejected(
            self.write("bad.geojson", json.dumps(document, ensure_ascii=False)),
            message="bad.geojson: feature 5 (features[4]), geometry.coordinates[1] (latitude): 95 is out of range")
        self.assertIn("feature 10 (features[9]), 施設・場所名: required, but empty", message)
        self.assertIn("(2 problems)", message)

    def test_it_rejects_a_standard_row_without_an_id(self):
        path = self.csv_with(STANDARD_CSV, 2, "ID", "", encoding="utf-8")
        self.assertRejected(path, message="row 2 (line 3), ID: required, but empty")

    def test_it_rejects_a_standard_row_of_another_municipality_code(self):
        path = self.csv_with(STANDARD_CSV, 1, "全国地方公共団体コード", "151009", encoding="utf-8")
        self.assertRejected(path, message="row 1 (line 2), 全国地方公共団体コード: 151009 is not 152242")

    def test_it_writes_none_of_the_files_when_a_later_one_is_bad(self):
        bad = self.csv_with(GSI_CSV_UTF8_BOM, 1, "緯度", "")
        self.assertRejected(GSI_SHELTERS, bad, message="row 1 (line 2), 緯度: required, but empty")
        self.assertFalse(Shelter.objects.exists())

    def test_it_rejects_an_unknown_municipality_code(self):
        with self.assertRaisesMessage(CommandError, "--municipality 999999: no such municipality"):
            call_command("import_shelters", str(GSI_SHELTERS), "--municipality", "999999", stdout=StringIO())


class ImportWithoutProfileTests(TestCase):
    def test_it_asks_for_a_profile_first(self):
        with self.assertRaisesMessage(CommandError, "no default municipality: load a profile first"):
            call_command("import_shelters", str(GSI_SHELTERS), "--no-progress", stdout=StringIO())
