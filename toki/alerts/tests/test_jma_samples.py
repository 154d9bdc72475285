"""Every official JMA sample telegram parses, with sensible control and head data.

The samples live in the shared folder beside the repository (/work/shared/data/jma/samples, 546 files); the
tests skip with a message when it is not there. Other test_jma_* modules import the helpers below.
"""

import json
import unittest
from collections import Counter
from functools import cache
from pathlib import Path

from toki.alerts.jma import Telegram, parse_file, parse_telegram
from toki.alerts.jma.catalogue import classify, code_hint_from_name

SAMPLES_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "jma" / "samples"
SAMPLE_COUNT = 546

requires_samples = unittest.skipUnless(
    SAMPLES_DIR.is_dir(), f"JMA sample telegrams not found at {SAMPLES_DIR} (the shared folder beside the repo)"
)

SADO_CODES = {
    "city": ["1522400"],
    "forecast_subdivision": ["150040"],
    "forecast_region": ["150000"],
    "forecast_region_item_name": "佐渡",
    "earthquake_region": ["375"],
    "tsunami_region": ["341"],
    "tsunami_stations": ["34103"],
}


@cache
def sample(name: str) -> Telegram:
    """One sample, parsed once per test run (telegrams are immutable, so sharing them is safe)."""
    return parse_file(SAMPLES_DIR / name)


def synthetic(name: str, *replacements: tuple[str, str]) -> Telegram:
    """A SYNTHETIC telegram: a real sample with text replaced (no sample covers Niigata warnings)."""
    text = (SAMPLES_DIR / name).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"{old!r} is not in {name}"
        text = text.replace(old, new)
    return parse_telegram(text.encode("utf-8"), source_name=name)


def all_sample_paths() -> list[Path]:
    return sorted(SAMPLES_DIR.glob("*.xml"))


@requires_samples
class AllSamplesTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.telegrams = {path.name: sample(path.name) for path in all_sample_paths()}

    def test_it_parses_all_546_samples(self):
        self.assertEqual(len(self.telegrams), SAMPLE_COUNT)

    def test_it_reads_status_info_type_and_report_time_of_every_sample(self):
        for name, telegram in self.telegrams.items():
            with self.subTest(name):
                self.assertIn(telegram.status, ("通常", "訓練", "試験"))
                self.assertIn(telegram.info_type, ("発表", "訂正", "取消"))
                self.assertIsNotNone(telegram.report_datetime.tzinfo)
                self.assertIsNotNone(telegram.control_datetime.tzinfo)
                self.assertTrue(telegram.title)
                self.assertTrue(telegram.editorial_office)

    def test_it_counts_statuses_as_the_reference_does(self):
        statuses = Counter(telegram.status for telegram in self.telegrams.values())
        self.assertEqual(statuses, Counter({"通常": 526, "訓練": 19, "試験": 1}))

    def test_it_counts_info_types_as_the_reference_does(self):
        info_types = Counter(telegram.info_type for telegram in self.telegrams.values())
        self.assertEqual(info_types, Counter({"発表": 510, "取消": 21, "訂正": 15}))

    def test_it_derives_the_type_code_in_the_file_name_from_the_title_alone(self):
        for name, telegram in self.telegrams.items():
            with self.subTest(name):
                from_title = classify(telegram.title, telegram.info_kind).code
                self.assertIn(code_hint_from_name(name), from_title.split("/"))

    def test_it_settles_shared_titles_with_the_file_name(self):
        for name, telegram in self.telegrams.items():
            with self.subTest(name):
                self.assertEqual(telegram.message_type.code, code_hint_from_name(name))

    def test_it_serialises_every_sample_to_json(self):
        for name, telegram in self.telegrams.items():
            with self.subTest(name):
                data = json.loads(json.dumps(telegram.to_dict(), ensure_ascii=False))
                self.assertEqual(data["report_datetime"], telegram.report_datetime.isoformat())
                self.assertEqual(data["message_type"]["code"], telegram.message_type.code)

    def test_it_reads_only_control_and_head_of_kinds_not_relevant_to_a_city(self):
        for name, telegram in self.telegrams.items():
            if telegram.city_relevant_kind:
                continue
            with self.subTest(name):
                self.assertEqual((telegram.warnings, telegram.intensities, telegram.comments), ((), (), ()))

    def test_it_marks_charts_and_seasonal_observations_not_city_relevant(self):
        for name in ("01_01_01_091210_VGSK50.xml", "58_01_01_130523_VZSA50.xml"):
            with self.subTest(name):
                telegram = sample(name)
                self.assertFalse(telegram.city_relevant_kind)
                self.assertTrue(telegram.headline_text or telegram.head_title)

    def test_it_marks_warnings_and_earthquake_information_city_relevant(self):
        for name in ("15_17_01_250123_VPWW54.xml", "32-35_06_03_240613_VXSE53.xml", "45_01_01_200522_VFVO50.xml"):
            with self.subTest(name):
                self.assertTrue(sample(name).city_relevant_kind)

    def test_it_finds_every_body_of_relevant_warnings(self):
        for name, telegram in self.telegrams.items():
            if telegram.message_type.code.startswith(("VPWW5", "VXWW50")):
                with self.subTest(name):
                    self.assertTrue(telegram.warnings)
