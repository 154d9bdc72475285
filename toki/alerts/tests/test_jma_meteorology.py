"""Warnings, advisories and rapid reports: exact values from real samples (and marked synthetic Sado copies)."""

import unittest
from datetime import datetime

from toki.alerts.jma.common import CITY, FORECAST_AREA, TEXT_PLACE
from toki.alerts.jma.xmlsafe import JST

from .test_jma_samples import requires_samples, sample, synthetic

H27_SHIMANE = "15_17_01_250123_VPWW54.xml"


def kinds_of(items):
    return [(kind.name, kind.code, kind.status) for item in items for kind in item.kinds]


@requires_samples
class H27WarningTests(unittest.TestCase):
    def test_it_reads_the_head_of_a_vpww54(self):
        telegram = sample(H27_SHIMANE)
        self.assertEqual(telegram.message_type.code, "VPWW54")
        self.assertEqual(telegram.head_title, "島根県気象警報・注意報")
        self.assertEqual(telegram.editorial_office, "松江地方気象台")
        self.assertEqual(telegram.report_datetime, datetime(2024, 11, 2, 13, 5, tzinfo=JST))
        self.assertEqual((telegram.event_id, telegram.serial), ("", ""))

    def test_it_reads_the_kinds_in_force_for_one_municipality(self):
        items = sample(H27_SHIMANE).warnings_for("3220100")  # 松江市
        self.assertEqual(len(items), 1)
        self.assertEqual(items[0].warning_type, "気象警報・注意報（市町村等）")
        self.assertEqual(items[0].areas[0].code_type, CITY)
        self.assertEqual(items[0].change_status, "変化無")
        self.assertEqual(
            kinds_of(items),
            [
                ("大雨警報", "03", "継続"),
                ("雷注意報", "14", "継続"),
                ("強風注意報", "15", "継続"),
                ("波浪注意報", "16", "継続"),
            ],
        )

    def test_it_keeps_condition_and_notes_of_a_kind(self):
        heavy_rain = sample(H27_SHIMANE).warnings_for("3220100")[0].kinds[0]
        self.assertEqual(heavy_rain.condition, "浸水害")
        self.assertEqual(heavy_rain.notes, ("土砂災害注意", "浸水警戒"))
        self.assertEqual((heavy_rain.last_kind.name, heavy_rain.last_kind.code), ("大雨警報", "03"))
        self.assertIsNone(heavy_rain.level)  # the H27 telegram carries no 警戒レベル

    def test_it_gives_prefecture_level_areas_the_forecast_area_code_system(self):
        prefecture = sample(H27_SHIMANE).warnings_for("320000")[0]
        self.assertEqual(prefecture.warning_type, "気象警報・注意報（府県予報区等）")
        self.assertEqual(prefecture.areas[0].code_type, FORECAST_AREA)

    def test_it_reads_sado_warnings_from_a_synthetic_niigata_copy(self):
        # SYNTHETIC: the 松江市 item of a real VPWW54 renamed to 佐渡市 (no warning sample covers Niigata).
        telegram = synthetic(H27_SHIMANE, ("<Name>松江市</Name>", "<Name>佐渡市</Name>"), ("3220100", "1522400"))
        items = telegram.warnings_for("1522400")
        self.assertEqual(items[0].areas[0].name, "佐渡市")
        self.assertEqual(kinds_of(items)[0], ("大雨警報", "03", "継続"))

    def test_it_reads_a_special_warning_of_the_old_system(self):
        items = sample("15_14_01_170216_VPWW53.xml").warnings_for("130010")  # 東京地方
        self.assertEqual(kinds_of(items), [("大雨特別警報", "33", "発表"), ("洪水警報", "04", "発表")])
        self.assertEqual(items[0].change_status, "警報・注意報種別に変化有")

    def test_it_reads_no_warning_as_its_own_status(self):
        items = sample("15_14_01_170216_VPWW53.xml").warnings_for("1310100")  # 千代田区
        self.assertEqual(kinds_of(items), [("", "", "発表警報・注意報はなし")])


@requires_samples
class R06WarningTests(unittest.TestCase):
    def test_it_classifies_each_r06_phenomenon(self):
        expected = {
            "15_17_01_250630_VPWW55.xml": "VPWW55",
            "15_17_01_250630_VPWW56.xml": "VPWW56",
            "15_16_02_241031_VPWW57.xml": "VPWW57",
            "15_16_04_250630_VPWW58.xml": "VPWW58",
            "15_16_05_241226_VPWW59.xml": "VPWW59",
            "15_16_06_241226_VPWW60.xml": "VPWW60",
            "15_16_07_250630_VPWW61.xml": "VPWW61",
        }
        for name, code in expected.items():
            with self.subTest(name):
                self.assertEqual(sample(name).message_type.code, code)

    def test_it_reads_the_level_from_the_r06_kind_name(self):
        kind = sample("15_17_01_250630_VPWW55.xml").warnings_for("3220100")[0].kinds[0]  # 松江市
        self.assertEqual((kind.name, kind.code, kind.status, kind.level), ("レベル３大雨警報", "03", "継続", 3))

    def test_it_reads_the_r06_risk_level_of_a_kind(self):
        kind = sample("15_17_01_250630_VPWW55.xml").warnings_for("3220100")[0].kinds[0]
        risks = [(risk.type, risk.name, risk.code) for risk in kind.significancies]
        self.assertEqual(risks, [("大雨浸水危険度", "警戒レベル３相当", "31")])

    def test_it_reads_a_released_r06_advisory(self):
        kinds = sample("15_17_01_250630_VPWW55.xml").warnings_for("3252800")[0].kinds  # 隠岐の島町
        self.assertEqual([(k.name, k.status, k.level) for k in kinds], [("レベル２大雨注意報", "解除", 2)])

    def test_it_reads_the_level_four_sediment_hazard_warning(self):
        levels = {
            kind.level
            for item in sample("15_17_01_250630_VPWW56.xml").warnings
            for kind in item.kinds
            if kind.name == "レベル４土砂災害危険警報"
        }
        self.assertEqual(levels, {4})

    def test_it_reads_the_other_advisories_of_vpww61(self):
        prefecture = sample("15_16_07_250630_VPWW61.xml").warnings_for("011000")[0]
        self.assertEqual((prefecture.kinds[0].name, prefecture.kinds[0].status), ("雷注意報", "発表"))


@requires_samples
class SedimentDisasterTests(unittest.TestCase):
    def test_it_gives_the_sediment_alert_level_four(self):
        odawara = sample("17_04_01_250630_VXWW50.xml").warnings_for("1420600")[0]  # 小田原市
        kind = odawara.kinds[0]
        self.assertEqual((kind.name, kind.code, kind.status, kind.level), ("警戒", "3", "発表", 4))
        self.assertEqual(odawara.areas[0].code_type, CITY)

    def test_it_gives_no_level_where_there_is_no_alert(self):
        kind = sample("17_04_01_250630_VXWW50.xml").warnings_for("1410011")[0].kinds[0]  # 横浜市北部
        self.assertEqual((kind.name, kind.status, kind.level), ("なし", "なし", None))

    def test_it_keeps_event_id_and_serial(self):
        telegram = sample("17_04_01_250630_VXWW50.xml")
        self.assertEqual((telegram.event_id, telegram.serial), ("神奈川県土砂災害警戒情報", "1"))
        self.assertEqual(telegram.head_title, "神奈川県レベル４土砂災害危険警報")


@requires_samples
class RapidReportTests(unittest.TestCase):
    def test_it_reads_places_of_the_old_record_rain_headline(self):
        observations = sample("18_02_01_111226_VPOA50.xml").observations
        self.assertEqual([(o.area.name, o.description, o.value) for o in observations], [
            ("舞鶴市西部", "１２０ミリ以上", 120.0),
            ("上京区", "約９０ミリ", 90.0),
        ])
        self.assertEqual(observations[0].area.code_type, TEXT_PLACE)
        self.assertEqual(observations[0].time, datetime(2011, 12, 15, 16, 30, tzinfo=JST))

    def test_it_reads_the_record_rain_area_of_vpoa50(self):
        item = sample("18_02_01_111226_VPOA50.xml").warnings[0]
        self.assertEqual((item.areas[0].name, item.areas[0].code), ("京都府", "260000"))
        self.assertEqual((item.kinds[0].name, item.kinds[0].status), ("記録的短時間大雨情報", "発表"))

    def test_it_reads_the_structured_record_rain_of_vpbs50(self):
        first = sample("82_01_02_250630_VPBS50.xml").observations[0]
        self.assertEqual((first.area.name, first.area.code, first.area.code_type), ("美幌町", "0154300", CITY))
        self.assertEqual((first.element, first.description), ("前１時間解析雨量", "約１００ミリ"))
        self.assertEqual((first.value, first.unit), (100.0, "mm"))

    def test_it_reads_a_linear_rainband_event(self):
        events = [o for o in sample("82_01_01_241031_VPBS50.xml").observations if o.element == "線状降水帯発生"]
        self.assertTrue(events)
        self.assertEqual(events[0].area.code_type, FORECAST_AREA)


@requires_samples
class RiverTests(unittest.TestCase):
    def test_it_reads_the_head_kind_and_level_of_a_flood_forecast(self):
        telegram = sample("16_07_01_220728_VXKOii.xml")
        self.assertEqual(telegram.message_type.code, "VXKOii")
        kind = telegram.headline_items[0].kinds[0]
        self.assertEqual((kind.name, kind.code, kind.condition), ("氾濫危険情報", "40", "洪水警報（発表）"))

    def test_it_reads_the_level_of_each_gauge_from_the_main_text(self):
        items = [item for item in sample("16_07_01_220728_VXKOii.xml").warnings if item.kinds[0].text.startswith("【")]
        self.assertEqual([item.kinds[0].level for item in items], [4, 3, 2])
        self.assertEqual(items[0].stations[0].code_type, "水位観測所")

    def test_it_keeps_the_city_code_of_flooded_areas(self):
        items = sample("16_02_02_220728_VXKOii.xml").warnings
        flood_areas = [area for item in items if item.kinds[0].name.startswith("浸水") for area in item.areas]
        self.assertIn("4120600", {area.city_code for area in flood_areas})

    def test_it_reads_a_r06_water_level_notice(self):
        item = sample("91_01_01_241031_VXSUii.xml").warnings[0]
        self.assertEqual((item.kinds[0].name, item.kinds[0].level), ("レベル２氾濫注意報", 2))
        self.assertEqual((item.areas[0].name, item.areas[0].code_type), ("善川", "河川"))


@requires_samples
class TornadoAndSerialisationTests(unittest.TestCase):
    def test_it_reads_the_validity_of_a_tornado_advisory(self):
        telegram = sample("19_01_01_091210_VPHW50.xml")
        self.assertEqual(telegram.valid_datetime, datetime(2009, 8, 10, 8, 40, tzinfo=JST))
        self.assertIn(("竜巻注意情報", "1", "発表"), kinds_of(telegram.warnings_for("1310100")))  # 千代田区

    def test_it_serialises_levels_and_aware_times(self):
        data = sample("15_17_01_250630_VPWW55.xml").to_dict()
        self.assertEqual(data["report_datetime"], "2024-11-02T11:19:00+09:00")
        city = next(item for item in data["warnings"] if item["areas"][0]["code"] == "3220100")
        self.assertEqual(city["kinds"][0]["level"], 3)
        self.assertEqual(city["kinds"][0]["significancies"][0]["name"], "警戒レベル３相当")
