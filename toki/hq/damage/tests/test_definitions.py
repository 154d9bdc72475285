import copy
import json
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import CommandError, call_command

from toki.accounts.models import AuditEvent
from toki.hq.damage import actions
from toki.hq.damage.definition import DefinitionError, parse_formula, resolve
from toki.hq.damage.models import FormDefinition
from toki.hq.damage.tests.support import FILES, DamageTestCase, bundled_doc
from toki.test import BaseTestCase


class LoadCommandTests(BaseTestCase):
    def load(self, *args):
        out = StringIO()
        call_command("load_damage_form", *args, stdout=out)
        return out.getvalue()

    def write(self, doc) -> str:
        directory = TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        path = Path(directory.name) / "form.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return str(path)

    def test_it_loads_the_bundled_form_by_name_and_activates_it(self):
        output = self.load("fdma-4-r8.json", "--activate")
        definition = FormDefinition.objects.get()
        self.assertEqual((definition.code, definition.version, definition.active), ("fdma-4", "R8", True))
        self.assertIn("62 items", output)

    def test_it_is_idempotent(self):
        self.load("fdma-4-r8.json")
        output = self.load("fdma-4-r8.json")
        self.assertIn("already loaded, unchanged", output)
        self.assertEqual(FormDefinition.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="damage.definition_loaded").count(), 1)

    def test_it_refuses_other_content_under_a_loaded_version(self):
        self.load("fdma-4-r8.json")
        doc = bundled_doc()
        doc["items"][0]["label"]["ja"] = "死者数"
        with self.assertRaisesMessage(CommandError, "already loaded with other content"):
            self.load(self.write(doc))
        self.assertEqual(FormDefinition.objects.get().spec["items"][0]["label"]["ja"], "死者")

    def test_it_names_file_path_field_and_reason_and_stores_nothing(self):
        doc = bundled_doc()
        doc["items"][2]["unit"] = "kg"
        doc["items"][3]["aggregation"] = "average"
        path = self.write(doc)
        with self.assertRaises(CommandError) as caught:
            self.load(path)
        message = str(caught.exception)
        self.assertIn("2 problem(s), nothing was stored", message)
        self.assertIn(f"{path}: items[2] (casualties_injured_serious).unit: unknown unit 'kg'", message)
        self.assertIn("items[3] (casualties_injured_minor).aggregation: 'average' is not one of", message)
        self.assertFalse(FormDefinition.objects.exists())

    def test_it_reports_broken_json_with_its_line(self):
        path = self.write({})
        Path(path).write_text('{"format": "toki-damage-form/1",\n "code": }', encoding="utf-8")
        with self.assertRaisesMessage(CommandError, "not valid JSON: line 2"):
            self.load(path)


class ValidationTests(BaseTestCase):
    def errors(self, doc) -> list[str]:
        with self.assertRaises(DefinitionError) as caught:
            resolve(doc)
        return caught.exception.errors

    def test_it_refuses_a_formula_over_an_unknown_item(self):
        doc = bundled_doc()
        item = next(i for i in doc["items"] if i["id"] == "affected_households")
        item["formula"] += " + housing_nothing_households"
        self.assertEqual(self.errors(doc), [
            "items (affected_households).formula: unknown item 'housing_nothing_households'"])

    def test_it_refuses_formulas_in_a_circle(self):
        doc = bundled_doc()
        subtotal = next(i for i in doc["items"] if i["id"] == "loss_public_subtotal_kyen")
        subtotal["formula"] = "loss_total_kyen + loss_public_schools_kyen"
        [error] = self.errors(doc)
        self.assertIn("in a circle", error)

    def test_it_refuses_a_derived_item_in_a_category(self):
        doc = bundled_doc()
        doc["categories"][1]["items"].append("affected_households")
        self.assertEqual(self.errors(doc), [
            "categories[1] (housing).items: 'affected_households' is derived and cannot be entered"])

    def test_it_refuses_duplicate_ids_and_missing_labels(self):
        doc = bundled_doc()
        doc["items"][1] = copy.deepcopy(doc["items"][0])
        del doc["items"][4]["label"]
        errors = self.errors(doc)
        self.assertIn("items[1] (casualties_dead).id: 'casualties_dead' appears twice", errors)
        self.assertTrue(any(e.startswith("items[4] (casualties_injured).label:") for e in errors))

    def test_it_parses_formulas(self):
        self.assertEqual(parse_formula("a + b_2 - c"), [(1, "a"), (1, "b_2"), (-1, "c")])
        for bad in ("a +", "a b", "a + + b", "A + b", ""):
            with self.subTest(bad), self.assertRaises(ValueError):
                parse_formula(bad)


class VariantTests(DamageTestCase):
    def test_it_adds_a_prefecture_variant_from_a_file_without_code(self):
        call_command("load_damage_form", str(FILES / "hyogo-variant.json"), "--activate", stdout=StringIO())
        variant = FormDefinition.objects.get(code="fdma-4-hyogo")
        ids = [item.id for item in variant.definition.items]
        at = ids.index("housing_total_collapse_persons")
        self.assertEqual(ids[at + 1:at + 3], ["housing_large_half_collapse_buildings",
                                              "housing_large_half_collapse_households"])
        self.assertEqual(variant.definition.by_id["housing_partial_damage_buildings"].label["ja"], "一部損壊")
        self.assertTrue(variant.active)
        self.definition.refresh_from_db()
        self.assertFalse(self.definition.active)
        # Filed and aggregated like any other item: り災世帯数 follows the variant's formula.
        self.file({"housing_large_half_collapse_households": 3, "housing_half_collapse_households": 2},
                  category="housing")
        from toki.hq.damage.selectors import live_aggregate

        totals = live_aggregate(self.incident).totals
        self.assertEqual((totals["housing_large_half_collapse_households"], totals["affected_households"]), (3, 5))

    def test_it_refuses_a_variant_whose_base_is_not_loaded(self):
        doc = json.loads((FILES / "hyogo-variant.json").read_text(encoding="utf-8"))
        doc["extends"]["version"] = "H29"
        with self.assertRaises(DefinitionError) as caught:
            actions.load_definition(acting_user=None, doc=doc)
        self.assertIn("is not loaded; load it first", caught.exception.errors[0])
