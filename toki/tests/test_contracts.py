"""The design's arrows as tests (issue 15 part 4): the import contracts of pyproject.toml (import-linter) hold,
name every app, and their baseline of allowed exceptions never grows."""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

ROOT = Path(settings.BASE_DIR)
BASELINE_FILE = ROOT / ".ci" / "baselines" / "imports.txt"
# The lines every contract starts with: test code may import anything. Everything else is the baseline.
TEST_CODE = {"toki.**.tests.** -> toki.**", "toki.tests.** -> toki.**", "toki.test -> toki.**"}
FOUNDATION = {"lib", "accounts", "areas", "events"}


def contracts() -> dict[str, dict]:
    """The contracts by type, a forbidden one as forbidden:<its source module>, layers inside a package as
    layers:<the package>."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    by_key = {}
    for contract in config["contracts"]:
        key = contract["type"]
        if key == "forbidden":
            key += ":" + contract["source_modules"][0]
        elif key == "layers" and contract["containers"] != ["toki"]:  # layers inside one app (hq and hq.damage)
            key += ":" + contract["containers"][0]
        by_key[key] = contract
    return by_key


def baseline(contract: dict) -> list[str]:
    return [line for line in contract.get("ignore_imports", []) if line not in TEST_CODE]


def apps() -> set[str]:
    """Every package directly under toki/ (the project's own tests/ package is not an app)."""
    return {path.parent.name for path in (ROOT / "toki").glob("*/__init__.py")} - {"tests"}


def layer_apps(layer: str) -> set[str]:
    return {name.strip().strip("()") for name in layer.replace("|", ":").split(":")}


class ImportContractTests(SimpleTestCase):
    def test_it_keeps_every_import_contract(self):
        lint_imports = Path(sys.executable).with_name("lint-imports")
        result = subprocess.run(
            [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("0 broken", result.stdout)

    def test_it_keeps_the_baseline_at_its_recorded_size(self):
        allowed = int(BASELINE_FILE.read_text(encoding="utf-8").split()[0])
        size = sum(len(baseline(contract)) for contract in contracts().values())
        self.assertLessEqual(
            size, allowed, f"The import baseline grew to {size} lines (allowed {allowed}): change the code instead."
        )
        self.assertEqual(
            size, allowed, f"The import baseline shrank to {size}: write {size} into {BASELINE_FILE.name}, so it "
            "cannot grow back."
        )

    def test_it_keeps_test_code_lines_identical_in_every_contract(self):
        for name, contract in contracts().items():
            with self.subTest(contract=name):
                self.assertEqual(TEST_CODE, set(contract.get("ignore_imports", [])) & TEST_CODE)
                self.assertFalse([line for line in baseline(contract) if ".tests" in line.split("->")[0]])

    def test_it_places_every_app_in_a_layer(self):
        layers = contracts()["layers"]
        self.assertEqual(["toki"], layers["containers"])
        placed = set().union(*(layer_apps(layer) for layer in layers["layers"]))
        self.assertEqual(set(), apps() - placed, "an app outside the layers contract")
        self.assertEqual({"lib"}, layer_apps(layers["layers"][-1]))
        self.assertEqual(FOUNDATION - {"lib"}, layer_apps(layers["layers"][-2]))
        self.assertIn("portal", layer_apps(layers["layers"][1]))
        self.assertIn("linebot", layer_apps(layers["layers"][1]))

    def test_it_forbids_lib_every_app(self):
        forbidden = {name.removeprefix("toki.") for name in contracts()["forbidden:toki.lib"]["forbidden_modules"]}
        self.assertEqual(apps() - {"lib"}, forbidden)

    def test_it_forbids_notify_every_app_but_lib_accounts_and_areas(self):
        forbidden = {name.removeprefix("toki.") for name in contracts()["forbidden:toki.notify"]["forbidden_modules"]}
        # Not even toki.events: the producers' own subscribers hand notify their Announcements (ADR 0008).
        self.assertEqual(apps() - {"lib", "accounts", "areas", "notify"}, forbidden)

    def test_it_forbids_cycles_between_apps_and_inside_hq(self):
        acyclic = contracts()["acyclic_siblings"]
        # toki.transport is a package of apps (ADR 0009): no cycles between fares, rides and transit either.
        self.assertEqual(["toki", "toki.hq", "toki.transport"], sorted(acyclic["ancestors"]))
        self.assertEqual(0, acyclic["depth"])
        self.assertEqual([], baseline(acyclic), "no exception to 'no cycles between apps'")

    def test_it_keeps_hq_below_its_nested_damage_app(self):
        hq = contracts()["layers:toki.hq"]
        self.assertEqual(["toki.hq"], hq["containers"])
        self.assertTrue(hq["exhaustive"], "every module under toki/hq placed, so hq → hq.damage cannot come back")
        self.assertEqual({"damage"}, layer_apps(hq["layers"][0]))
        self.assertEqual([], baseline(hq))
