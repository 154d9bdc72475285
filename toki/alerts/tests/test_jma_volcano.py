"""Volcano warnings: 噴火警戒レベル per volcano, municipalities concerned, corrections and retractions."""

import unittest

from toki.alerts.jma.common import CITY

from .test_jma_samples import requires_samples, sample


@requires_samples
class VolcanoTests(unittest.TestCase):
    def test_it_reads_a_raised_alert_level(self):
        telegram = sample("45_01_01_200522_VFVO50.xml")
        self.assertEqual(telegram.volcano_levels(), {"306": 3})  # 浅間山
        target = telegram.volcano_items[0]
        self.assertEqual((target.kind.name, target.kind.condition), ("レベル３（入山規制）", "引上げ"))
        self.assertEqual(target.last_kind.name, "レベル１（活火山であることに留意）")

    def test_it_reads_level_five_evacuation(self):
        self.assertEqual(sample("45_02_01_200522_VFVO50.xml").volcano_levels(), {"315": 5})  # 箱根山

    def test_it_lists_the_municipalities_concerned(self):
        municipalities = sample("45_01_01_200522_VFVO50.xml").volcano_items[1]
        self.assertEqual(municipalities.info_type, "噴火警報・予報（対象市町村等）")
        self.assertEqual(municipalities.kind.name, "火口周辺警報")
        self.assertIn(("群馬県嬬恋村", "1042500", CITY), [(a.name, a.code, a.code_type) for a in municipalities.areas])

    def test_it_reads_the_volcano_headline(self):
        self.assertTrue(sample("45_01_01_200522_VFVO50.xml").volcano_headline.startswith("＜浅間山に火口周辺警報"))

    def test_it_reads_a_retracted_eruption_flash(self):
        telegram = sample("67_01_04_140927_VFVO56.xml")
        self.assertEqual((telegram.message_type.code, telegram.info_type), ("VFVO56", "取消"))
        retraction = "平成２６年９月２７日１２時００分に発表した御嶽山の噴火速報を取り消します。"
        self.assertEqual(telegram.body_text, retraction)

    def test_it_reads_a_corrected_observation_report(self):
        telegram = sample("43_02_01_200522_VFVO52.xml")
        self.assertEqual((telegram.info_type, telegram.body_text), ("訂正", "現象を訂正"))
        self.assertEqual(telegram.volcano_items[0].kind.name, "噴火多発")
