import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from toki.accounts.models import AuditEvent
from toki.hq import actions as hq_actions
from toki.hq.damage import actions
from toki.hq.damage.aggregate import from_snapshot
from toki.hq.damage.excel import workbook_bytes
from toki.hq.damage.tests.support import DamageTestCase


def cells(sheet) -> dict:
    """{text in column B: value in column D} of an item table, and every cell's text for searching."""
    return {row[1]: row[3] for row in sheet.iter_rows(values_only=True) if len(row) > 3 and row[1]}


class IssueTests(DamageTestCase):
    def test_it_numbers_reports_and_freezes_their_numbers(self):
        self.file({"casualties_dead": 1})
        first = actions.issue_report(acting_user=self.alice, incident=self.incident)
        self.file({"casualties_dead": 2})
        second = actions.issue_report(acting_user=self.alice, incident=self.incident, reporter_name="防災課長")
        self.assertEqual((first.number, second.number), (1, 2))
        self.assertEqual(first.snapshot["totals"]["casualties_dead"], "1")
        self.assertEqual(second.snapshot["totals"]["casualties_dead"], "3")
        self.assertEqual(second.reporter_name, "防災課長")
        self.assertEqual(AuditEvent.objects.filter(action="damage.report_issued").count(), 2)

    def test_it_records_the_report_versions_it_was_made_from(self):
        report = self.file({"casualties_dead": 2})
        old = report.current_version
        actions.correct_report(acting_user=self.alice, report=report, counts={"casualties_dead": 1}, reason="重複")
        report.refresh_from_db()
        issued = actions.issue_report(acting_user=self.alice, incident=self.incident)
        self.assertEqual(list(issued.versions.all()), [report.current_version])
        self.assertEqual(issued.snapshot["sources"]["casualties_dead"], [report.current_version_id])
        self.assertNotIn(old.pk, issued.snapshot["sources"]["casualties_dead"])

    def test_it_traces_a_derived_number_to_its_report_versions(self):
        a = self.file({"housing_total_collapse_households": 2})
        b = self.file({"housing_flood_above_floor_households": 3}, district=self.aikawa)
        self.file({"housing_partial_damage_households": 9})  # not part of り災世帯数
        issued = actions.issue_report(acting_user=self.alice, incident=self.incident)
        self.assertEqual(issued.snapshot["sources"]["affected_households"],
                         sorted([a.current_version_id, b.current_version_id]))
        self.login(self.alice)
        page = self.client.get(reverse("damage:trace", args=[self.incident.pk, 1, "affected_households"]))
        self.assertEqual(page.context["value"], 5)
        self.assertEqual(sorted(c.value for c in page.context["counts"]), [2, 3])
        district_page = self.client.get(reverse("damage:trace", args=[self.incident.pk, 1, "affected_households"]),
                                        {"district": "aikawa"})
        self.assertEqual([c.report_id for c in district_page.context["counts"]], [b.pk])

    def test_it_shows_the_frozen_numbers_after_later_corrections(self):
        report = self.file({"sites_roads": 4})
        actions.issue_report(acting_user=self.alice, incident=self.incident)
        actions.correct_report(acting_user=self.alice, report=report, counts={"sites_roads": 1}, reason="誤り")
        self.login(self.alice)
        page = self.client.get(reverse("damage:issued", args=[self.incident.pk, 1]))
        row = next(r for r in page.context["part2"] if r["item"].id == "sites_roads")
        self.assertEqual(row["total"], 4)


class ExcelTests(DamageTestCase):
    def workbook(self, incident=None):
        incident = incident or self.incident
        issued = actions.issue_report(acting_user=self.alice, incident=incident, reporter_name="防災課 アリス",
                                      notes={"overview": "大雨", "response": "避難所3か所開設"})
        self.login(self.alice)
        response = self.client.get(reverse("damage:issued_xlsx", args=[incident.pk, issued.number]))
        self.assertEqual(response["Content-Type"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return load_workbook(io.BytesIO(response.content))

    def test_it_writes_part1_and_part2_in_the_form_layout(self):
        self.file({"casualties_dead": 1, "casualties_injured_serious": 2, "casualties_injured_minor": 3})
        self.file({"housing_total_collapse_buildings": 4, "housing_total_collapse_households": 4})
        self.file({"lifeline_power_households": 1200}, district=self.aikawa)
        book = self.workbook()
        self.assertEqual(book.sheetnames, ["その1", "その2", "地区別"])
        part1, part2 = book["その1"], book["その2"]
        self.assertEqual(part1["A1"].value, "第4号様式（その1）　災害概況即報")
        header = {part1.cell(row=r, column=c).value: part1.cell(row=r, column=c + 1).value
                  for r in range(3, 7) for c in (1, 3)}
        self.assertEqual(header["都道府県"], "新潟県")
        self.assertEqual(header["市町村"], "佐渡市")
        self.assertEqual(header["災害名"], "令和8年7月豪雨")
        self.assertEqual(header["報告番号"], "第1報")
        self.assertEqual(header["報告者名"], "防災課 アリス")
        self.assertFalse(header["消防庁受信者氏名"])  # filled in by hand on the form
        self.assertNotIn("様式", header)
        self.assertTrue(header["報告日時"].startswith(f"{timezone.localtime().year}年"))
        one = cells(part1)
        self.assertEqual((one["死者"], one["負傷者"], one["計"]), (1, 5, 6))
        self.assertEqual(one["全壊"], 4)
        two = cells(part2)
        self.assertEqual((two["負傷者 重傷"], two["負傷者 軽傷"]), (2, 3))
        self.assertEqual(two["電気"], 1200)
        self.assertEqual(two["り災世帯数"], 4)
        units = {row[1]: row[2] for row in part2.iter_rows(values_only=True) if len(row) > 3 and row[1]}
        self.assertEqual((units["死者"], units["電気"], units["田 冠水"]), ("人", "戸", "ha"))
        texts = [c for row in part1.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        self.assertIn("避難所3か所開設", texts)
        self.assertIn("人的被害", [row[0] for row in part2.iter_rows(values_only=True)])
        # Issue 14 item 11: the official sheets print the form's wording only, none of Toki's own.
        for sheet in (part1, part2):
            printed = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
            for internal in ("fdma-4", "R8", "自動計算", "最大時", "Toki"):
                self.assertNotIn(internal, printed, f"{sheet.title}: {internal}")
        by_district = " ".join(str(c) for row in book["地区別"].iter_rows(values_only=True) for c in row if c)
        self.assertIn("様式定義: fdma-4 R8", by_district)  # traceable on Toki's own sheet
        self.assertIn("電気（最大時）", by_district)
        self.assertEqual(book.properties.keywords, "fdma-4 R8")

    def test_it_writes_the_numbers_by_district(self):
        self.file({"sites_roads": 2})
        self.file({"sites_roads": 5}, district=self.aikawa)
        sheet = self.workbook()["地区別"]
        header = [c.value for c in sheet[3]]
        row = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == "道路")
        self.assertEqual(row[2], 7)
        self.assertEqual(row[header.index("両津")], 2)
        self.assertEqual(row[header.index("相川")], 5)

    def test_it_marks_a_drill_on_every_sheet(self):
        drill = hq_actions.open_incident(acting_user=self.alice, municipality=self.municipality, name="総合防災訓練",
                                         kind="earthquake", is_drill=True,
                                         started_at=timezone.now() - timedelta(hours=1))
        self.file({"casualties_injured_minor": 1}, incident=drill)
        book = self.workbook(drill)
        for sheet in book:
            with self.subTest(sheet=sheet.title):
                self.assertTrue(sheet["A1"].value.startswith("【訓練】"))

    def test_it_builds_the_file_from_the_snapshot_alone(self):
        self.file({"sites_roads": 2})
        issued = actions.issue_report(acting_user=self.alice, incident=self.incident)
        content = workbook_bytes(issued, from_snapshot(issued.snapshot, issued.definition.definition))
        self.assertEqual(cells(load_workbook(io.BytesIO(content))["その2"])["道路"], 2)
