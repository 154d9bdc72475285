"""Completeness of the phrase and term tables: every key and every code in all five languages."""

import re
import string
import unittest
from pathlib import Path

from toki.alerts.jma import catalogue
from toki.alerts.models import EvacuationOrder
from toki.alerts.rendering import LANGUAGES, facts_from_telegram
from toki.alerts.rendering.jma_fixed_texts import COVERED_BY_TEMPLATES, FIXED_TEXTS
from toki.alerts.rendering.lang import PHRASES, TABLES

from .test_jma_samples import SADO_CODES, all_sample_paths, requires_samples, sample
from .test_rendering_samples import every_code_of

RENDERING = Path(__file__).resolve().parents[1] / "rendering"

# Keys the renderers build at run time (f-strings), besides the literal lang("…") calls found in the source.
DYNAMIC_KEYS = {
    *(f"action_level_{level}" for level in (2, 3, 4, 5)),
    *(f"action_short_{level}" for level in (2, 3, 4, 5)),
    *(f"volcano_action_{level}" for level in (1, 2, 3, 4, 5)),
    *(f"height_{kind}" for kind in ("over", "at_least", "under", "huge", "high", "unknown")),
    *(f"tsunami_action_{kind}" for kind in ("warning", "advisory", "forecast", "lifted")),
    *(f"tsunami_short_{kind}" for kind in ("warning", "advisory", "forecast", "lifted")),
    *(f"value_{unit}{approx}" for unit in ("mm", "cm") for approx in ("", "_approx")),
}


# Values a language may leave out (Japanese shows no month in a date, nor a romanised district name).
OPTIONAL_PLACEHOLDERS = {"datetime": {"month", "month_abbr"}, "district_name": {"name", "ja"}}


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def kinds_in(facts: dict):
    for item in facts.get("warnings") or []:
        yield from item["kinds"]


class PhraseTablesTests(unittest.TestCase):
    def test_it_has_every_phrase_in_every_language(self):
        keys = set(PHRASES["ja"])
        for language in LANGUAGES:
            with self.subTest(language):
                self.assertEqual(set(PHRASES[language]), keys)

    def test_it_uses_the_same_placeholders_in_every_language(self):
        for key, text in PHRASES["ja"].items():
            optional = OPTIONAL_PLACEHOLDERS.get(key, set())
            for language in LANGUAGES:
                with self.subTest(key=key, language=language):
                    self.assertEqual(placeholders(PHRASES[language][key]) - optional, placeholders(text) - optional)

    def test_it_has_a_phrase_for_every_key_the_renderers_use(self):
        source = "\n".join(path.read_text(encoding="utf-8") for path in RENDERING.glob("*.py"))
        used = set(re.findall(r'lang\(\s*"([a-z0-9_]+)"', source)) | DYNAMIC_KEYS
        self.assertEqual(used - set(PHRASES["ja"]), set())

    def test_it_has_every_term_in_every_language(self):
        for table_name, table in TABLES.items():
            for code, entry in table.items():
                with self.subTest(table=table_name, code=code):
                    self.assertEqual(tuple(entry), LANGUAGES)
                    self.assertTrue(all(text.strip() for text in entry.values()))

    def test_it_names_every_evacuation_level_and_hazard_of_the_model(self):
        self.assertEqual(set(TABLES["evacuation"]), {str(level) for level in EvacuationOrder.Level.values})
        self.assertEqual(set(TABLES["hazard"]), set(EvacuationOrder.Hazard.values))

    def test_it_translates_every_fixed_comment_the_templates_do_not_cover(self):
        aliases = {"0215", "0262"}  # same wording as 0203 and 0210
        self.assertEqual(set(FIXED_TEXTS) - COVERED_BY_TEMPLATES - aliases, set(TABLES["fixed_comment"]))

    def test_it_names_every_city_relevant_message_type(self):
        relevant = {entry.code for entry in catalogue._ENTRIES if entry.city_relevant}
        self.assertEqual(relevant - set(TABLES["message_type"]), set())


@requires_samples
class SampleCodesTests(unittest.TestCase):
    """Every code the samples carry, as the facts keep it, has its phrase (no sample falls back to Japanese)."""

    @classmethod
    def setUpClass(cls):
        cls.facts = []
        for path in all_sample_paths():
            telegram = sample(path.name)
            cls.facts.append((path.name, facts_from_telegram(telegram, every_code_of(telegram))))
            cls.facts.append((path.name, facts_from_telegram(telegram, SADO_CODES)))

    def assert_known(self, table: str, codes: set[str]):
        self.assertEqual(codes - set(TABLES[table]), set(), f"codes without a phrase in {table}")

    def test_it_knows_every_warning_kind_code_of_the_samples(self):
        by_table: dict[str, set[str]] = {}
        for _, facts in self.facts:
            for kind in kinds_in(facts):
                by_table.setdefault(kind["table"], set()).add(kind["code"])
                self.assertIn(kind["status"]["code"], TABLES["status"])
                for condition in kind["conditions"]:
                    self.assertIn(condition["code"], TABLES["condition"])
        self.assertEqual(set(by_table), {"weather", "landslide", "landslide_r06", "tornado", "record_rain"})
        for table, codes in by_table.items():
            with self.subTest(table):
                self.assert_known(table, codes)

    def test_it_knows_every_tsunami_code_of_the_samples(self):
        categories, arrivals, conditions = set(), set(), set()
        for _, facts in self.facts:
            for region in (facts.get("tsunami") or {}).get("regions", []):
                categories.add(region["category"]["code"])
                arrivals |= {region["arrival"]["code"]} if region["arrival"] else set()
            for observation in (facts.get("tsunami") or {}).get("observations", []):
                arrivals |= {observation["arrival"]["code"]} if observation["arrival"] else set()
                conditions |= {condition["code"] for condition in observation["conditions"]}
        self.assert_known("tsunami", categories)
        self.assert_known("arrival", arrivals)
        self.assert_known("height_condition", conditions)

    def test_it_knows_every_intensity_volcano_and_rain_code_of_the_samples(self):
        intensities, volcano, elements, reports = set(), set(), set(), set()
        for _, facts in self.facts:
            quake = facts.get("earthquake") or {}
            intensities |= {entry["intensity"] for entry in quake.get("local", []) + quake.get("stations", [])}
            for entry in (facts.get("volcano") or {}).get("volcanoes", []) + (facts.get("volcano") or {}).get(
                "local", []
            ):
                volcano.add(entry["kind"]["code"])
            rain = facts.get("rain") or {}
            elements |= {observation["element"]["code"] for observation in rain.get("observations", [])}
            reports |= {rain["report"]["code"]} if rain.get("report") else set()
        self.assert_known("intensity", intensities - {""})
        self.assert_known("volcano", volcano)
        self.assert_known("rain_element", elements)
        self.assert_known("rain_report", reports)

    def test_it_knows_every_fixed_comment_found_in_the_samples(self):
        codes = {code for _, facts in self.facts for code in facts.get("fixed_comments", [])}
        self.assertEqual(codes - set(TABLES["fixed_comment"]) - COVERED_BY_TEMPLATES, set())
