"""import_shelters with CSV: GSI CSV in UTF-8 with BOM and in CP932, and the 標準オープンデータ CSV."""

from io import StringIO

from django.core.management import call_command
from django.utils import translation

from toki.shelters.models import Shelter
from toki.shelters.tests.files import (
    GSI_CSV_CP932,
    GSI_CSV_UTF8_BOM,
    STANDARD_CSV,
    TempFiles,
    read_csv,
)
from toki.test import BaseTestCase


def run(*paths) -> str:
    out = StringIO()
    call_command("import_shelters", *map(str, paths), "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


class GsiCsvImportTests(TempFiles, BaseTestCase):
    def test_it_reads_utf8_with_a_bom(self):
        out = run(GSI_CSV_UTF8_BOM)
        self.assertIn("GSI CSV 指定緊急避難場所 (utf-8-sig), 3 rows: 3 created", out)
        shelter = Shelter.objects.get(common_id="E1522400001201")
        self.assertEqual((shelter.name, shelter.lat, shelter.lon), ("七浦小学校体育館", 37.975521, 138.236001))
        with translation.override("ja"):
            self.assertEqual(shelter.hazard_labels(), ["洪水", "崖崩れ、土石流及び地滑り", "地震", "津波"])
        self.assertEqual(shelter.source, Shelter.Source.GSI_CSV)

    def test_it_reads_utf8_without_a_bom(self):
        rows = read_csv(GSI_CSV_UTF8_BOM)
        out = run(self.write_rows("no_bom.csv", rows, encoding="utf-8"))
        self.assertIn("(utf-8), 3 rows: 3 created", out)

    def test_it_reads_cp932(self):
        out = run(GSI_CSV_CP932)
        self.assertIn("GSI CSV 指定避難所 (cp932), 3 rows: 3 created", out)
        shelter = Shelter.objects.get(common_id="E1522400004111")
        self.assertEqual(shelter.name, "羽茂Ｂ＆Ｇ海洋センター")
        self.assertIn("①～③", shelter.notes)
        self.assertEqual(shelter.district, self.districts["hamochi"])

    def test_it_keeps_the_accepted_people_and_other_matters(self):
        run(GSI_CSV_CP932)
        shelter = Shelter.objects.get(common_id="E1522400081111")
        self.assertEqual(shelter.accepted_people, "地区住民")
        self.assertEqual(shelter.notes, "その他市町村長が必要と認める事項: ペット同行可")

    def test_it_reads_the_header_with_a_middle_dot_for_the_comma(self):
        rows = read_csv(GSI_CSV_UTF8_BOM)
        rows[0][rows[0].index("崖崩れ、土石流及び地滑り")] = "崖崩れ・土石流及び地滑り"
        run(self.write_rows("dot.csv", rows))
        self.assertTrue(Shelter.objects.get(common_id="E1522400003201").hazard_landslide)

    def test_it_is_idempotent(self):
        run(GSI_CSV_UTF8_BOM, GSI_CSV_CP932)
        out = run(GSI_CSV_UTF8_BOM, GSI_CSV_CP932)
        self.assertEqual(Shelter.objects.count(), 5)  # 七浦小学校体育館 is in both files: one place
        self.assertEqual(out.count("3 rows: 0 created, 0 updated, 3 unchanged"), 2)


class StandardCsvImportTests(BaseTestCase):
    def test_it_reads_the_standard_columns(self):
        out = run(STANDARD_CSV)
        self.assertIn("標準オープンデータ 指定緊急避難場所一覧 CSV (utf-8), 3 rows: 3 created", out)
        shelter = Shelter.objects.get(common_id="152242-0001")
        self.assertEqual((shelter.name, shelter.name_kana), ("佐渡市総合体育館", "サドシソウゴウタイイクカン"))
        self.assertEqual(shelter.address, "新潟県佐渡市窪田75-1")
        self.assertEqual(shelter.phone, "0259-00-0000")
        self.assertTrue(shelter.is_emergency_site)
        self.assertTrue(shelter.is_designated_shelter)  # 指定避難所との重複 = 1
        self.assertEqual(shelter.district, self.districts["sawata"])
        self.assertEqual(shelter.source, Shelter.Source.STANDARD_CSV)

    def test_it_parses_the_capacity_text(self):
        run(STANDARD_CSV)
        capacities = dict(Shelter.objects.values_list("common_id", "capacity"))
        self.assertEqual(capacities, {"152242-0001": 810, "152242-0002": 1200, "152242-0003": None})

    def test_it_keeps_an_unparsed_capacity_in_the_notes(self):
        run(STANDARD_CSV)
        self.assertIn("想定収容人数: 未定", Shelter.objects.get(common_id="152242-0003").notes)

    def test_it_joins_the_extension_to_the_phone(self):
        run(STANDARD_CSV)
        self.assertEqual(Shelter.objects.get(common_id="152242-0003").phone, "0259-00-0001 内線123")

    def test_it_is_idempotent(self):
        run(STANDARD_CSV)
        self.assertIn("3 rows: 0 created, 0 updated, 3 unchanged", run(STANDARD_CSV))
