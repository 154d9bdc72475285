"""Exact texts of the important cases in every language: a 大雨警報, a 津波注意報 drill on 佐渡, 震度 for Sado with
its hypocenter, a Level 4 evacuation order for 両津 and its lifting, a 取消 and a 訂正."""

from datetime import datetime
from zoneinfo import ZoneInfo

from toki.alerts.rendering import LANGUAGES, facts_for_evacuation, facts_from_telegram, render
from toki.test import ProfileTestCase

from .test_jma_samples import SADO_CODES, requires_samples, sample
from .test_rendering_facts import sado_h27_heavy_rain

TOKYO = ZoneInfo("Asia/Tokyo")
RAIN_EASY = (
    "佐渡市（さどし）に 大雨警報（おおあめ けいほう）（土砂災害（どしゃさいがい））・洪水警報（こうずい けいほう）"
)


def evacuation(*, lifted: bool) -> dict:
    return facts_for_evacuation(
        level=4,
        hazard="landslide",
        district_codes=["ryotsu"],
        district_names={"ryotsu": {"ja": "両津", "en": "Ryotsu"}},
        reason="大雨により土砂災害の危険が高まっています。",
        lifted=lifted,
        issued_at=datetime(2025, 11, 24, 10, 30, tzinfo=TOKYO),
    )


class ExactTextTestCase(ProfileTestCase):
    maxDiff = None

    def assert_title_and_short(self, facts: dict, expected: dict, **options):
        self.assertEqual(set(expected), set(LANGUAGES))
        for language, (title, short) in expected.items():
            with self.subTest(language):
                rendered = render(facts, language, **options)
                self.assertEqual((rendered.title, rendered.short), (title, short))


@requires_samples
class HeavyRainWarningTests(ExactTextTestCase):
    """SYNTHETIC: a real VPWW54 item moved to 佐渡市 (see test_rendering_facts.sado_h27_heavy_rain)."""

    def setUp(self):
        self.facts = facts_from_telegram(sado_h27_heavy_rain(), SADO_CODES)

    def test_it_renders_title_and_short_text_in_every_language(self):
        self.assert_title_and_short(
            self.facts,
            {
                "ja": (
                    "佐渡市に大雨警報（土砂災害）・洪水警報",
                    "佐渡市に大雨警報（土砂災害）・洪水警報。今後の気象情報や市からの避難情報に注意してください。",
                ),
                "ja-easy": (
                    f"{RAIN_EASY}が 出（で）ました",
                    f"{RAIN_EASY}が 出（で）ました。気（き）を つけて ください。",
                ),
                "en": (
                    "Heavy Rain Warning (landslides), Flood Warning for Sado City",
                    "Heavy Rain Warning (landslides), Flood Warning for Sado City. Stay alert for updates.",
                ),
                "zh-hans": (
                    "佐渡市发布大雨警报（土砂灾害）、洪水警报",
                    "佐渡市发布大雨警报（土砂灾害）、洪水警报。请注意今后的气象信息和市政府发布的避难信息。",
                ),
                "ko": (
                    "사도시에 호우 경보(토사재해), 홍수 경보",
                    "사도시에 호우 경보(토사재해), 홍수 경보. 앞으로의 기상 정보와 시의 대피 정보에 주의하십시오.",
                ),
            },
        )

    def test_it_lists_the_kinds_with_their_status_in_the_body(self):
        headline = (
            "【特別警報（大雨、暴風、波浪、高潮）】小笠原諸島に特別警報を発表しています。"
            "土砂災害や低い土地の浸水、河川の増水、暴風、高波、高潮に最大級の警戒をしてください。"
        )
        self.assertEqual(
            render(self.facts, "en").body,
            "Heavy Rain Warning (landslides), Flood Warning for Sado City\n\n"
            "Sado City:\n"
            "- Heavy Rain Warning (landslides): issued\n"
            "- Flood Warning: issued\n"
            "- Thunderstorm Advisory: continues\n\n"
            "Watch for further information and for the city's evacuation information.\n\n"
            "Issued 12 Feb 14:22 JST by Japan Meteorological Agency\n\n"
            f"Original text from JMA (Japanese):\n{headline}\n\n"
            "Source: Japan Meteorological Agency (JMA)",
        )
        self.assertEqual(
            render(self.facts, "ja").body,
            "佐渡市に大雨警報（土砂災害）・洪水警報\n\n"
            "佐渡市：\n・大雨警報（土砂災害）：発表\n・洪水警報：発表\n・雷注意報：継続\n\n"
            "今後の気象情報や市からの避難情報に注意してください。\n\n"
            "発表：12日 14時22分　気象庁\n\n"
            f"気象庁の発表文：\n{headline}\n\n"
            "出典：気象庁",
        )


@requires_samples
class TsunamiAdvisoryDrillTests(ExactTextTestCase):
    def setUp(self):
        self.facts = facts_from_telegram(sample("32-39_12_02_250206_VTSE41.xml"), SADO_CODES)

    def test_it_renders_title_and_short_text_in_every_language(self):
        self.assert_title_and_short(
            self.facts,
            {
                "ja": (
                    "【訓練】佐渡に津波注意報",
                    "【訓練】佐渡に津波注意報。海から上がり、海岸から離れてください。到達予想：1日 10時50分。",
                ),
                "ja-easy": (
                    "【訓練（くんれん）】佐渡（さど）に 津波注意報（つなみ ちゅういほう）が 出（で）ました",
                    "【訓練（くんれん）】佐渡（さど）に 津波注意報（つなみ ちゅういほう）が 出（で）ました。"
                    "海（うみ）から 出（で）て、海（うみ）から はなれて ください。",
                ),
                "en": (
                    "[DRILL] Tsunami Advisory for Sado",
                    "[DRILL] Tsunami Advisory for Sado. Get out of the sea and away from the coast.",
                ),
                "zh-hans": (
                    "【训练】佐渡发布海啸注意报",
                    "【训练】佐渡发布海啸注意报。请上岸并远离海岸。预计到达：9月1日 10:50（日本时间）。",
                ),
                "ko": (
                    "[훈련] 사도에 쓰나미 주의보",
                    "[훈련] 사도에 쓰나미 주의보. 바다에서 나와 해안에서 떨어지십시오. "
                    "도달 예상: 9월 1일 10:50(일본 시간).",
                ),
            },
            is_drill=True,
        )

    def test_it_renders_the_body_with_arrival_height_and_what_to_do(self):
        self.assertEqual(
            render(self.facts, "en", is_drill=True).body,
            "This is a drill.\n"
            "[DRILL] Tsunami Advisory for Sado\n\n"
            "Sado: Tsunami Advisory\n"
            "Expected arrival: 1 Sep 10:50 JST\n"
            "Expected height: unknown\n\n"
            "If you are in the sea, get out of the water immediately and move away from the coast. "
            "Do not enter the sea or go near the coast until the advisory is lifted.\n\n"
            "Earthquake:\n"
            "Time: about 1 Sep 07:10 JST\n"
            "Hypocenter: Wakayama ken Minakata oki (和歌山県南方沖)\n"
            "Depth: about 10 km\n"
            "Magnitude: over M8 (huge earthquake)\n\n"
            "Issued 1 Sep 07:13 JST by Japan Meteorological Agency\n\n"
            "Original text from JMA (Japanese):\n"
            "＊＊＊これは訓練です＊＊＊\n東日本大震災クラスの津波が来襲します。\n大津波警報・津波警報を発表しました。\n"
            "ただちに避難してください。\n\n"
            "Source: Japan Meteorological Agency (JMA)",
        )

    def test_it_says_the_advisory_is_lifted(self):
        facts = facts_from_telegram(sample("32-39_12_13_250206_VTSE41.xml"), SADO_CODES)
        self.assertEqual(render(facts, "ja", is_drill=True).title, "【訓練】佐渡の津波注意報を解除")
        self.assertEqual(render(facts, "en", is_drill=True).title, "[DRILL] Tsunami Advisory lifted for Sado")


@requires_samples
class SadoIntensityTests(ExactTextTestCase):
    def setUp(self):
        self.facts = facts_from_telegram(sample("32-35_06_03_240613_VXSE53.xml"), SADO_CODES)

    def test_it_renders_title_and_short_text_in_every_language(self):
        self.assert_title_and_short(
            self.facts,
            {
                "ja": (
                    "佐渡市で震度３の地震",
                    "佐渡市で震度３の地震。この地震による津波の心配はありません。震源は岩手県内陸南部、Ｍ７．０。",
                ),
                "ja-easy": (
                    "佐渡市（さどし）で 地震（じしん）：震度（しんど）３",
                    "佐渡市（さどし）で 地震（じしん）：震度（しんど）３。"
                    "この 地震（じしん）で 津波（つなみ）の 心配（しんぱい）は ありません。"
                    "地震（じしん）が 起（お）きた ところは 岩手県内陸南部、M7.0です。",
                ),
                "en": (
                    "Earthquake: seismic intensity 3 in Sado City",
                    "Earthquake: seismic intensity 3 in Sado City. There is no tsunami threat from this earthquake.",
                ),
                "zh-hans": (
                    "佐渡市发生震度3的地震",
                    "佐渡市发生震度3的地震。此次地震不会引发海啸。震源为岩手県内陸南部，M7.0。",
                ),
                "ko": (
                    "사도시에서 진도 3의 지진",
                    "사도시에서 진도 3의 지진. 이 지진으로 인한 쓰나미 걱정은 없습니다."
                    " 진원 Iwate ken nairiku nanbu(岩手県内陸南部), M7.0.",
                ),
            },
        )

    def test_it_renders_hypocenter_intensities_and_stations_in_the_body(self):
        self.assertEqual(
            render(self.facts, "ja").body,
            "佐渡市で震度３の地震\n\n"
            "発生時刻：14日 8時43分ごろ\n震源地：岩手県内陸南部\n震源の深さ：約１０ｋｍ\n地震の規模：Ｍ７．０\n"
            "最大震度：震度６強\n佐渡市：震度３\n新潟県佐渡：震度３\n\n"
            "各地の震度：\n・佐渡市岩谷口＊：震度３\n・佐渡市相川三町目：震度２\n・佐渡市両津湊＊：震度２\n"
            "・佐渡市真野新町＊：震度２\n・佐渡市相川金山：震度１\n・佐渡市松ヶ崎＊：震度１\n\n"
            "この地震による津波の心配はありません。\nこの地震について、緊急地震速報を発表しています。\n"
            "＊印は気象庁以外の震度観測点についての情報です。\n\n"
            "発表：14日 8時47分　気象庁\n\n"
            "気象庁の発表文：\n１４日０８時４３分ころ、地震がありました。\n\n"
            "出典：気象庁",
        )


class EvacuationOrderTests(ExactTextTestCase):
    def test_it_renders_a_level_4_order_in_every_language(self):
        self.assert_title_and_short(
            evacuation(lifted=False),
            {
                "ja": ("両津に避難指示（警戒レベル４）", "両津に避難指示（警戒レベル４）。危険な場所から全員避難。"),
                "ja-easy": (
                    "両津に 避難指示（ひなん しじ）（レベル4）が 出（で）ました",
                    "両津に 避難指示（ひなん しじ）（レベル4）が 出（で）ました。"
                    "あぶない 場所（ばしょ）から みんな にげて ください。",
                ),
                "en": (
                    "Evacuation Instruction (Level 4) for Ryotsu (両津)",
                    "Evacuation Instruction (Level 4) for Ryotsu (両津). Everyone must evacuate from dangerous places.",
                ),
                "zh-hans": (
                    "Ryotsu（両津）发布避难指示（警戒级别4）",
                    "Ryotsu（両津）发布避难指示（警戒级别4）。危险场所内的所有人请避难。",
                ),
                "ko": (
                    "Ryotsu(両津)에 대피 지시(경계 레벨4)",
                    "Ryotsu(両津)에 대피 지시(경계 레벨4). 위험한 장소에서 모두 대피하십시오.",
                ),
            },
        )

    def test_it_says_what_to_do_in_the_body(self):
        self.assertEqual(
            render(evacuation(lifted=False), "en").body,
            "Evacuation Instruction (Level 4) for Ryotsu (両津)\n\n"
            "Districts: Ryotsu (両津)\nHazard: landslides\n\n"
            "Level 4: Everyone in the area must evacuate from dangerous places.\n\n"
            "Issued 24 Nov 10:30 JST\n\n"
            "Original text from the city (Japanese):\n大雨により土砂災害の危険が高まっています。",
        )
        self.assertEqual(
            render(evacuation(lifted=False), "ja").body,
            "両津に避難指示（警戒レベル４）\n\n対象地区：両津\n災害の種類：土砂災害\n\n"
            "警戒レベル４：危険な場所から全員避難してください。\n\n発表：24日 10時30分\n\n"
            "市からのお知らせ（原文）：\n大雨により土砂災害の危険が高まっています。",
        )

    def test_it_renders_the_lifting_in_every_language(self):
        self.assert_title_and_short(
            evacuation(lifted=True),
            {
                "ja": ("両津の避難指示を解除", "両津の避難指示を解除。引き続き周りの状況に注意してください。"),
                "ja-easy": (
                    "両津の 避難指示（ひなん しじ）は 終（お）わりました",
                    "両津の 避難指示（ひなん しじ）は 終（お）わりました。まわりに 気（き）を つけて ください。",
                ),
                "en": (
                    "Evacuation Instruction lifted for Ryotsu (両津)",
                    "Evacuation Instruction lifted for Ryotsu (両津). Stay alert to your surroundings.",
                ),
                "zh-hans": ("Ryotsu（両津）的避难指示解除", "Ryotsu（両津）的避难指示解除。请继续注意周围的情况。"),
                "ko": (
                    "Ryotsu(両津)의 대피 지시 해제",
                    "Ryotsu(両津)의 대피 지시 해제. 계속 주변 상황에 주의하십시오.",
                ),
            },
        )

    def test_it_says_an_evacuation_order_was_withdrawn(self):
        rendered = render(evacuation(lifted=False), "en", msg_type="cancel")
        self.assertEqual(rendered.title, "Cancelled: Evacuation Instruction (Level 4) for Ryotsu (両津)")
        self.assertIn(
            "The earlier Evacuation Instruction (Level 4) for Ryotsu (両津) has been withdrawn.", rendered.body
        )


@requires_samples
class RetractionAndCorrectionTests(ExactTextTestCase):
    def test_it_says_the_earlier_information_is_withdrawn(self):
        facts = facts_from_telegram(sample("32-35_06_06_100915_VXSE53.xml"), SADO_CODES)
        self.assert_title_and_short(
            facts,
            {
                "ja": (
                    "【取消】震源・震度に関する情報",
                    "【取消】震源・震度に関する情報。先に発表した震源・震度に関する情報は取り消されました。",
                ),
                "ja-easy": (
                    "【取（と）り消（け）し】震源（しんげん）と 震度（しんど）の 情報（じょうほう）",
                    "【取（と）り消（け）し】震源（しんげん）と 震度（しんど）の 情報（じょうほう）。"
                    "前（まえ）に 出（だ）した 震源（しんげん）と 震度（しんど）の 情報（じょうほう）は "
                    "取（と）り消（け）しました。",
                ),
                "en": (
                    "Cancelled: Hypocenter and Seismic Intensity Information",
                    "Cancelled: Hypocenter and Seismic Intensity Information. "
                    "The earlier information has been withdrawn.",
                ),
                "zh-hans": ("【取消】震源・震度信息", "【取消】震源・震度信息。此前发布的震源・震度信息已被撤销。"),
                "ko": (
                    "[취소] 진원・진도 정보",
                    "[취소] 진원・진도 정보. 앞서 발표한 「진원・진도 정보」은(는) 취소되었습니다.",
                ),
            },
            msg_type="cancel",
        )

    def test_it_keeps_the_reason_of_the_retraction_labelled(self):
        facts = facts_from_telegram(sample("32-35_06_06_100915_VXSE53.xml"), SADO_CODES)
        body = render(facts, "en", msg_type="cancel").body
        self.assertIn("The earlier Hypocenter and Seismic Intensity Information has been withdrawn.", body)
        self.assertIn("Original text from JMA (Japanese):\n先ほどの、震源・震度情報を取り消します。", body)

    def test_it_marks_a_correction(self):
        facts = facts_from_telegram(sample("67_01_03_140927_VFVO56.xml"), SADO_CODES)
        expected = {
            "ja": ("【訂正】御嶽山：噴火したもよう", "先に発表した情報を訂正します。"),
            "ja-easy": (
                "【訂正（ていせい）】御嶽山：噴火（ふんか）したと 思（おも）われます",
                "前（まえ）の 情報（じょうほう）を 直（なお）しました。",
            ),
            "en": (
                "Correction: Ontake yama (御嶽山): Eruption likely occurred",
                "Correction: this replaces information issued earlier.",
            ),
            "zh-hans": ("【更正】御嶽山：可能已喷发", "本信息更正此前发布的信息。"),
            "ko": ("[정정] Ontake yama(御嶽山): 분화한 것으로 보임", "앞서 발표한 정보를 정정합니다."),
        }
        for language, (title, second_line) in expected.items():
            with self.subTest(language):
                rendered = render(facts, language, msg_type="update")
                self.assertEqual(rendered.title, title)
                self.assertTrue(rendered.short.startswith(title))
                # The lock screen shows the first line: the marked title, then what the correction means.
                self.assertEqual(rendered.body.split("\n")[:2], [title, second_line])
