"""The plan's KPI pages through the URLconf, as the public, a KPI owner and the plan administrator use them."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from toki.accounts.models import AuditEvent, OrgUnit
from toki.demo.kpi import create_kpi_demo
from toki.hq.actions.incidents import open_incident
from toki.hq.actions.instructions import acknowledge_instruction, give_instruction
from toki.kpi.models import Result
from toki.test import PERSONA_PASSWORD, BaseTestCase

BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"}


class KpiPagesTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan, cls.hana = create_kpi_demo(PERSONA_PASSWORD)

    def record(self, code, **data):
        return self.client.post(reverse("kpi:record_result", args=[code]), {
            "fiscal_year": 2026, "as_of": timezone.localdate().isoformat(), **data})

    def test_the_public_page_lays_out_goal_1_like_the_plan(self):
        page = self.client.get(reverse("kpi:plan"))
        self.assertEqual(page.status_code, 200)
        for text in ("基本目標1：データに基づくマネジメントで", "身近なデジタルツールを使った防災情報配信",
                     "災害関連情報集約サイトのアクセス件数", "318,000件", "1,825,000件", "3地区・80世帯",
                     "高齢単身世帯全展開", "市内全域の整備", "令和5年度", "令和11–13年度", "3.5p", "40回"):
            self.assertContains(page, text)

    def test_an_owner_records_a_stage_and_everyone_sees_the_grade(self):
        self.assertNotContains(self.client.get(reverse("kpi:plan")), "100.0%")  # the table is cached now
        self.client.force_login(self.hana)
        response = self.record("mutual-aid-platform", value="提供地域の拡大", note="両津・相川で提供",
                               evidence_url="https://www.city.sado.niigata.jp/example")
        self.assertRedirects(response, reverse("kpi:kpi", args=["mutual-aid-platform"]))
        self.client.logout()
        page = self.client.get(reverse("kpi:kpi", args=["mutual-aid-platform"]))
        self.assertContains(page, "100.0%")
        self.assertContains(page, "両津・相川で提供")
        self.assertContains(self.client.get(reverse("kpi:plan")), "100.0%")  # a new result is a new cache key
        self.assertContains(page, 'role="img"')
        self.assertContains(
            page, "防災関連情報配信、共助につなげるデジタル基盤活用: 令和8年度 結果 提供地域の拡大、達成率 100.0%（S）")
        self.assertTrue(AuditEvent.objects.filter(action="kpi.result_recorded").exists())

    def test_only_the_owner_or_the_plan_admin_records_and_bad_input_writes_nothing(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.record("mutual-aid-platform", value="提供地域の拡大").status_code, 404)
        self.client.logout()
        self.assertEqual(self.record("mutual-aid-platform", value="提供地域の拡大").status_code, 302)
        self.client.force_login(self.hana)
        self.assertEqual(self.record("portal-visits", value="5").status_code, 404)  # 防災課's, not hers
        page = self.client.get(reverse("kpi:kpi", args=["mutual-aid-platform"]))
        self.assertContains(page, "結果を入力")
        self.record("mutual-aid-platform", value="全部")
        self.client.force_login(self.alice)
        self.assertEqual(self.record("elderly-tablets", value="-3").status_code, 302)
        self.assertEqual(self.record("elderly-tablets", value="1e999").status_code, 302)
        self.assertFalse(Result.objects.exists())
        self.record("elderly-tablets", value="1,200")
        self.assertEqual(Result.objects.get().value, 1200)

    def test_pdca_notes_are_public_after_internal_review(self):
        self.client.force_login(self.hana)
        self.client.post(reverse("kpi:write_note", args=["mutual-aid-platform", 2026]),
                         {"analysis": "高齢者の利用が伸びない", "improvement": "公民館で説明会を開く"})
        self.client.logout()
        self.assertNotContains(self.client.get(reverse("kpi:kpi", args=["mutual-aid-platform"])), "説明会")
        self.client.force_login(self.hana)
        self.client.post(reverse("kpi:review_note", args=["mutual-aid-platform", 2026]), {"stage": "internal"})
        self.client.force_login(self.alice)
        self.client.post(reverse("kpi:review_note", args=["mutual-aid-platform", 2026]), {"stage": "external"})
        response = self.client.post(reverse("kpi:review_note", args=["mutual-aid-platform", 2026]),
                                    {"stage": "internal"}, follow=True)
        self.assertContains(response, "1段階ずつ")
        self.client.logout()
        self.assertContains(self.client.get(reverse("kpi:kpi", args=["mutual-aid-platform"])), "公民館で説明会を開く")

    def test_csv_export_imports_back_and_a_bad_row_writes_nothing(self):
        exported = self.client.get(reverse("kpi:plan_csv")).content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(exported)))
        self.assertEqual(rows[0][:5], ["基本目標", "施策コード", "施策", "KPIコード", "KPI"])
        self.client.force_login(self.alice)

        def upload(edit):
            table = [list(row) for row in rows]
            edit(table)
            text = io.StringIO()
            csv.writer(text).writerows(table)
            return self.client.post(reverse("kpi:import"), {"file": SimpleUploadedFile(
                "kpi.csv", text.getvalue().encode("utf-8"), "text/csv")}, follow=True)

        def fill(table, code, year, value):
            row = next(r for r in table if r[3] == code and r[8] == year)
            row[12] = value

        response = upload(lambda t: (fill(t, "mutual-aid-platform", "2026", "提供地域の拡大"),
                                     fill(t, "mutual-aid-platform", "2025", "nine")))
        # (a stage KPI: the numeric ones are all measured by Toki since issue 17's tablets.active_households)
        self.assertContains(response, "次の段階から選んでください")
        self.assertFalse(Result.objects.exists())
        # A KPI Toki measures (the registry's stage) is skipped: its figure comes from the register, not a file.
        response = upload(lambda t: (fill(t, "mutual-aid-platform", "2026", "提供地域の拡大"),
                                     fill(t, "support-registry", "2026", "一部地区で導入")))
        self.assertContains(response, "1 件の結果を記録しました")
        self.assertEqual(Result.objects.get(kpi__code="mutual-aid-platform").fiscal_year, 2026)
        upload(lambda t: None)  # the same file again: nothing new
        self.assertEqual(Result.objects.count(), 1)

    def test_json_open_data_and_the_owner_list(self):
        data = self.client.get(reverse("kpi:plan_json")).json()
        kpis = data["goals"][0]["measures"][0]["kpis"]
        self.assertEqual(kpis[1]["years"][1]["target"], "318000")
        self.client.force_login(self.hana)
        page = self.client.get(reverse("kpi:mine"))
        self.assertContains(page, "防災関連情報配信、共助につなげるデジタル基盤活用")
        self.assertContains(page, "更新が遅れています")
        self.assertNotContains(page, "アクセス件数")


class KpiLanguagesTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan, cls.hana = create_kpi_demo(PERSONA_PASSWORD)

    def test_the_definitions_and_the_owners_pages_read_in_every_language(self):
        expected = {"ko": "공개 포털의 페이지 조회 수", "zh-hans": "公开门户的页面浏览量",
                    "ja-easy": "こうかい ポータルを みた かず", "ja": "公開ポータルの閲覧数"}
        for language, definition in expected.items():
            with self.subTest(language=language):
                self.client.cookies["toki_language"] = language
                page = self.client.get(reverse("kpi:kpi", args=["portal-visits"]))
                self.assertContains(page, definition)
                self.assertNotContains(page, "Page views of the public portal")
        self.client.cookies["toki_language"] = "ko"
        self.client.force_login(self.hana)
        self.assertContains(self.client.get(reverse("kpi:mine")), "내가 갱신하는 KPI")


class MeasuredKpiTests(BaseTestCase):
    """Figures Toki measures, fed through the doors the world uses: page views and survey answers through the
    portal, a notice published through the staff pages, then the hourly `kpi_refresh`."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan, cls.hana = create_kpi_demo(PERSONA_PASSWORD)

    def test_visits_satisfaction_and_publicity_are_measured(self):
        for _ in range(3):
            self.assertEqual(self.client.get("/", **BROWSER).status_code, 200)
        self.client.post("/portal/survey/", {"rating": 4, "next": "/"}, **BROWSER)
        self.client.force_login(self.alice)
        self.client.post(reverse("notices:manage_create"), {
            "category": "portal", "title_ja": "防災ポータルを使ってみましょう", "body_ja": "LINEからも開けます。"})
        notice_pk = self.client.get(reverse("notices:manage_list")).context["rows"][0]["notice"].pk
        self.client.post(reverse("notices:manage_publish", args=[notice_pk]))
        self.client.logout()
        call_command("kpi_refresh", stdout=io.StringIO())
        year = 2026 if timezone.localdate().month >= 4 else 2025
        latest = {r.kpi.code: r for r in Result.objects.filter(fiscal_year=year).select_related("kpi")}
        self.assertEqual(latest["portal-visits"].value, 3)
        self.assertEqual(latest["satisfaction"].value, 4)
        self.assertEqual(latest["publicity-count"].value, 1)
        self.assertNotIn("shelter-reception", latest)  # nobody checked in through Toki yet: not measured
        self.assertNotIn("hq-use-rate", latest)  # no disaster: nothing guessed
        page = self.client.get(reverse("kpi:kpi", args=["publicity-count"]))
        self.assertContains(page, "Tokiが1時間ごとに自動で測定")
        call_command("kpi_refresh", stdout=io.StringIO())
        self.assertEqual(Result.objects.filter(kpi__code="portal-visits").count(), 1)  # unchanged: not rewritten


class BaselineTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan, cls.hana = create_kpi_demo(PERSONA_PASSWORD)
        incident = open_incident(acting_user=cls.alice, municipality=cls.municipality, name="大雨", kind="heavy_rain")
        instruction = give_instruction(acting_user=cls.alice, incident=incident, title="被害状況を報告してください",
                                       to_org_unit=OrgUnit.objects.get(name="両津支所"))
        acknowledge_instruction(acting_user=cls.bob, instruction=instruction)

    def test_a_baseline_recorded_once_gives_one_result_however_often_it_is_refreshed(self):
        self.client.force_login(self.alice)
        self.client.post(reverse("kpi:set_baseline", args=["instruction-minutes-saved"]), {"baseline": "180"})
        for _ in range(2):
            call_command("kpi_refresh", stdout=io.StringIO())
        results = Result.objects.filter(kpi__code="instruction-minutes-saved")
        self.assertEqual(results.count(), 1)
        self.assertEqual(results.get().value, 180)  # acknowledged at once: 180 − 0.0 minutes saved


class KpiPaperTests(BaseTestCase):
    """The 評価調書 PDF and the Excel, opened and read back as the 審議会's secretary would."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan, cls.hana = create_kpi_demo(PERSONA_PASSWORD)

    def test_the_evaluation_sheet_pdf_carries_the_figures_and_only_reviewed_notes(self):
        self.client.force_login(self.hana)
        self.client.post(reverse("kpi:record_result", args=["mutual-aid-platform"]), {
            "fiscal_year": 2026, "value": "提供地域の拡大", "as_of": timezone.localdate().isoformat()})
        self.client.post(reverse("kpi:write_note", args=["mutual-aid-platform", 2026]),
                         {"analysis": "両津と相川で提供を始めた", "improvement": "公民館で説明会を開く"})
        self.client.logout()
        response = self.client.get(reverse("kpi:evaluation_pdf", args=[1]) + "?year=2026")
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        for expected in ("評価調書（令和8年度）", "基本目標1", "避難所での受付システム整備", "1,825,000件",
                         "提供地域の拡大", "100.0%"):
            self.assertIn(expected, text)
        self.assertNotIn("説明会", text)  # a draft note is not published
        self.client.force_login(self.alice)
        self.client.post(reverse("kpi:review_note", args=["mutual-aid-platform", 2026]), {"stage": "internal"})
        response = self.client.get(reverse("kpi:evaluation_pdf", args=[1]) + "?year=2026")
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        self.assertIn("説明会", text)
        self.assertEqual(self.client.get(reverse("kpi:evaluation_pdf", args=[1]) + "?year=1999").status_code, 404)
        self.assertEqual(self.client.get(reverse("kpi:evaluation_pdf", args=[7])).status_code, 404)

    def test_the_excel_has_the_plans_table_layout(self):
        response = self.client.get(reverse("kpi:plan_xlsx"))
        sheet = load_workbook(io.BytesIO(response.content))["基本目標1"]
        cells = [[c.value for c in row] for row in sheet.iter_rows()]
        header = next(row for row in cells if row[0] == "重要業績成果指数 KPI")
        self.assertEqual(header[2:5], ["令和5年度", "令和6年度", "令和7年度"])
        self.assertEqual(header[-1], "令和11–13年度")
        visits = next(i for i, row in enumerate(cells) if row[0] == "災害関連情報集約サイトのアクセス件数")
        self.assertEqual([cells[visits + k][1] for k in range(3)], ["目標", "結果", "達成率"])
        self.assertEqual(cells[visits][3], "318,000件")

    def test_one_departments_view(self):
        page = self.client.get(reverse("kpi:plan") + "?owner=地域づくり課")
        self.assertContains(page, "防災関連情報配信、共助につなげるデジタル基盤活用")
        self.assertNotContains(page, "災害関連情報集約サイトのアクセス件数")
        self.assertContains(self.client.get(reverse("kpi:plan") + "?owner=nobody"), "アクセス件数")
