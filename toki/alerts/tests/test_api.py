from toki.alerts.actions.orders import issue_evacuation_order
from toki.alerts.actions.state import apply_telegram
from toki.alerts.cap.build import alert_to_cap
from toki.alerts.models import Alert
from toki.alerts.tests.telegram_fixtures import sado_warning, store
from toki.alerts.tests.test_cap_support import xsd_errors
from toki.test import BaseTestCase


class AlertsApiTests(BaseTestCase):
    def setUp(self):
        self.warning = apply_telegram(store(sado_warning(), "t1_VPWW54.xml").pk)
        self.order = issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                                            hazard="landslide", reason="土砂災害の危険が高まっています")[0]
        self.drill = issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ogi"]], level=5,
                                            hazard="tsunami", reason="訓練です", is_drill=True)[0]

    def test_it_lists_what_is_in_force(self):
        data = self.client.get("/api/v1/alerts/current").json()
        self.assertEqual(data["municipality"], "152242")
        self.assertIn("03", {w["kind_code"] for w in data["warnings"]})
        self.assertEqual([(o["district"], o["level"]) for o in data["evacuation_orders"]], [("ryotsu", 4)])
        self.assertEqual({a["id"] for a in data["alerts"]}, {self.warning.pk, self.order.issue_alert_id})

    def test_it_renders_in_the_requested_language(self):
        data = self.client.get(f"/api/v1/alerts/{self.order.issue_alert_id}", {"lang": "en"}).json()
        self.assertIn("Evacuation", data["title"])
        self.assertLessEqual(len(data["short"]), 100)

    def test_it_never_serves_drills(self):
        self.assertEqual(self.client.get(f"/api/v1/alerts/{self.drill.issue_alert_id}").status_code, 404)
        ids = {a["id"] for a in self.client.get("/api/v1/alerts").json()}
        self.assertNotIn(self.drill.issue_alert_id, ids)

    def test_it_filters_the_history_by_category(self):
        data = self.client.get("/api/v1/alerts", {"category": "evacuation"}).json()
        self.assertEqual([a["id"] for a in data], [self.order.issue_alert_id])

    def test_it_documents_the_endpoints_in_the_openapi_schema(self):
        paths = self.client.get("/api/v1/openapi.json").json()["paths"]
        self.assertIn("/api/v1/alerts/current", paths)
        self.assertIn("/api/v1/alerts", paths)

    def test_it_pins_the_query_count_of_current(self):
        self.client.get("/api/v1/alerts/current")  # the profiles' place names, read once (toki/areas/terms.py)
        # municipality, warnings, orders, alerts, their references
        with self.assertNumQueries(5):
            self.client.get("/api/v1/alerts/current")


class CapOfRealAlertsTests(BaseTestCase):
    def test_it_publishes_valid_cap_for_an_applied_jma_telegram_and_a_city_order(self):
        warning = apply_telegram(store(sado_warning(), "t1_VPWW54.xml").pk)
        order = issue_evacuation_order(acting_user=self.alice, districts=[self.districts["aikawa"]], level=3,
                                       hazard="flood", reason="川の水位が上がっています")[0]
        for alert in (warning, order.issue_alert):
            with self.subTest(source=alert.source):
                self.assertEqual(xsd_errors(alert_to_cap(alert)), [])
        self.assertEqual(Alert.objects.count(), 2)
