"""Earthquake information and EEW: exact values from real samples, including the ones that reach Sado."""

import unittest
from datetime import datetime

from toki.alerts.jma.common import CITY, EARTHQUAKE_REGION, SEISMIC_STATION
from toki.alerts.jma.xmlsafe import JST

from .test_jma_samples import requires_samples, sample

SADO_MAX_3 = "32-35_06_03_240613_VXSE53.xml"
SADO_MAX_4 = "32-39_11_05_240613_VXSE53.xml"


def intensity_at(telegram, code, code_type):
    found = [i.intensity for i in telegram.intensities if i.area.code == code and i.area.code_type == code_type]
    return found[0] if found else None


@requires_samples
class EarthquakeInformationTests(unittest.TestCase):
    def test_it_reads_the_maximum_intensity(self):
        self.assertEqual(sample(SADO_MAX_3).max_intensity, "6+")
        self.assertEqual(sample(SADO_MAX_4).max_intensity, "7")

    def test_it_reads_the_hypocentre(self):
        quake = sample(SADO_MAX_3).earthquake
        self.assertEqual(quake.origin_time, datetime(2008, 6, 14, 8, 43, tzinfo=JST))
        self.assertEqual((quake.hypocenter.name, quake.hypocenter.code), ("岩手県内陸南部", "213"))
        self.assertEqual((quake.latitude, quake.longitude, quake.depth_km), (39.0, 140.9, 10.0))
        self.assertEqual((quake.magnitude, quake.magnitude_type), (7.0, "Mj"))

    def test_it_reads_an_unknown_magnitude_as_none_with_its_description(self):
        quake = sample(SADO_MAX_4).earthquake
        self.assertIsNone(quake.magnitude)
        self.assertEqual(quake.magnitude_description, "Ｍ８を超える巨大地震")

    def test_it_reads_sado_region_and_city_intensity(self):
        telegram = sample(SADO_MAX_3)
        self.assertEqual(intensity_at(telegram, "375", EARTHQUAKE_REGION), "3")
        self.assertEqual(intensity_at(telegram, "1522400", CITY), "3")

    def test_it_reads_sado_station_intensities_under_the_city(self):
        stations = [
            (i.area.name, i.intensity)
            for i in sample(SADO_MAX_4).intensities
            if i.area.code_type == SEISMIC_STATION and i.area.city_code == "1522400"
        ]
        self.assertEqual(len(stations), 12)
        self.assertIn(("佐渡市河原田本町＊", "4"), stations)
        self.assertEqual(intensity_at(sample(SADO_MAX_4), "1522400", CITY), "4")

    def test_it_keeps_a_station_named_sado_in_its_own_city(self):
        # 鮭川村佐渡＊ is in Yamagata: its name says 佐渡, its codes do not.
        station = next(i.area for i in sample("32-35_08_07_240613_VXSE53.xml").intensities if "佐渡" in i.area.name)
        self.assertEqual((station.code, station.code_type, station.city_code), ("0636630", SEISMIC_STATION, "0636600"))

    def test_it_reads_the_regions_of_a_shindo_sokuho(self):
        telegram = sample("32-39_11_01_120615_VXSE51.xml")
        self.assertEqual(telegram.max_intensity, "6+")
        self.assertEqual(intensity_at(telegram, "220", EARTHQUAKE_REGION), "6+")  # 宮城県北部
        self.assertIsNone(telegram.earthquake)

    def test_it_reads_a_hypocentre_only_telegram(self):
        telegram = sample("33_12_01_240613_VXSE52.xml")
        self.assertEqual(telegram.earthquake.hypocenter.name, "岐阜県美濃中西部")
        self.assertEqual(telegram.intensities, ())

    def test_it_reads_fixed_comments(self):
        self.assertIn("＊印は気象庁以外の震度観測点についての情報です。", sample(SADO_MAX_3).comments)

    def test_it_reads_long_period_ground_motion_classes(self):
        telegram = sample("78_01_01_240613_VXSE62.xml")
        miyagi = telegram.intensities[0]
        self.assertEqual((miyagi.area.name, miyagi.intensity, miyagi.long_period_class), ("宮城県", "4", "3"))
        self.assertEqual(telegram.intensities[2].area.code_type, "長周期地震動観測点")


@requires_samples
class NationalInformationTests(unittest.TestCase):
    def test_it_keeps_the_text_of_a_nankai_trough_information(self):
        telegram = sample("74_01_01_200512_VYSE50.xml")
        self.assertEqual(telegram.message_type.code, "VYSE50")
        self.assertIn("調査結果がまとまり次第、「南海トラフ地震臨時情報」でお知らせします。", telegram.comments)


@requires_samples
class StatusAndRetractionTests(unittest.TestCase):
    def test_it_reads_a_retraction_with_its_reason(self):
        telegram = sample("32-35_06_06_100915_VXSE53.xml")
        self.assertEqual((telegram.info_type, telegram.serial), ("取消", "3"))
        self.assertEqual(telegram.body_text, "先ほどの、震源・震度情報を取り消します。")
        self.assertEqual(telegram.intensities, ())

    def test_it_reads_a_drill(self):
        telegram = sample("32-35_01_02_240613_VXSE52.xml")
        self.assertEqual((telegram.status, telegram.info_type), ("訓練", "発表"))
        self.assertEqual(telegram.earthquake.hypocenter.name, "駿河湾")

    def test_it_reads_a_test_telegram_as_not_city_relevant(self):
        telegram = sample("54_01_01_100514_VXSE42.xml")
        self.assertEqual((telegram.status, telegram.message_type.code), ("試験", "VXSE42"))
        self.assertFalse(telegram.city_relevant_kind)


@requires_samples
class EarthquakeEarlyWarningTests(unittest.TestCase):
    def test_it_reads_the_forecast_maximum_and_regions(self):
        telegram = sample("37_01_01_240613_VXSE43.xml")
        self.assertEqual(telegram.message_type.code, "VXSE43")
        self.assertEqual(telegram.max_intensity, "5-")
        first = telegram.forecast_intensities[0]
        self.assertEqual((first.area.name, first.area.code), ("愛媛県南予", "622"))
        self.assertEqual(first.area.code_type, EARTHQUAKE_REGION)
        self.assertEqual((first.lowest, first.highest, first.category), ("5-", "5-", "緊急地震速報（警報）"))
        self.assertEqual(first.condition, "既に主要動到達と推測")

    def test_it_reads_the_expected_arrival_time(self):
        second = sample("37_01_01_240613_VXSE43.xml").forecast_intensities[1]
        self.assertEqual(second.arrival_time, datetime(2024, 4, 17, 23, 15, 2, tzinfo=JST))


@requires_samples
class DistantHypocentreTests(unittest.TestCase):
    """A distant earthquake carries a detailed hypocentre name besides the coarse one: people get the detailed one
    (issue 12 item 6)."""

    def test_it_takes_the_detailed_hypocentre_name_of_a_distant_earthquake(self):
        hypocenter = sample("32-35_01_03_100514_VXSE53.xml").earthquake.hypocenter
        self.assertEqual((hypocenter.name, hypocenter.code, hypocenter.code_type),
                         ("フィジー諸島", "182", "詳細震央地名"))

    def test_it_keeps_the_hypocentre_name_of_a_near_earthquake(self):
        self.assertEqual(sample(SADO_MAX_3).earthquake.hypocenter.code_type, "震央地名")
