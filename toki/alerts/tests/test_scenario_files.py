"""The scenario files themselves (docs/scenarios.md): every telegram is what its recipe derives from JMA's sample
(no XML edited by hand), says where it comes from, and a scenario with a mistake is refused with the file, step
and field named."""

import shutil
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from toki.alerts.jma.parser import parse_telegram
from toki.alerts.scenarios.derive import derive
from toki.alerts.tests.scenario_files import SCENARIOS, ScenarioError, all_scenarios, load, load_phrases

GOOD_STEP = """
title: t
proves: p
steps:
  - at: 2016-09-01T07:13:30+09:00
    telegrams: [01.xml]
    expect: {in_force: [tsunami_advisory]}
"""


class ScenarioFileTests(SimpleTestCase):
    def write(self, text: str, *, telegram: bool = True) -> Path:
        directory = Path(tempfile.mkdtemp(prefix="toki-scenario-"))
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        (directory / "scenario.yaml").write_text(text, encoding="utf-8")
        if telegram:
            (directory / "01.xml").write_text("<Report/>", encoding="utf-8")
        return directory

    def assert_refused(self, text: str, *fragments: str, telegram: bool = True) -> None:
        with self.assertRaises(ScenarioError) as refused:
            load(self.write(text, telegram=telegram))
        for fragment in fragments:
            self.assertIn(fragment, str(refused.exception))

    def test_it_loads_every_scenario_of_the_repository(self):
        phrases = load_phrases()
        names = [load(directory, phrases).name for directory in all_scenarios()]
        self.assertIn("tsunami_advisory_retracted", names)
        self.assertGreaterEqual(len(names), 12)

    def test_it_keeps_each_telegram_as_its_recipe_derives_it(self):
        import yaml

        for recipes in SCENARIOS.glob("*/telegrams.yaml"):
            for name, recipe in yaml.safe_load(recipes.read_text(encoding="utf-8")).items():
                with self.subTest(telegram=f"{recipes.parent.name}/{name}"):
                    xml, _edits = derive(recipe)
                    text = (recipes.parent / name).read_text(encoding="utf-8")
                    self.assertTrue(text.rstrip().endswith(xml.rstrip()), "edited by hand? run derive.py again")
                    self.assertIn(f"JMA's official sample {recipe['sample']}", text.split("-->")[0])
                    parse_telegram(text.encode("utf-8"), source_name=name)  # and it is a telegram Toki reads

    def test_it_names_the_step_and_the_unknown_phrase(self):
        self.assert_refused(GOOD_STEP.replace("tsunami_advisory", "tsunami_advisry"),
                            "step 1.expect.in_force", "tsunami_advisry")

    def test_it_refuses_a_telegram_that_is_not_beside_the_scenario(self):
        self.assert_refused(GOOD_STEP, "step 1.telegrams", "'01.xml'", telegram=False)

    def test_it_refuses_a_time_without_offset(self):
        self.assert_refused(GOOD_STEP.replace("+09:00", ""), "step 1.at", "offset")

    def test_it_refuses_an_unknown_expectation(self):
        self.assert_refused(GOOD_STEP.replace("in_force:", "in_forse:"), "unknown expectation(s) in_forse")

    def test_it_refuses_steps_out_of_time_order(self):
        two = GOOD_STEP + "  - at: 2016-09-01T07:00:00+09:00\n"
        self.assert_refused(two, "time order")

    def test_it_refuses_invalid_yaml_naming_the_file(self):
        self.assert_refused("title: [unclosed", "scenario.yaml", "not valid YAML")
