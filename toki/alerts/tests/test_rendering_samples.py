"""Every sample that concerns Sado renders in all five languages within the LINE and push limits.

The samples that concern Sado are found with matching_areas() and the profile's codes (19 of the 546: the
VXSE53 and VTSE41/51 listed in the reference §5); the warning cases are SYNTHETIC copies (see
test_rendering_facts.py). Every other sample is rendered too, once with Sado's codes and once with a profile
holding every code of the telegram (a stress test of the body limit: e.g. a warning telegram for 60 towns).
"""

from collections import defaultdict

from toki.alerts.jma.relevance import _SYSTEM_OF_CODE_TYPE, PROFILE_KEY_SYSTEMS, matching_areas
from toki.alerts.rendering import (
    BODY_LIMIT,
    LANGUAGES,
    SHORT_LIMIT,
    facts_for_evacuation,
    facts_from_telegram,
    render,
    text_length,
)
from toki.test import ProfileTestCase

from .test_jma_samples import SADO_CODES, all_sample_paths, requires_samples, sample
from .test_rendering_facts import (
    sado_h27_heavy_rain,
    sado_landslide_alert,
    sado_r06_heavy_rain,
    sado_record_rain,
    sado_river_forecast,
)

MSG_TYPES = {"発表": "alert", "訂正": "update", "取消": "cancel"}
SADO = {"ja": "佐渡", "ja-easy": "佐渡", "en": "Sado", "zh-hans": "佐渡", "ko": "사도"}


def render_all(telegram, profile_codes):
    """(language, RenderedAlert) in every language, with the Alert's msg_type and drill flag."""
    facts = facts_from_telegram(telegram, profile_codes)
    msg_type = MSG_TYPES[telegram.info_type]
    return [
        (language, render(facts, language, msg_type=msg_type, is_drill=telegram.status == "訓練"))
        for language in LANGUAGES
    ]


def every_code_of(telegram) -> dict:
    """A profile naming every code of the telegram in its code system: everything concerns it."""
    key_of_system = {system: key for key, system in PROFILE_KEY_SYSTEMS.items()}
    codes = defaultdict(list)
    for area in telegram.all_areas():
        key = key_of_system.get(_SYSTEM_OF_CODE_TYPE.get(area.code_type))
        if key and area.code:
            codes[key].append(area.code)
        if area.city_code:
            codes["city"].append(area.city_code)
    return dict(codes)


def sado_samples() -> list[str]:
    return [path.name for path in all_sample_paths() if matching_areas(sample(path.name), SADO_CODES)]


@requires_samples
class SadoSamplesTests(ProfileTestCase):
    def assert_within_limits(self, rendered):
        self.assertTrue(rendered.title)
        self.assertTrue(rendered.short)
        self.assertLessEqual(text_length(rendered.short), SHORT_LIMIT)
        self.assertLessEqual(len(rendered.short), SHORT_LIMIT)
        self.assertLessEqual(text_length(rendered.body), BODY_LIMIT)
        self.assertIn(rendered.title, rendered.body)

    def test_it_finds_the_19_sado_samples_of_the_reference(self):
        names = sado_samples()
        self.assertEqual(len(names), 19)
        self.assertEqual({name.rsplit("_", 1)[1] for name in names}, {"VXSE53.xml", "VTSE41.xml", "VTSE51.xml"})

    def test_it_renders_every_sado_sample_in_every_language_within_the_limits(self):
        for name in sado_samples():
            for language, rendered in render_all(sample(name), SADO_CODES):
                with self.subTest(name=name, language=language):
                    self.assert_within_limits(rendered)

    def test_it_renders_the_synthetic_sado_warnings_in_every_language_within_the_limits(self):
        telegrams = {
            "VPWW54": sado_h27_heavy_rain(),
            "VPWW55": sado_r06_heavy_rain(),
            "VXWW50": sado_landslide_alert(),
            "VXWW50 lifted": sado_landslide_alert("17_04_03_250630_VXWW50.xml"),
            "VXKO": sado_river_forecast(),
            "VPOA50": sado_record_rain(),
        }
        for case, telegram in telegrams.items():
            for language, rendered in render_all(telegram, SADO_CODES):
                with self.subTest(case=case, language=language):
                    self.assert_within_limits(rendered)
                    self.assertIn(SADO[language], rendered.body)

    def test_it_renders_evacuation_orders_of_every_level_within_the_limits(self):
        names = {code: {"ja": code.upper(), "en": code.title()} for code in ("ryotsu", "aikawa", "sawata", "kanai")}
        for level in (3, 4, 5):
            for lifted in (False, True):
                facts = facts_for_evacuation(
                    level=level,
                    hazard="flood",
                    district_codes=list(names),
                    district_names=names,
                    reason="理由" * 3000,
                    lifted=lifted,
                )
                for language in LANGUAGES:
                    with self.subTest(level=level, lifted=lifted, language=language):
                        self.assert_within_limits(render(facts, language))

    def test_it_marks_every_drill_at_the_start_of_title_and_short_text(self):
        markers = {"ja": "【訓練】", "ja-easy": "【訓練", "en": "[DRILL]", "zh-hans": "【训练】", "ko": "[훈련]"}
        drills = [name for name in sado_samples() if sample(name).status == "訓練"]
        self.assertEqual(len(drills), 12)
        for name in drills:
            for language, rendered in render_all(sample(name), SADO_CODES):
                with self.subTest(name=name, language=language):
                    self.assertTrue(rendered.title.startswith(markers[language]))
                    self.assertTrue(rendered.short.startswith(markers[language]))

    def test_it_labels_the_japanese_headline_for_readers_of_other_languages(self):
        for name in sado_samples():
            headline = sample(name).headline_text.strip()
            for language, rendered in render_all(sample(name), SADO_CODES):
                with self.subTest(name=name, language=language):
                    if language == "ja":
                        self.assertEqual(rendered.untranslated, ())
                    else:
                        self.assertEqual(rendered.untranslated[0].text, headline)
                        self.assertIn(f"{rendered.untranslated[0].label}\n{headline}", rendered.body)


@requires_samples
class AllSamplesTests(ProfileTestCase):
    def test_it_renders_every_sample_within_the_limits_for_sado_and_for_all_its_areas(self):
        for path in all_sample_paths():
            telegram = sample(path.name)
            for profile in (SADO_CODES, every_code_of(telegram)):
                for language, rendered in render_all(telegram, profile):
                    with self.subTest(name=path.name, language=language, sado=profile is SADO_CODES):
                        self.assertTrue(rendered.title and rendered.short)
                        self.assertLessEqual(text_length(rendered.short), SHORT_LIMIT)
                        self.assertLessEqual(text_length(rendered.body), BODY_LIMIT)
