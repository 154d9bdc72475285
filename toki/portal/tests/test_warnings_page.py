from django.urls import reverse

from toki.alerts.actions.orders import issue_evacuation_order, lift_evacuation_orders
from toki.alerts.actions.state import apply_telegram
from toki.alerts.tests.telegram_fixtures import sado_warning, store
from toki.test import BaseTestCase


class WarningsPageTests(BaseTestCase):
    url = reverse("portal:warnings")

    def setUp(self):
        super().setUp()
        apply_telegram(store(sado_warning(), "t1_VPWW54.xml").pk)
        self.ryotsu = issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                                             hazard="landslide", reason="土砂災害の危険")
        issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ogi"]], level=3,
                               hazard="flood", reason="川の増水")
        lift_evacuation_orders(acting_user=self.alice, orders=self.ryotsu, reason="危険が去りました")

    def test_it_lists_the_timeline_newest_first(self):
        response = self.client.get(self.url)
        titles = [e["text"].title for e in response.context["entries"]]
        self.assertEqual(len(titles), 4)
        self.assertIn("解除", titles[0])

    def test_it_filters_by_kind(self):
        response = self.client.get(self.url, {"category": "weather"})
        self.assertEqual([e["alert"].category for e in response.context["entries"]], ["weather"])

    def test_it_filters_by_district_keeping_alerts_for_the_whole_city(self):
        response = self.client.get(self.url, {"district": "ogi"})
        sources = sorted(e["alert"].source for e in response.context["entries"])
        self.assertEqual(sources, ["city", "jma"])  # 小木's order and the city-wide warning

    def test_it_shows_what_is_in_force_first(self):
        response = self.client.get(self.url)
        self.assertContains(response, 'class="order-now level-3"')
        self.assertNotContains(response, 'class="order-now level-4"')  # lifted

    def test_it_pins_its_query_count(self):
        self.client.get(self.url)
        # municipality (view, header), districts (filter), orders, warnings, feed, count, page, the public state
        # (toki.portal.live, with the disaster-mode switch), and for the card of the order in force: the orders and
        # the open shelters (none open: no shelter rows)
        with self.assertNumQueries(11):
            self.client.get(self.url)
