from django.test import Client

from toki.hq.damage import actions
from toki.hq.damage.models import DamageReport
from toki.hq.damage.tests.support import DamageTestCase

BASE = "/api/v1/hq/damage"


class ApiTests(DamageTestCase):
    def setUp(self):
        super().setUp()
        self.report = self.file({"sites_roads": 2}, user=self.bob)
        actions.issue_report(acting_user=self.alice, incident=self.incident)

    def get_urls(self):
        i = self.incident.pk
        return [f"{BASE}/incidents/{i}/reports", f"{BASE}/reports/{self.report.pk}",
                f"{BASE}/incidents/{i}/aggregate", f"{BASE}/incidents/{i}/issued"]

    def post(self, url, data):
        return self.client.post(url, data, content_type="application/json")

    def test_it_answers_readers(self):
        self.login(self.carol)
        for url in self.get_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_refuses_anonymous_callers(self):
        for url in self.get_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 401)
        self.assertEqual(self.post(f"{BASE}/incidents/{self.incident.pk}/reports", {}).status_code, 401)

    def test_it_refuses_outsiders_on_every_endpoint(self):
        self.login(self.eve)
        for url in self.get_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        create = self.post(f"{BASE}/incidents/{self.incident.pk}/reports",
                           {"category": "roads", "district": "ryotsu", "counts": {"sites_roads": 1}})
        correct = self.post(f"{BASE}/reports/{self.report.pk}/corrections",
                            {"reason": "x", "counts": {"sites_roads": 9}})
        self.assertEqual((create.status_code, correct.status_code), (404, 404))
        self.assertEqual(DamageReport.objects.count(), 1)

    def test_it_files_a_report(self):
        self.login(self.bob)
        response = self.post(f"{BASE}/incidents/{self.incident.pk}/reports", {
            "category": "housing", "district": "ryotsu", "address": "両津湊",
            "counts": {"housing_half_collapse_buildings": 2}})
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["status"], body["district"], body["is_drill"]), ("unconfirmed", "ryotsu", False))
        self.assertEqual(body["current"]["counts"], [{"item": "housing_half_collapse_buildings", "value": "2.000"}])

    def test_it_explains_invalid_numbers(self):
        self.login(self.alice)
        response = self.post(f"{BASE}/incidents/{self.incident.pk}/reports", {
            "category": "roads", "district": "ryotsu", "counts": {"sites_roads": -3, "affected_persons": 1}})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"]["counts"], [
            "counts.sites_roads: must be zero or more", "counts.affected_persons: computed from other items, "
            "never entered"])

    def test_it_hides_a_district_the_filer_may_not_use(self):
        self.login(self.bob)
        response = self.post(f"{BASE}/incidents/{self.incident.pk}/reports", {
            "category": "roads", "district": "aikawa", "counts": {"sites_roads": 1}})
        self.assertEqual(response.status_code, 404)

    def test_it_corrects_a_report_and_keeps_the_history(self):
        self.login(self.bob)
        response = self.post(f"{BASE}/reports/{self.report.pk}/corrections",
                             {"reason": "もう1箇所", "counts": {"sites_roads": 3}})
        self.assertEqual(response.status_code, 201, response.content)
        detail = self.client.get(f"{BASE}/reports/{self.report.pk}").json()
        self.assertEqual([v["number"] for v in detail["versions"]], [2, 1])
        self.assertEqual(detail["current"]["reason"], "もう1箇所")

    def test_it_serves_the_live_aggregate(self):
        self.file({"lifeline_power_households": 40}, district=self.aikawa)
        self.login(self.carol)
        body = self.client.get(f"{BASE}/incidents/{self.incident.pk}/aggregate").json()
        self.assertEqual(body["totals"]["sites_roads"], "2")
        self.assertEqual(body["by_district"]["aikawa"]["lifeline_power_households"], "40")
        self.assertEqual(body["report_count"], 2)

    def test_it_lists_issued_reports(self):
        self.login(self.carol)
        [issued] = self.client.get(f"{BASE}/incidents/{self.incident.pk}/issued").json()
        self.assertEqual((issued["number"], issued["totals"]["sites_roads"]), (1, "2"))
        self.assertTrue(issued["xlsx_url"].endswith("/issued/1.xlsx"))

    def test_it_needs_the_csrf_token_to_post(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        response = client.post(f"{BASE}/incidents/{self.incident.pk}/reports",
                               {"category": "roads", "district": "ryotsu", "counts": {"sites_roads": 1}},
                               content_type="application/json")
        self.assertEqual(response.status_code, 403)

    def test_it_pins_the_query_counts(self):
        for _ in range(5):
            self.file({"sites_roads": 1})
        self.login(self.alice)
        url = f"{BASE}/incidents/{self.incident.pk}/reports"
        self.client.get(url)
        # session, user, memberships, incident (+ its districts), reports, their counts
        with self.assertNumQueries(7):
            self.assertEqual(len(self.client.get(url).json()), 6)
        # session, user, memberships, incident (+ its districts), definition, districts, sums, peaks, summary
        with self.assertNumQueries(10):
            self.client.get(f"{BASE}/incidents/{self.incident.pk}/aggregate")
