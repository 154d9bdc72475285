"""Tsunami warnings and information: categories per 津波予報区 and observations, including Sado (341)."""

import unittest
from datetime import datetime

from toki.alerts.jma.common import TIDE_STATION, TSUNAMI_REGION
from toki.alerts.jma.xmlsafe import JST

from .test_jma_samples import requires_samples, sample


def forecast_for(telegram, code):
    return next(forecast for forecast in telegram.tsunami_forecasts if forecast.area.code == code)


@requires_samples
class TsunamiForecastTests(unittest.TestCase):
    def test_it_reads_sados_category_in_a_normal_telegram(self):
        sado = forecast_for(sample("32-39_11_13_250206_VTSE41.xml"), "341")
        self.assertEqual((sado.area.name, sado.area.code_type), ("佐渡", TSUNAMI_REGION))
        self.assertEqual((sado.category.name, sado.category.code), ("津波予報（若干の海面変動）", "71"))

    def test_it_reads_an_advisory_issued_for_sado_in_the_drill(self):
        telegram = sample("32-39_12_02_250206_VTSE41.xml")
        sado = forecast_for(telegram, "341")
        self.assertEqual(telegram.status, "訓練")
        self.assertEqual((sado.category.name, sado.category.code), ("津波注意報", "62"))
        self.assertEqual((sado.last_category.name, sado.last_category.code), ("津波なし", "00"))
        self.assertEqual(sado.arrival_time, datetime(2016, 9, 1, 10, 50, tzinfo=JST))
        self.assertEqual((sado.max_height.meters, sado.max_height.condition), (None, "不明"))

    def test_it_reads_the_advisory_cleared_at_the_end_of_the_drill(self):
        sado = forecast_for(sample("32-39_12_13_250206_VTSE41.xml"), "341")
        self.assertEqual((sado.category.name, sado.last_category.name), ("津波注意報解除", "津波注意報"))

    def test_it_reads_the_expected_height_and_station_of_the_information(self):
        sado = forecast_for(sample("32-39_12_08_250206_VTSE51.xml"), "341")
        self.assertEqual((sado.max_height.meters, sado.max_height.description), (1.0, "１ｍ"))
        self.assertEqual([(s.station.name, s.station.code) for s in sado.stations], [("佐渡市鷲崎", "34103")])
        self.assertEqual(sado.stations[0].station.code_type, TIDE_STATION)

    def test_it_reads_a_major_tsunami_warning_with_a_qualitative_height(self):
        ibaraki = forecast_for(sample("32-39_12_02_250206_VTSE41.xml"), "300")
        self.assertEqual((ibaraki.category.name, ibaraki.category.code), ("大津波警報：発表", "53"))
        self.assertEqual((ibaraki.max_height.meters, ibaraki.max_height.description), (None, "巨大"))

    def test_it_reads_a_retraction(self):
        telegram = sample("38-39_03_01_210805_VTSE41.xml")
        self.assertEqual(telegram.info_type, "取消")
        self.assertEqual(telegram.body_text, "先ほどの、津波注意報を取り消します。")
        self.assertEqual(telegram.tsunami_forecasts, ())


@requires_samples
class TsunamiObservationTests(unittest.TestCase):
    def test_it_reads_observations_per_station(self):
        observations = sample("32-39_11_10_250206_VTSE51.xml").tsunami_observations
        self.assertTrue(observations)
        first = observations[0]
        self.assertEqual(first.area.code_type, TSUNAMI_REGION)
        self.assertEqual(first.station.code_type, TIDE_STATION)

    def test_it_reads_offshore_gauges(self):
        telegram = sample("32-39_12_05_250206_VTSE52.xml")
        gauge = telegram.tsunami_observations[0]
        self.assertEqual((gauge.station.name, gauge.station.code), ("静岡御前崎沖", "38090"))
        self.assertEqual(gauge.sensor, "ＧＰＳ波浪計")
        self.assertEqual((gauge.initial, gauge.arrival_time), ("押し", datetime(2016, 9, 1, 7, 10, tzinfo=JST)))
