"""Facts (Alert.facts) built from real JMA samples and from city evacuation orders.

No warning sample covers Niigata: the Sado warning cases are SYNTHETIC in-memory copies of real samples with the
area's name and code replaced by 佐渡市 / 1522400 (as in test_jma_meteorology.py).
"""

import json
import unittest
from datetime import datetime

from toki.alerts.jma.xmlsafe import JST
from toki.alerts.models import Alert
from toki.alerts.rendering import category_of, facts_for_evacuation, facts_from_telegram

from .test_jma_samples import SADO_CODES, all_sample_paths, requires_samples, sample, synthetic

H27_CHIYODA = "15_12_02_161130_VPWW54.xml"


def sado_h27_heavy_rain():
    """SYNTHETIC: the 千代田区 item of a real VPWW54 (大雨警報 issued, 洪水警報 issued, 雷注意報 continued) renamed to
    佐渡市, its 浸水害 condition changed to 土砂災害."""
    return synthetic(
        H27_CHIYODA,
        ("千代田区", "佐渡市"),
        ("1310100", "1522400"),
        ("<Condition>浸水害</Condition>", "<Condition>土砂災害</Condition>"),
    )


def sado_r06_heavy_rain():
    """SYNTHETIC: the 松江市 item of a real R06 VPWW55 (レベル３大雨警報 continued) renamed to 佐渡市."""
    return synthetic("15_17_01_250630_VPWW55.xml", ("松江市", "佐渡市"), ("3220100", "1522400"))


def sado_landslide_alert(name="17_04_01_250630_VXWW50.xml"):
    """SYNTHETIC: the 小田原市 item of a real VXWW50 (レベル４土砂災害危険警報) renamed to 佐渡市."""
    return synthetic(name, ("小田原市", "佐渡市"), ("1420600", "1522400"))


def sado_river_forecast():
    """SYNTHETIC: a real 六角川 VXKO whose flood areas lie in 武雄市 (4120600), moved to 佐渡市."""
    return synthetic("16_02_02_220728_VXKOii.xml", ("4120600", "1522400"))


def sado_record_rain():
    """SYNTHETIC: a real 記録的短時間大雨情報 (VPOA50) moved from 札幌市中央区 / 石狩地方 to 佐渡市 / 佐渡."""
    return synthetic("18_03_01_190412_VPOA50.xml", ("札幌市中央区", "佐渡市"), ("016010", "150040"))


@requires_samples
class TelegramFactsTests(unittest.TestCase):
    def test_it_builds_json_serialisable_facts_with_a_version_for_every_sample(self):
        for path in all_sample_paths():
            with self.subTest(path.name):
                facts = facts_from_telegram(sample(path.name), SADO_CODES)
                self.assertEqual(facts["version"], 1)
                self.assertEqual(json.loads(json.dumps(facts)), facts)

    def test_it_gives_every_sample_a_category_of_the_alert_model(self):
        for path in all_sample_paths():
            with self.subTest(path.name):
                self.assertIn(category_of(sample(path.name)), Alert.Category.values)

    def test_it_maps_the_families_to_categories(self):
        expected = {
            "15_17_01_250630_VPWW55.xml": "weather",
            "17_04_01_250630_VXWW50.xml": "landslide",
            "16_07_01_220728_VXKOii.xml": "river",
            "18_03_01_190412_VPOA50.xml": "rain",
            "82_01_01_241031_VPBS50.xml": "rain",
            "32-35_06_03_240613_VXSE53.xml": "earthquake",
            "32-39_12_02_250206_VTSE41.xml": "tsunami",
            "45_01_01_200522_VFVO50.xml": "volcano",
            "24_04_01_100806_VPFD50.xml": "other",
        }
        for name, category in expected.items():
            with self.subTest(name):
                self.assertEqual(category_of(sample(name)), category)

    def test_it_keeps_only_the_municipalitys_own_warning_item(self):
        facts = facts_from_telegram(sado_h27_heavy_rain(), SADO_CODES)
        self.assertEqual(len(facts["warnings"]), 1)
        item = facts["warnings"][0]
        self.assertEqual(item["areas"], [{"code": "1522400", "name": "佐渡市", "system": "city"}])
        self.assertEqual(
            [(kind["code"], kind["name"], kind["status"]["code"]) for kind in item["kinds"]],
            [("03", "大雨警報", "issued"), ("04", "洪水警報", "issued"), ("14", "雷注意報", "continued")],
        )
        self.assertEqual(item["kinds"][0]["conditions"], [{"code": "landslide", "name": "土砂災害"}])
        self.assertEqual(item["kinds"][0]["last"], {"code": "10", "name": "大雨注意報"})

    def test_it_keeps_the_level_of_an_r06_warning(self):
        facts = facts_from_telegram(sado_r06_heavy_rain(), SADO_CODES)
        kind = facts["warnings"][0]["kinds"][0]
        self.assertEqual((kind["table"], kind["code"], kind["level"], facts["system"]), ("weather", "03", 3, "R06"))

    def test_it_reads_the_landslide_alert_with_its_level(self):
        facts = facts_from_telegram(sado_landslide_alert(), SADO_CODES)
        kind = facts["warnings"][0]["kinds"][0]
        self.assertEqual((kind["table"], kind["code"], kind["level"]), ("landslide_r06", "3", 4))
        self.assertEqual(kind["status"]["code"], "issued")

    def test_it_names_what_a_bare_lifting_lifts(self):
        facts = facts_from_telegram(sado_landslide_alert("17_04_03_250630_VXWW50.xml"), SADO_CODES)
        kind = facts["warnings"][0]["kinds"][0]
        self.assertEqual((kind["table"], kind["code"], kind["status"]["code"]), ("landslide_r06", "3", "lifted"))

    def test_it_reads_sados_intensity_with_the_hypocenter(self):
        facts = facts_from_telegram(sample("32-35_06_03_240613_VXSE53.xml"), SADO_CODES)
        quake = facts["earthquake"]
        self.assertEqual(quake["hypocenter"], {"code": "213", "name": "岩手県内陸南部", "system": "epicenter"})
        self.assertEqual((quake["magnitude"], quake["depth_km"], quake["max_intensity"]), (7.0, 10.0, "6+"))
        self.assertEqual(datetime.fromisoformat(quake["origin_time"]), datetime(2008, 6, 14, 8, 43, tzinfo=JST))
        local = {entry["area"]["code"]: entry["intensity"] for entry in quake["local"]}
        self.assertEqual(local, {"1522400": "3", "375": "3"})
        self.assertEqual(
            quake["stations"][0],
            {"area": {"code": "1522420", "name": "佐渡市岩谷口＊", "system": "seismic_station"}, "intensity": "3"},
        )
        self.assertEqual(len(quake["stations"]), 6)

    def test_it_recovers_the_codes_of_jmas_fixed_comments(self):
        facts = facts_from_telegram(sample("32-35_06_03_240613_VXSE53.xml"), SADO_CODES)
        self.assertEqual(facts["fixed_comments"], ["0203", "0241", "0210"])
        self.assertEqual([text["kind"] for text in facts["texts"]], ["headline"])

    def test_it_keeps_a_magnitude_given_only_as_words(self):
        facts = facts_from_telegram(sample("33_12_01_240613_VXSE52.xml"), SADO_CODES)
        self.assertEqual((facts["earthquake"]["magnitude"], facts["earthquake"]["magnitude_over"]), (None, 8.0))

    def test_it_reads_the_tsunami_category_of_sados_region(self):
        facts = facts_from_telegram(sample("32-39_12_07_250206_VTSE41.xml"), SADO_CODES)
        [region] = facts["tsunami"]["regions"]
        self.assertEqual(region["area"]["code"], "341")
        self.assertEqual(region["category"], {"code": "62", "name": "津波注意報"})
        self.assertEqual(datetime.fromisoformat(region["arrival_time"]), datetime(2016, 9, 1, 10, 50, tzinfo=JST))
        self.assertEqual(
            region["height"], {"meters": 1.0, "class": {"code": "meters", "name": "１ｍ"}, "conditions": []}
        )

    def test_it_reads_the_high_tide_at_sados_tide_station(self):
        facts = facts_from_telegram(sample("32-39_12_03_250206_VTSE51.xml"), SADO_CODES)
        [station] = facts["tsunami"]["regions"][0]["stations"]
        self.assertEqual(station["station"]["name"], "佐渡市鷲崎")
        self.assertEqual(datetime.fromisoformat(station["high_tide_time"]), datetime(2016, 9, 1, 14, 10, tzinfo=JST))

    def test_it_reads_the_lifting_of_sados_tsunami_advisory(self):
        facts = facts_from_telegram(sample("32-39_12_13_250206_VTSE41.xml"), SADO_CODES)
        region = facts["tsunami"]["regions"][0]
        self.assertEqual((region["category"]["code"], region["last"]["code"]), ("60", "62"))

    def test_it_leaves_out_the_tsunami_regions_of_other_coasts(self):
        facts = facts_from_telegram(sample("32-39_12_02_250206_VTSE41.xml"), SADO_CODES)
        self.assertEqual([region["area"]["name"] for region in facts["tsunami"]["regions"]], ["佐渡"])

    def test_it_reads_volcano_levels(self):
        facts = facts_from_telegram(sample("45_01_01_200522_VFVO50.xml"), SADO_CODES)
        [volcano] = facts["volcano"]["volcanoes"]
        self.assertEqual(volcano["area"]["name"], "浅間山")
        self.assertEqual((volcano["kind"]["code"], volcano["kind"]["level"]), ("13", 3))
        self.assertEqual(volcano["kind"]["status"]["code"], "raised")
        self.assertEqual(facts["volcano"]["local"], [])  # no Sado municipality in it

    def test_it_reads_a_river_forecast_with_sados_flood_area(self):
        facts = facts_from_telegram(sado_river_forecast(), SADO_CODES)
        river = facts["river"]
        self.assertEqual(
            (river["kind"]["code"], river["kind"]["level"], river["kind"]["name"]), ("3", 3, "氾濫警戒情報")
        )
        self.assertEqual(river["section"]["name"], "六角川")
        self.assertEqual(river["flood_areas"], [{"code": "1522400", "name": "", "system": "city"}])
        self.assertEqual(river["gauges"][0]["station"]["name"], "潮見橋")

    def test_it_reads_a_record_rain_report_near_sado(self):
        facts = facts_from_telegram(sado_record_rain(), SADO_CODES)
        [observation] = facts["rain"]["observations"]
        self.assertEqual(facts["rain"]["report"]["code"], "record_rain")
        self.assertEqual(
            (observation["area"]["name"], observation["value"], observation["unit"]), ("佐渡市", 100.0, "mm")
        )
        self.assertTrue(observation["approximate"])

    def test_it_keeps_the_headline_as_japanese_free_text(self):
        facts = facts_from_telegram(sample("32-39_12_02_250206_VTSE41.xml"), SADO_CODES)
        self.assertEqual(facts["texts"][0]["kind"], "headline")
        self.assertTrue(facts["texts"][0]["text"].startswith("＊＊＊これは訓練です＊＊＊"))

    def test_it_keeps_only_the_reason_of_a_retraction(self):
        facts = facts_from_telegram(sample("32-35_06_06_100915_VXSE53.xml"), SADO_CODES)
        self.assertNotIn("earthquake", facts)
        self.assertEqual(facts["texts"][1], {"kind": "body", "text": "先ほどの、震源・震度情報を取り消します。"})


class EvacuationFactsTests(unittest.TestCase):
    def test_it_describes_an_evacuation_order(self):
        facts = facts_for_evacuation(
            level=4,
            hazard="landslide",
            district_codes=["ryotsu"],
            district_names={"ryotsu": {"ja": "両津", "en": "Ryotsu"}},
            reason="土砂災害の危険が高まっています。",
            lifted=False,
        )
        self.assertEqual(
            facts,
            {
                "version": 1,
                "source": "city",
                "category": "evacuation",
                "type": {"code": "evacuation", "name": "避難情報"},
                "issued_at": None,
                "evacuation": {
                    "level": 4,
                    "hazard": "landslide",
                    "lifted": False,
                    "districts": [
                        {
                            "code": "ryotsu",
                            "name": "両津",
                            "system": "district",
                            "names": {"ja": "両津", "en": "Ryotsu"},
                        },
                    ],
                },
                "texts": [{"kind": "reason", "text": "土砂災害の危険が高まっています。"}],
            },
        )

    def test_it_refuses_an_unknown_level(self):
        with self.assertRaisesRegex(ValueError, "evacuation level"):
            facts_for_evacuation(
                level=2, hazard="flood", district_codes=["ryotsu"], district_names={}, reason="", lifted=False
            )

    def test_it_refuses_an_unknown_hazard(self):
        with self.assertRaisesRegex(ValueError, "unknown hazard 'meteor'"):
            facts_for_evacuation(
                level=4, hazard="meteor", district_codes=["ryotsu"], district_names={}, reason="", lifted=False
            )

    def test_it_refuses_an_order_without_districts(self):
        with self.assertRaisesRegex(ValueError, "at least one district"):
            facts_for_evacuation(level=4, hazard="flood", district_codes=[], district_names={}, reason="", lifted=False)

    def test_it_names_a_district_without_names_by_its_code(self):
        facts = facts_for_evacuation(
            level=3, hazard="flood", district_codes=["x1"], district_names={}, reason="", lifted=True
        )
        self.assertEqual(facts["evacuation"]["districts"][0]["name"], "x1")
        self.assertEqual(facts["texts"], [])
