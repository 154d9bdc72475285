"""Which telegrams concern a municipality: Sado, and a second one (Tokyo's 千代田区, Kanagawa's 小田原市)."""

import unittest
from pathlib import Path

from toki.alerts.jma import concerns, load_profile_codes, matching_areas

from .test_jma_samples import SADO_CODES, all_sample_paths, requires_samples, sample, synthetic

REPO = Path(__file__).resolve().parents[3]

# Every sample naming Sado by code (reference §5): six earthquake reports and the tsunami series.
SAMPLES_CONCERNING_SADO = {
    "32-35_06_03_240613_VXSE53.xml",
    "32-35_06_04_240613_VXSE53.xml",
    "32-35_06_05_240613_VXSE53.xml",
    "32-35_07_06_240613_VXSE53.xml",
    "32-35_07_07_240613_VXSE53.xml",
    "32-39_11_05_240613_VXSE53.xml",
    "32-39_11_13_250206_VTSE41.xml",
    "32-39_12_02_250206_VTSE41.xml",
    "32-39_12_03_250206_VTSE51.xml",
    "32-39_12_06_250206_VTSE51.xml",
    "32-39_12_07_250206_VTSE41.xml",
    "32-39_12_08_250206_VTSE51.xml",
    "32-39_12_10_250206_VTSE51.xml",
    "32-39_12_11_250206_VTSE51.xml",
    "32-39_12_12_250206_VTSE51.xml",
    "32-39_12_13_250206_VTSE41.xml",
    "32-39_12_14_250206_VTSE51.xml",
    "38_01_01_250710_VTSE51.xml",
    "38_02_01_250710_VTSE51.xml",
}

CHIYODA_CODES = {
    "city": ["1310100"],
    "forecast_subdivision": ["130010"],
    "forecast_region": ["130000"],
    "forecast_region_item_name": "東京地方",
    "earthquake_region": ["350"],
}
ODAWARA_CODES = {"city": ["1420600"], "forecast_region": ["140000"]}

RECORD_RAIN = "18_03_01_190412_VPOA50.xml"
H27_SHIMANE = "15_17_01_250123_VPWW54.xml"


def matched(telegram, profile_codes):
    return {(match.key, match.area.code or match.area.name) for match in matching_areas(telegram, profile_codes)}


@requires_samples
class SadoRelevanceTests(unittest.TestCase):
    def test_it_finds_exactly_the_samples_that_name_sado(self):
        found = {path.name for path in all_sample_paths() if concerns(sample(path.name), SADO_CODES)}
        self.assertEqual(found, SAMPLES_CONCERNING_SADO)

    def test_it_matches_an_earthquake_by_region_and_city(self):
        matches = matched(sample("32-35_06_03_240613_VXSE53.xml"), SADO_CODES)
        self.assertLessEqual({("earthquake_region", "375"), ("city", "1522400")}, matches)
        # Sado's stations match too, through the city they are listed under.
        self.assertIn(("city", "1522420"), matches)
        self.assertEqual({key for key, _ in matches}, {"earthquake_region", "city"})

    def test_it_matches_a_tsunami_forecast_region(self):
        self.assertEqual(matched(sample("32-39_11_13_250206_VTSE41.xml"), SADO_CODES), {("tsunami_region", "341")})

    def test_it_matches_the_sado_tide_station(self):
        self.assertIn(("tsunami_stations", "34103"), matched(sample("32-39_12_08_250206_VTSE51.xml"), SADO_CODES))

    def test_it_does_not_take_chiba_earthquake_region_341_for_sado_tsunami_region_341(self):
        self.assertFalse(concerns(sample("32-35_01_01_100806_VXSE51.xml"), SADO_CODES))

    def test_it_does_not_take_a_yamagata_station_named_sado_for_sado(self):
        self.assertFalse(concerns(sample("32-35_08_07_240613_VXSE53.xml"), SADO_CODES))

    def test_it_does_not_match_warnings_of_another_prefecture(self):
        self.assertFalse(concerns(sample(H27_SHIMANE), SADO_CODES))

    def test_it_matches_synthetic_sado_warnings(self):
        # SYNTHETIC: a real Shimane VPWW54 with its 松江市 item renamed 佐渡市 / 1522400.
        telegram = synthetic(H27_SHIMANE, ("3220100", "1522400"))
        self.assertIn(("city", "1522400"), matched(telegram, SADO_CODES))


@requires_samples
class PrefectureRuleTests(unittest.TestCase):
    def test_it_needs_a_sado_item_besides_the_prefecture_code(self):
        # SYNTHETIC: a 記録的短時間大雨情報 for 新潟県 naming only 新潟市 places.
        telegram = synthetic(RECORD_RAIN, ("016010", "150000"), ("石狩地方", "新潟県"), ("札幌市中央区", "新潟市"))
        self.assertFalse(concerns(telegram, SADO_CODES))

    def test_it_accepts_a_sado_place_of_the_old_record_rain_text(self):
        # SYNTHETIC: the same telegram reporting 約１００ミリ at 佐渡市 (the old VPOA50 names places in text only).
        telegram = synthetic(RECORD_RAIN, ("016010", "150000"), ("石狩地方", "新潟県"), ("札幌市中央区", "佐渡市"))
        self.assertEqual(
            matched(telegram, SADO_CODES), {("forecast_region", "150000"), ("forecast_region_item", "佐渡市")}
        )

    def test_it_accepts_the_sado_item_by_name_within_the_niigata_telegram(self):
        # SYNTHETIC: Shimane's VPWW54 turned into Niigata's, with its 隠岐 item (code 320030) renamed 佐渡.
        telegram = synthetic(H27_SHIMANE, ("320000", "150000"), ("<Name>隠岐</Name>", "<Name>佐渡</Name>"))
        codes_without_sado_codes = {**SADO_CODES, "city": [], "forecast_subdivision": []}
        self.assertIn(("forecast_region_item", "320030"), matched(telegram, codes_without_sado_codes))

    def test_it_ignores_the_item_name_outside_the_prefecture(self):
        telegram = synthetic(H27_SHIMANE, ("<Name>隠岐</Name>", "<Name>佐渡</Name>"))
        self.assertFalse(concerns(telegram, {**SADO_CODES, "city": [], "forecast_subdivision": []}))


@requires_samples
class SecondMunicipalityTests(unittest.TestCase):
    def test_it_matches_tokyo_warnings_for_chiyoda(self):
        self.assertEqual(
            matched(sample("15_14_01_170216_VPWW53.xml"), CHIYODA_CODES),
            {
                ("city", "1310100"),
                ("forecast_subdivision", "130010"),
                ("forecast_region", "130000"),
                ("forecast_region_item", "130010"),
            },
        )

    def test_it_matches_an_earthquake_felt_in_chiyoda(self):
        self.assertIn(("city", "1310100"), matched(sample("32-35_06_03_240613_VXSE53.xml"), CHIYODA_CODES))

    def test_it_does_not_match_a_sado_tsunami_forecast_for_chiyoda(self):
        self.assertFalse(concerns(sample("32-39_11_13_250206_VTSE41.xml"), CHIYODA_CODES))

    def test_it_matches_a_sediment_alert_for_odawara(self):
        self.assertIn(("city", "1420600"), matched(sample("17_04_01_250630_VXWW50.xml"), ODAWARA_CODES))

    def test_it_does_not_match_tokyo_warnings_for_odawara(self):
        self.assertFalse(concerns(sample("15_14_01_170216_VPWW53.xml"), ODAWARA_CODES))


class ProfileCodesTests(unittest.TestCase):
    def test_it_reads_the_jma_codes_of_the_sado_profile(self):
        codes = load_profile_codes(REPO / "profiles" / "sado.json")
        self.assertEqual((codes["city"], codes["tsunami_region"]), (["1522400"], ["341"]))

    def test_it_refuses_a_code_given_as_a_string(self):
        with self.assertRaisesRegex(ValueError, "profile key 'city' must be a list"):
            concerns(_EmptyTelegram(), {"city": "1522400"})


class _EmptyTelegram:
    """Stands in for a telegram that names no area."""

    def all_areas(self):
        return iter(())
