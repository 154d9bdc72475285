import json
from datetime import timedelta

from django.utils import timezone

from toki.hq.actions import chronology
from toki.hq.models import ChronologyEntry, Instruction
from toki.hq.tests.helpers import HqTestCase

API = "/api/v1/hq"


class ApiTests(HqTestCase):
    def post(self, url, data=None):
        return self.client.post(url, json.dumps(data or {}), content_type="application/json")

    def endpoints(self):
        instruction = self.instruct()
        incident = self.incident.pk
        gets = [f"{API}/incidents", f"{API}/incidents/{incident}", f"{API}/incidents/{incident}/instructions",
                f"{API}/instructions/mine", f"{API}/incidents/{incident}/chronology"]
        posts = [f"{API}/incidents/{incident}/instructions", f"{API}/instructions/{instruction.pk}/acknowledge",
                 f"{API}/instructions/{instruction.pk}/start", f"{API}/instructions/{instruction.pk}/complete",
                 f"{API}/incidents/{incident}/chronology"]
        return gets, posts

    def test_it_refuses_anonymous_callers(self):
        gets, posts = self.endpoints()
        for url in gets:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 401)
        for url in posts:
            with self.subTest(url=url):
                self.assertEqual(self.post(url, {"title": "x", "content": "x", "result": "x"}).status_code, 401)

    def test_it_refuses_outsiders_everywhere(self):
        gets, posts = self.endpoints()
        for user in (self.eve, self.dave):
            self.login(user)
            for url in gets:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
            for url in posts:
                with self.subTest(user=user.username, url=url):
                    response = self.post(url, {"title": "x", "content": "x", "result": "x", "to_user": "bob"})
                    self.assertEqual(response.status_code, 404)
        self.assertEqual(Instruction.objects.get().status, "issued")

    def test_it_lists_incidents_in_pinned_queries(self):
        self.login(self.alice)
        with self.assertNumQueries(6):
            body = self.client.get(f"{API}/incidents").json()
        self.assertEqual(body[0]["hq_statuses"][0]["level"], "disaster_hq")
        self.assertEqual(sorted(body[0]["districts"]), ["aikawa", "ryotsu"])

    def test_it_gives_an_instruction_and_the_addressee_completes_it(self):
        self.login(self.alice)
        due = (timezone.now() + timedelta(hours=1)).isoformat()
        response = self.post(f"{API}/incidents/{self.incident.pk}/instructions", {
            "title": "避難所の巡回", "priority": "urgent", "due_at": due, "to_user": "frank"})
        self.assertEqual(response.status_code, 201, response.content)
        pk = response.json()["id"]
        self.login(self.bob)
        self.assertEqual(self.post(f"{API}/instructions/{pk}/acknowledge").status_code, 404)
        self.login(self.frank)
        self.assertEqual([i["id"] for i in self.client.get(f"{API}/instructions/mine").json()], [pk])
        self.assertEqual(self.post(f"{API}/instructions/{pk}/acknowledge").json()["status"], "acknowledged")
        self.assertEqual(self.post(f"{API}/instructions/{pk}/complete", {"result": " "}).status_code, 422)
        done = self.post(f"{API}/instructions/{pk}/complete", {"result": "異常なし"}).json()
        self.assertEqual((done["status"], done["result"]), ("done", "異常なし"))

    def test_it_refuses_a_branch_reporter_giving_instructions(self):
        self.login(self.bob)
        response = self.post(f"{API}/incidents/{self.incident.pk}/instructions", {"title": "x", "to_user": "frank"})
        self.assertEqual(response.status_code, 404)

    def test_it_says_which_field_is_wrong(self):
        self.login(self.alice)
        response = self.post(f"{API}/incidents/{self.incident.pk}/instructions", {"title": "", "to_user": "nobody"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("to", response.json()["errors"])

    def test_it_lists_instructions_in_pinned_queries(self):
        for n in range(5):
            self.instruct(title=f"i{n}")
        self.login(self.alice)
        with self.assertNumQueries(5):
            body = self.client.get(f"{API}/incidents/{self.incident.pk}/instructions").json()
        self.assertEqual(len(body), 5)

    def test_it_writes_and_filters_the_chronology(self):
        self.login(self.alice)
        response = self.post(f"{API}/incidents/{self.incident.pk}/chronology", {
            "content": "県へ報告", "category": "hq", "district": "aikawa"})
        self.assertEqual(response.status_code, 201, response.content)
        body = self.client.get(f"{API}/incidents/{self.incident.pk}/chronology?district=aikawa").json()
        self.assertEqual([e["content"] for e in body], ["県へ報告"])
        self.login(self.bob)
        response = self.post(f"{API}/incidents/{self.incident.pk}/chronology", {"content": "x"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(ChronologyEntry.objects.filter(content="x").count(), 0)

    def test_it_lists_the_chronology_in_pinned_queries(self):
        for n in range(10):
            entry = chronology.write_entry(acting_user=self.alice, incident=self.incident, content=f"e{n}")
            chronology.annotate_entry(acting_user=self.alice, entry=entry, text="note")
        self.login(self.victor)
        with self.assertNumQueries(7):  # auth 3, incident, entries, annotations and their authors
            body = self.client.get(f"{API}/incidents/{self.incident.pk}/chronology").json()
        self.assertEqual(body[0]["annotations"], ["note"])
