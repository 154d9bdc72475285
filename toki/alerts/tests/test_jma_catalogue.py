"""Message types from Control/Title, Head/InfoKind and (optionally) the code in the file name."""

import unittest

from toki.alerts.jma.catalogue import EARTHQUAKE, RIVER, UNKNOWN, WARNING, classify, code_hint_from_name, known_codes


class ClassifyTests(unittest.TestCase):
    def test_it_maps_a_title_to_its_code(self):
        message_type = classify("震源・震度に関する情報", "地震情報")
        self.assertEqual(
            (message_type.code, message_type.family, message_type.city_relevant), ("VXSE53", EARTHQUAKE, True)
        )

    def test_it_tells_h27_and_r06_warnings_apart_by_title(self):
        self.assertEqual(classify("気象警報・注意報（Ｈ２７）", "気象警報・注意報").code, "VPWW54")
        self.assertEqual(classify("気象警報・注意報（Ｒ０６）（大雨）", "気象警報・注意報").code, "VPWW55")

    def test_it_accepts_both_spellings_of_the_r06_sediment_title(self):
        self.assertEqual(classify("気象警報・注意報（Ｒ０６）（土砂災害）", "気象警報・注意報").code, "VPWW56")
        self.assertEqual(classify("気象警報・注意報（Ｒ０６）（土砂）", "気象警報・注意報").code, "VPWW56")

    def test_it_folds_half_width_characters_of_a_title(self):
        self.assertEqual(classify("気象警報・注意報(R06)(大雪)", "気象警報・注意報").code, "VPWW60")

    def test_it_keeps_every_candidate_of_a_shared_title(self):
        self.assertEqual(classify("南海トラフ地震関連解説情報", "南海トラフ地震に関連する情報").code, "VYSE51/VYSE52")

    def test_it_settles_a_shared_title_with_the_file_name_code(self):
        self.assertEqual(classify("台風解析・予報情報（３日予報）", "", "VPTW41").code, "VPTW41")

    def test_it_takes_a_river_office_code_from_the_file_name(self):
        message_type = classify("指定河川洪水予報", "指定河川洪水予報", "VXKO51")
        self.assertEqual((message_type.code, message_type.family), ("VXKO51", RIVER))

    def test_it_trusts_the_title_over_a_contradicting_file_name(self):
        self.assertEqual(classify("震度速報", "震度速報", "VXSE53").code, "VXSE51")

    def test_it_treats_an_unknown_r06_title_as_a_warning(self):
        message_type = classify("気象警報・注意報（Ｒ０６）（新現象）", "気象警報・注意報")
        self.assertEqual((message_type.code, message_type.family, message_type.city_relevant), ("", WARNING, True))

    def test_it_falls_back_to_the_info_kind_for_an_unknown_title(self):
        message_type = classify("津波警報・注意報・予報ｂ", "津波警報・注意報・予報")
        self.assertEqual((message_type.code, message_type.family, message_type.city_relevant), ("", "tsunami", True))

    def test_it_marks_an_entirely_unknown_telegram_not_city_relevant(self):
        message_type = classify("新しい情報", "新しい情報")
        self.assertEqual((message_type.family, message_type.city_relevant), (UNKNOWN, False))

    def test_it_uses_a_known_file_name_code_when_the_title_is_unknown(self):
        self.assertEqual(classify("竜巻注意情報（改）", "竜巻注意情報", "VPHW51").code, "VPHW51")


class CodeHintTests(unittest.TestCase):
    def test_it_reads_the_code_of_a_feed_url(self):
        url = "https://www.data.jma.go.jp/developer/xml/data/20231009052607_0_VTSE41_010000.xml"
        self.assertEqual(code_hint_from_name(url), "VTSE41")

    def test_it_reads_the_code_of_a_sample_file_name(self):
        self.assertEqual(code_hint_from_name("16_07_01_220728_VXKOii.xml"), "VXKOii")

    def test_it_finds_no_code_in_other_names(self):
        self.assertEqual(code_hint_from_name("telegram.xml"), "")

    def test_it_knows_every_type_of_the_reference_table(self):
        for code in ("VPWW53", "VPWW54", "VPWW61", "VPOA50", "VXKOii", "VXWW50", "VPBS50", "VXSE51", "VFVO56"):
            with self.subTest(code):
                self.assertIn(code, known_codes())
