from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from toki.hq.actions import chronology
from toki.hq.models import ChronologyEntry, HqStatus, Incident, Instruction
from toki.hq.tests.helpers import HqTestCase


class AccessTests(HqTestCase):
    """Every HQ page and endpoint refuses anonymous visitors (to the login page) and outsiders (404)."""

    def urls(self):
        incident = self.incident.pk
        instruction = self.instruct().pk
        entry = chronology.write_entry(acting_user=self.alice, incident=self.incident, content="x").pk
        gets = [reverse("hq:incidents"), reverse("hq:incident_new"), reverse("hq:incident", args=[incident]),
                reverse("hq:board", args=[incident]), reverse("hq:board_map", args=[incident]),
                reverse("hq:board_part", args=[incident, "summary"]),
                reverse("hq:board_part", args=[incident, "instructions"]),
                reverse("hq:board_part", args=[incident, "chronology"]), reverse("hq:kpi_json", args=[incident]),
                reverse("hq:incident_instructions", args=[incident]), reverse("hq:chronology", args=[incident]),
                reverse("hq:chronology_csv", args=[incident]), reverse("hq:chronology_print", args=[incident]),
                reverse("hq:my_instructions"), reverse("hq:instruction", args=[instruction])]
        posts = [reverse("hq:incident_new"), reverse("hq:incident_status", args=[incident]),
                 reverse("hq:incident_relief", args=[incident]), reverse("hq:incident_districts", args=[incident]),
                 reverse("hq:incident_close", args=[incident]), reverse("hq:incident_instructions", args=[incident]),
                 reverse("hq:chronology", args=[incident]), reverse("hq:annotate", args=[incident, entry])]
        posts += [reverse("hq:instruction_step", args=[instruction, step])
                  for step in ("acknowledge", "start", "complete", "cancel")]
        return gets, posts

    def test_it_sends_anonymous_visitors_to_the_login_page(self):
        gets, posts = self.urls()
        for url in gets + posts:
            with self.subTest(url=url):
                response = self.client.post(url, {"text": "x"}) if url in posts else self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("accounts:login"), response["Location"])

    def test_it_refuses_outsiders_and_welfare_staff_everywhere(self):
        gets, posts = self.urls()
        for user in (self.eve, self.dave):
            self.login(user)
            for url in gets + posts:
                with self.subTest(user=user.username, url=url):
                    response = self.client.post(url, {"text": "x", "result": "x", "reason": "x", "content": "x",
                                                      "title": "x"}) if url in posts else self.client.get(url)
                    self.assertEqual(response.status_code, 404)
        self.assertEqual(Instruction.objects.get().status, "issued")

    def test_it_refuses_branch_staff_the_hq_only_changes(self):
        self.login(self.bob)
        _gets, posts = self.urls()
        for url in posts[:8]:
            with self.subTest(url=url):
                response = self.client.post(url, {"level": "", "content": "x", "title": "x", "text": "x",
                                                  "name": "x", "kind": "other"})
                self.assertEqual(response.status_code, 404)
        self.assertTrue(Incident.objects.get(pk=self.incident.pk).is_active)

    def test_it_shows_every_page_to_hq_staff(self):
        gets, _posts = self.urls()
        self.login(self.alice)
        for url in gets:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_lets_an_hq_viewer_read_but_not_change(self):
        gets, posts = self.urls()
        self.login(self.victor)
        for url in gets:
            if url == reverse("hq:incident_new"):
                continue
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.get(reverse("hq:incident_new")).status_code, 404)
        self.assertEqual(self.client.post(posts[1], {"level": ""}).status_code, 404)

    def test_it_404s_an_unknown_board_part(self):
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("hq:board_part", args=[self.incident.pk, "secrets"])).status_code,
                         404)


class IncidentPageTests(HqTestCase):
    def setUp(self):
        super().setUp()
        self.client.cookies["toki_language"] = "en"
        self.login(self.alice)

    def test_it_opens_an_incident_from_the_form(self):
        response = self.client.post(reverse("hq:incident_new"), {
            "name": "訓練 地震", "kind": "earthquake", "districts": [self.ryotsu.pk], "hq_level": "alert_hq",
            "is_drill": "on"})
        incident = Incident.objects.get(name="訓練 地震")
        self.assertRedirects(response, reverse("hq:incident", args=[incident.pk]))
        self.assertTrue(incident.is_drill)
        self.assertContains(self.client.get(reverse("hq:incident", args=[incident.pk])), "【訓練】")

    def test_it_shows_clear_errors(self):
        response = self.client.post(reverse("hq:incident_new"), {"name": "", "kind": "meteor"})
        self.assertContains(response, "Give the incident a name.")
        self.assertContains(response, "Select a valid choice")

    def test_it_changes_hq_status_and_closes(self):
        self.client.post(reverse("hq:incident_status", args=[self.incident.pk]), {"level": "alert_hq"})
        self.assertEqual(self.incident.hq_statuses.get(dissolved_at__isnull=True).level, HqStatus.Level.ALERT_HQ)
        self.client.post(reverse("hq:incident_relief", args=[self.incident.pk]), {"applied_on": "2026-07-01"})
        self.client.post(reverse("hq:incident_close", args=[self.incident.pk]), {})
        incident = Incident.objects.get(pk=self.incident.pk)
        self.assertFalse(incident.is_active)
        self.assertEqual(str(incident.relief_act_applied_on), "2026-07-01")

    def test_it_dissolves_the_hq_body_only_when_asked(self):
        response = self.client.post(reverse("hq:incident_status", args=[self.incident.pk]), {"level": ""},
                                    follow=True)
        self.assertContains(response, "Choose the HQ body to establish, or dissolve.")
        self.assertTrue(self.incident.hq_statuses.filter(dissolved_at__isnull=True).exists())
        self.client.post(reverse("hq:incident_status", args=[self.incident.pk]), {"level": "dissolve"})
        self.assertFalse(self.incident.hq_statuses.filter(dissolved_at__isnull=True).exists())

    def test_it_reports_a_time_before_the_status_as_an_error(self):
        response = self.client.post(reverse("hq:incident_status", args=[self.incident.pk]), {
            "level": "alert_hq", "at": (timezone.localtime() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")},
            follow=True)
        self.assertContains(response, "before the current HQ body")

    def test_it_lists_incidents_in_pinned_queries(self):
        with self.assertNumQueries(8):
            self.assertEqual(self.client.get(reverse("hq:incidents")).status_code, 200)


class InstructionPageTests(HqTestCase):
    def setUp(self):
        super().setUp()
        self.client.cookies["toki_language"] = "en"

    def test_it_gives_an_instruction_from_the_form(self):
        self.login(self.alice)
        due = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        response = self.client.post(reverse("hq:incident_instructions", args=[self.incident.pk]), {
            "title": "避難所の開設準備", "priority": "urgent", "due_at": due, "to_org_unit": self.aikawa_office.pk})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Instruction.objects.get().to_org_unit, self.aikawa_office)

    def test_it_asks_for_one_addressee(self):
        self.login(self.alice)
        response = self.client.post(reverse("hq:incident_instructions", args=[self.incident.pk]), {
            "title": "x", "priority": "normal", "to_org_unit": self.aikawa_office.pk, "to_user": self.bob.pk})
        self.assertContains(response, "Choose one organisation or one person.")

    def test_it_lets_the_recipient_answer_from_my_instructions(self):
        instruction = self.instruct(to_org_unit=self.aikawa_office)
        self.login(self.frank)
        page = self.client.get(reverse("hq:my_instructions"))
        self.assertContains(page, instruction.title)
        self.client.post(reverse("hq:instruction_step", args=[instruction.pk, "acknowledge"]), {"next": "mine"})
        self.client.post(reverse("hq:instruction_step", args=[instruction.pk, "complete"]), {"result": "確認済み"})
        instruction.refresh_from_db()
        self.assertEqual((instruction.status, instruction.done_by), ("done", self.frank))
        self.assertNotContains(self.client.get(reverse("hq:my_instructions")), instruction.title)

    def test_it_refuses_a_branch_user_answering_another_branch(self):
        instruction = self.instruct(to_org_unit=self.aikawa_office)
        self.login(self.bob)
        response = self.client.post(reverse("hq:instruction_step", args=[instruction.pk, "acknowledge"]))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Instruction.objects.get().status, "issued")

    def test_it_filters_overdue_and_unacknowledged(self):
        fresh = self.instruct(title="fresh")
        stale = self.instruct(title="stale")
        Instruction.objects.filter(pk=stale.pk).update(issued_at=timezone.now() - timedelta(hours=1))
        self.login(self.alice)
        response = self.client.get(reverse("hq:incident_instructions", args=[self.incident.pk]) + "?state=attention")
        self.assertContains(response, "stale")
        self.assertNotContains(response, fresh.title + "<")
        self.assertContains(response, "Not acknowledged")

    def test_it_lists_instructions_in_pinned_queries(self):
        for n in range(5):
            self.instruct(title=f"i{n}")
        self.login(self.alice)
        with self.assertNumQueries(11):
            self.client.get(reverse("hq:incident_instructions", args=[self.incident.pk]))


class ChronologyPageTests(HqTestCase):
    def setUp(self):
        super().setUp()
        self.client.cookies["toki_language"] = "en"
        self.login(self.alice)

    def test_it_writes_and_annotates_an_entry(self):
        self.client.post(reverse("hq:chronology", args=[self.incident.pk]), {
            "content": "消防より 道路冠水の通報", "category": "damage", "district": self.ryotsu.pk,
            "sender": "消防本部"})
        entry = ChronologyEntry.objects.get(content="消防より 道路冠水の通報")
        self.client.post(reverse("hq:annotate", args=[self.incident.pk, entry.pk]), {"text": "10:12 に訂正"})
        page = self.client.get(reverse("hq:chronology", args=[self.incident.pk]) + "?district=ryotsu")
        self.assertContains(page, "10:12 に訂正")
        self.assertNotContains(page, "災害 令和8年7月豪雨 対応開始")  # no district: filtered out

    def test_it_exports_csv_with_a_bom(self):
        chronology.write_entry(acting_user=self.alice, incident=self.incident, content="県へ報告, 電話")
        response = self.client.get(reverse("hq:chronology_csv", args=[self.incident.pk]))
        body = response.content.decode("utf-8")
        self.assertTrue(body.startswith("\ufeff時間,発信者"))
        self.assertIn('"県へ報告, 電話"', body)

    def test_it_marks_a_drill_export(self):
        from toki.hq import actions
        drill = actions.open_incident(acting_user=self.alice, municipality=self.municipality, name="総合防災訓練",
                                      kind="earthquake", is_drill=True)
        response = self.client.get(reverse("hq:chronology_csv", args=[drill.pk]))
        self.assertIn("drill", response["Content-Disposition"])
        self.assertIn("【訓練】", response.content.decode("utf-8"))
        self.assertContains(self.client.get(reverse("hq:chronology_print", args=[drill.pk])), "【訓練】")

    def test_it_lists_the_chronology_in_pinned_queries(self):
        for n in range(10):
            entry = chronology.write_entry(acting_user=self.alice, incident=self.incident, content=f"e{n}")
            chronology.annotate_entry(acting_user=self.alice, entry=entry, text="note")
        with self.assertNumQueries(12):
            self.client.get(reverse("hq:chronology", args=[self.incident.pk]))
