"""Rendering rules: fallbacks for unknown codes, free text labelled, times in Asia/Tokyo, limits, bad input."""

import copy

from toki.alerts.rendering import (
    BODY_LIMIT,
    FreeText,
    facts_for_evacuation,
    facts_from_telegram,
    render,
    text_length,
)
from toki.test import ProfileTestCase

from .test_jma_samples import SADO_CODES, requires_samples, sample


def warning_facts(*kinds: dict, issued_at: str = "2025-11-24T01:30:00+00:00") -> dict:
    """Facts of a warning telegram for 佐渡市, written by hand (the format of docs/alert-rendering.md)."""
    return {
        "version": 1,
        "source": "jma",
        "category": "weather",
        "type": {"code": "VPWW54", "name": "気象警報・注意報（Ｈ２７）"},
        "office": {"code": "", "name": "新潟地方気象台"},
        "issued_at": issued_at,
        "areas": [{"code": "1522400", "name": "佐渡市", "system": "city"}],
        "warnings": [
            {
                "areas": [{"code": "1522400", "name": "佐渡市", "system": "city"}],
                "kinds": list(kinds),
                "changed": True,
                "none_in_force": not kinds,
            }
        ],
        "texts": [],
    }


def kind(code: str, name: str, status: str = "issued", **extra) -> dict:
    return {
        "table": "weather",
        "code": code,
        "name": name,
        "status": {"code": status, "name": ""},
        "level": None,
        "conditions": [],
        "last": None,
        **extra,
    }


class FallbackTests(ProfileTestCase):
    def test_it_shows_the_japanese_name_of_an_unknown_kind_labelled(self):
        facts = warning_facts(kind("98", "火山ガス注意報"))
        rendered = render(facts, "en")
        self.assertEqual(rendered.title, "火山ガス注意報 (Japanese) for Sado City")
        self.assertIn(FreeText("Not translated (Japanese):", "火山ガス注意報"), rendered.untranslated)
        self.assertIn("- 火山ガス注意報 (Japanese): issued", rendered.body)

    def test_it_shows_an_unknown_kind_as_it_is_on_japanese_pages(self):
        rendered = render(warning_facts(kind("98", "火山ガス注意報")), "ja")
        self.assertEqual(rendered.title, "佐渡市に火山ガス注意報")
        self.assertEqual(rendered.untranslated, ())

    def test_it_labels_an_unknown_condition(self):
        facts = warning_facts(kind("03", "大雨警報", conditions=[{"code": "", "name": "高潮害"}]))
        rendered = render(facts, "ko")
        self.assertEqual(rendered.title, "사도시에 호우 경보(高潮害(일본어))")
        self.assertEqual(rendered.untranslated, (FreeText("번역 없음(일본어):", "高潮害"),))

    def test_it_shows_places_without_a_translation_with_a_latin_reading_and_the_japanese(self):
        facts = warning_facts(kind("03", "大雨警報"))
        facts["warnings"][0]["areas"] = [{"code": "1310100", "name": "千代田区", "system": "city"}]
        rendered = render(facts, "en")
        self.assertEqual(rendered.title, "Heavy Rain Warning for Chiyoda ku (千代田区)")
        self.assertEqual(rendered.untranslated, ())

    def test_it_leaves_kanji_place_names_as_they_are_for_chinese_readers(self):
        facts = warning_facts(kind("03", "大雨警報"))
        facts["warnings"][0]["areas"] = [{"code": "1310100", "name": "千代田区", "system": "city"}]
        self.assertIn("千代田区", render(facts, "zh-hans").title)
        self.assertNotIn("Chiyoda", render(facts, "zh-hans").title)

    def test_it_uses_a_districts_name_in_the_readers_language_when_the_facts_carry_it(self):
        facts = facts_for_evacuation(
            level=3,
            hazard="flood",
            district_codes=["ogi"],
            district_names={"ogi": {"ja": "小木", "en": "Ogi", "ko": "오기"}},
            reason="",
            lifted=False,
        )
        self.assertEqual(render(facts, "ko").title, "오기(小木)에 고령자 등 대피(경계 레벨3)")
        self.assertEqual(render(facts, "en").title, "Evacuation of Elderly People, etc. (Level 3) for Ogi (小木)")
        self.assertEqual(render(facts, "ja").title, "小木に高齢者等避難（警戒レベル３）")


class WarningRulesTests(ProfileTestCase):
    def test_it_prefixes_the_level_of_an_r06_kind(self):
        facts = warning_facts(kind("43", "レベル４大雨危険警報", level=4))
        self.assertEqual(render(facts, "ja").title, "佐渡市にレベル４大雨危険警報")
        self.assertEqual(render(facts, "en").title, "Level 4 Heavy Rain Danger Warning for Sado City")
        self.assertEqual(render(facts, "zh-hans").title, "佐渡市发布4级大雨危险警报")
        self.assertIn("Level 4: Everyone in the area must evacuate from dangerous places.", render(facts, "en").body)

    def test_it_puts_the_most_severe_kinds_in_the_title(self):
        facts = warning_facts(kind("14", "雷注意報", "continued"), kind("33", "大雨特別警報"), kind("05", "暴風警報"))
        rendered = render(facts, "en")
        self.assertEqual(rendered.title, "Heavy Rain Emergency Warning for Sado City")
        self.assertIn("Level 5: Your life is in danger. Take the safest action immediately.", rendered.body)

    def test_it_says_a_warning_is_lifted(self):
        facts = warning_facts(kind("03", "大雨警報", "lifted"), kind("10", "大雨注意報", "lifted"))
        self.assertEqual(render(facts, "ja").title, "佐渡市の大雨警報を解除")
        self.assertEqual(render(facts, "en").title, "Heavy Rain Warning lifted for Sado City")

    def test_it_says_when_nothing_is_in_force(self):
        self.assertEqual(render(warning_facts(), "en").title, "No warnings or advisories for Sado City")
        self.assertIn("- No warnings or advisories in force", render(warning_facts(), "en").body)


class TimeTests(ProfileTestCase):
    def test_it_shows_times_in_asia_tokyo(self):
        facts = warning_facts(kind("03", "大雨警報"), issued_at="2025-11-24T01:30:00+00:00")
        expected = {
            "ja": "発表：24日 10時30分　新潟地方気象台",
            "en": "Issued 24 Nov 10:30 JST by Niigata Local Meteorological Office",
            "zh-hans": "发布：11月24日 10:30（日本时间）　新潟地方气象台",
            "ko": "발표: 11월 24일 10:30(일본 시간) 니가타 지방 기상대",
        }
        for language, line in expected.items():
            with self.subTest(language):
                self.assertIn(line, render(facts, language).body.split("\n"))


class FreeTextTests(ProfileTestCase):
    def test_it_labels_a_free_text_only_telegram_as_untranslated(self):
        facts = warning_facts()
        facts.update(
            category="weather",
            warnings=[],
            type={"code": "VPFJ50", "name": "府県気象情報"},
            head_title="新潟県気象情報",
            texts=[{"kind": "headline", "text": "佐渡では大雨に警戒してください。"}],
        )
        rendered = render(facts, "en")
        self.assertEqual(rendered.title, "Prefectural Weather Information (Sado City)")
        self.assertEqual(
            rendered.untranslated, (FreeText("Original text from JMA (Japanese):", "佐渡では大雨に警戒してください。"),)
        )
        self.assertIn("Original text from JMA (Japanese):\n佐渡では大雨に警戒してください。", rendered.body)
        japanese = render(facts, "ja")
        self.assertEqual(japanese.title, "新潟県気象情報")
        self.assertIn("気象庁の発表文：\n佐渡では大雨に警戒してください。", japanese.body)
        self.assertEqual(japanese.untranslated, ())

    def test_it_shortens_a_long_free_text_to_fit_a_line_message(self):
        facts = warning_facts(kind("03", "大雨警報"))
        facts["texts"] = [{"kind": "headline", "text": "大雨" * 4000}, {"kind": "comment", "text": "次の文"}]
        for language in ("ja", "en", "ko"):
            with self.subTest(language):
                body = render(facts, language).body
                self.assertLessEqual(text_length(body), BODY_LIMIT)
                self.assertIn(render(facts, language).title, body)
                self.assertNotIn("次の文", body)
        self.assertIn("…\n(shortened)\n\nSource: Japan Meteorological Agency (JMA)", render(facts, "en").body)

    def test_it_counts_length_as_line_does(self):
        self.assertEqual(text_length("佐渡"), 2)
        self.assertEqual(text_length("🌊"), 2)  # outside the BMP: two UTF-16 code units


@requires_samples
class SampleRulesTests(ProfileTestCase):
    def test_it_names_the_type_when_the_telegram_says_nothing_about_sado(self):
        facts = facts_from_telegram(sample("32-39_11_02_250206_VTSE41.xml"), SADO_CODES)
        self.assertEqual(render(facts, "en").title, "Tsunami Warnings, Advisories and Forecasts")

    def test_it_does_not_tell_sado_to_evacuate_for_other_coasts_warnings(self):
        facts = facts_from_telegram(sample("32-39_12_02_250206_VTSE41.xml"), SADO_CODES)
        self.assertIn("0149", facts["fixed_comments"])  # ただちに避難してください (for the warned coasts)
        self.assertNotIn("Evacuate immediately.", render(facts, "en").body)


class BadInputTests(ProfileTestCase):
    def test_it_refuses_an_unknown_language(self):
        with self.assertRaisesRegex(ValueError, "unknown language 'fr'"):
            render(warning_facts(), "fr")

    def test_it_refuses_an_unknown_message_type(self):
        with self.assertRaisesRegex(ValueError, "unknown msg_type 'ack'"):
            render(warning_facts(), "en", msg_type="ack")

    def test_it_refuses_facts_of_another_version(self):
        facts = copy.deepcopy(warning_facts())
        facts["version"] = 2
        with self.assertRaisesRegex(ValueError, "unsupported facts version 2"):
            render(facts, "en")
