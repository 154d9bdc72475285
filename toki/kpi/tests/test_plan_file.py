"""The plan file through `manage.py load_plan`, as a city loads it."""

import tempfile
from io import StringIO
from pathlib import Path

import yaml
from django.core.management import CommandError, call_command

from toki.demo.kpi import PLAN_FILE
from toki.kpi.models import Kpi, Plan, Target
from toki.test import BaseTestCase


def load(path) -> str:
    out = StringIO()
    call_command("load_plan", str(path), stdout=out)
    return out.getvalue()


class PlanFileTests(BaseTestCase):
    def write(self, document) -> Path:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as handle:
            yaml.safe_dump(document, handle, allow_unicode=True)
        self.addCleanup(Path(handle.name).unlink)
        return Path(handle.name)

    def sado(self) -> dict:
        return yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))

    def test_the_sado_plan_loads_with_every_kpi_of_goal_1_and_its_targets(self):
        self.assertIn("14 KPI(s) loaded", load(PLAN_FILE))
        visits = Kpi.objects.get(code="portal-visits")
        self.assertEqual([(t.first_year, int(t.value)) for t in visits.targets.all()],
                         [(2024, 318000), (2025, 1460000), (2026, 1825000)])
        reception = Kpi.objects.get(code="shelter-reception")
        last = reception.targets.last()
        self.assertEqual((last.first_year, last.last_year, last.label), (2029, 2031, "市内全域の整備"))
        self.assertEqual(int(last.value), 4)  # the fourth stage
        tablets = Target.objects.get(kpi__code="elderly-tablets", first_year=2027)
        self.assertEqual((tablets.value, tablets.label), (None, "高齢単身世帯全展開"))
        self.assertFalse(Kpi.objects.get(code="line-friends").targets.exists())  # the plan sets none

    def test_loading_again_changes_nothing_and_a_changed_target_is_updated(self):
        load(PLAN_FILE)
        document = self.sado()
        document["goals"][0]["measures"][0]["kpis"][1]["targets"][2026] = 2000000
        load(self.write(document))
        self.assertEqual(Plan.objects.count(), 1)
        self.assertEqual(Kpi.objects.count(), 14)
        self.assertEqual(int(Target.objects.get(kpi__code="portal-visits", first_year=2026).value), 2000000)

    def test_every_fault_is_reported_with_where_and_nothing_is_written(self):
        document = self.sado()
        kpis = document["goals"][0]["measures"][0]["kpis"]
        kpis[1]["targets"][2040] = 5
        kpis[2]["direction"] = "up"
        kpis[3]["targets"][2025] = "twenty"
        document["goals"][0]["measures"][2]["kpis"][2]["targets"][2026] = "全部"
        kpis[4]["code"] = "portal-visits"
        with self.assertRaises(CommandError) as raised:
            load(self.write(document))
        message = str(raised.exception)
        for expected in ("goals[0].measures[0].kpis[1].targets.2040: outside the plan's years 2023–2031",
                         "goals[0].measures[0].kpis[2].direction: one of higher, lower, stage",
                         "goals[0].measures[0].kpis[3].targets.2025: 'twenty' is not a number",
                         "goals[0].measures[2].kpis[2].targets.2026: '全部' is not one of the KPI's stages",
                         "goals[0].measures[0].kpis[4].code: 'portal-visits' is used twice in the plan"):
            self.assertIn(expected, message)
        self.assertFalse(Plan.objects.exists())

    def test_a_file_that_is_not_yaml_or_has_no_municipality_is_refused(self):
        bad = self.write({"x": 1})
        bad.write_text("goals: [\n", encoding="utf-8")
        with self.assertRaisesMessage(CommandError, "not a readable YAML file"):
            load(bad)
        document = self.sado()
        document["municipality"] = "999999"
        with self.assertRaisesMessage(CommandError, "no municipality with code 999999"):
            load(self.write(document))
        self.assertFalse(Plan.objects.exists())
