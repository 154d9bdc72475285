"""The portal's departures pages through the URLconf: next departures per stop with live status, in the five
languages; a suspended route is marked; the managers' page is for transit managers only; the ridership metric."""

import json
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from toki.alerts.actions.orders import issue_evacuation_order
from toki.lib.metrics import Period
from toki.test import DATABASE_TASKS, BaseTestCase, QueueMixin
from toki.transport.transit.actions import register_vehicle
from toki.transport.transit.metrics import boardings
from toki.transport.transit.selectors import next_departures
from toki.transport.transit.service_alerts import load_suspension_rules
from toki.transport.transit.tests.helpers import RULES, load_demo

MONDAY_8 = datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@override_settings(TASKS=DATABASE_TASKS)  # the queue the test works off, whatever engine the run uses
class DeparturesTests(QueueMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.feed = load_demo(self.municipality)
        clock = mock.patch("django.utils.timezone.now", return_value=MONDAY_8)
        clock.start()
        self.addCleanup(clock.stop)

    def page(self, stop="sawata_bs", language="ja"):
        self.client.cookies["toki_language"] = language
        return self.client.get(reverse("portal:stop_departures", args=[stop]))

    def test_it_lists_the_next_departures_of_a_stop_in_time_order(self):
        response = self.page()
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        self.assertIn("佐和田バスステーション", text)
        self.assertIn("デモデータ", text)
        found = next_departures(self.feed, self.feed.stops.get(gtfs_id="sawata_bs"), now=MONDAY_8)
        times = [d.scheduled.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M") for d in found]
        self.assertEqual(times[:3], ["08:45", "09:05", "10:15"])  # 08:10 out +35; 08:40 back +25; 09:40 out +35
        self.assertIn("08:45", text)
        self.assertNotIn("07:15", text)  # already gone

    def test_it_speaks_the_five_languages(self):
        expected = {"en": "Sawata Bus Station", "zh-hans": "佐和田巴士站", "ko": "사와타 버스 스테이션",
                    "ja-easy": "さわたばすすてーしょん", "ja": "佐和田バスステーション"}
        for language, name in expected.items():
            with self.subTest(language=language):
                text = self.page(language=language).content.decode()
                self.assertIn(name, text)
        self.assertIn("Main Line", self.page(language="en").content.decode())

    def test_it_shows_the_live_delay_of_the_vehicle_on_the_trip(self):
        _vehicle, token = register_vehicle(acting_user=None, municipality=self.municipality, gtfs_id="b1", label="1")
        self.client.post(reverse("transit:vehicle_position"), content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}", data=json.dumps({
                             "lat": 38.03, "lon": 138.36, "measured_at": MONDAY_8.isoformat(),
                             "trip_id": "honsen_out_02", "delay": 300}))
        self.assertIn("5 min late", self.page(language="en").content.decode())

    def test_it_marks_departures_of_a_suspended_route(self):
        load_suspension_rules(acting_user=None, municipality=self.municipality, text=RULES.read_text())
        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["aikawa"]], level=4,
                                   hazard="flood", reason="洪水")
        text = self.page(language="en").content.decode()
        self.assertIn("Suspended", text)
        self.assertIn("Main Line: service suspended", self.client.get(reverse("portal:departures")).content.decode())

    def test_the_stop_list_links_every_stop(self):
        text = self.client.get(reverse("portal:departures")).content.decode()
        for stop in ("ryotsu_port", "kirarium", "iwayaguchi"):
            self.assertIn(reverse("portal:stop_departures", args=[stop]), text)

    def test_it_answers_404_for_an_unknown_stop_or_no_feed(self):
        for path in ("/departures/..%2F..%2Fetc/", "/departures/" + "x" * 300 + "/", "/departures/%00/"):
            self.assertEqual(self.client.get(path).status_code, 404, path)
        self.feed.delete()
        self.assertEqual(self.page().status_code, 404)
        self.assertEqual(self.client.get(reverse("portal:departures")).status_code, 200)

    def test_the_managers_page_is_refused_to_outsiders_and_branch_offices(self):
        self.assertEqual(self.client.get(reverse("transit:manage")).status_code, 302)
        for user in (self.eve, self.bob, self.carol, self.dave):
            self.login(user)
            self.assertEqual(self.client.get(reverse("transit:manage")).status_code, 404)
            self.assertEqual(self.client.post(reverse("transit:manage_vehicle"),
                                              {"vehicle_id": "x", "label": "y"}).status_code, 404)
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("transit:manage")).status_code, 200)

    def test_registering_a_vehicle_shows_its_token_once_and_refuses_a_blank_id(self):
        self.login(self.alice)
        response = self.client.post(reverse("transit:manage_vehicle"), {"vehicle_id": "bus-9", "label": "9号車"})
        self.assertEqual(response["Cache-Control"], "no-store")
        token = response.context["token"]
        self.assertNotIn(token, self.client.get(reverse("transit:manage")).content.decode())
        response = self.client.post(reverse("transit:manage_vehicle"), {"vehicle_id": "", "label": "x"})
        self.assertRedirects(response, reverse("transit:manage"), fetch_redirect_response=False)
        self.assertEqual(self.municipality.transit_vehicles.count(), 1)

    def test_the_ridership_metric_counts_boardings_by_route(self):
        _vehicle, token = register_vehicle(acting_user=None, municipality=self.municipality, gtfs_id="b1", label="1")
        self.client.post(reverse("transit:vehicle_position"), content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}", data=json.dumps({
                             "lat": 38.03, "lon": 138.36, "measured_at": MONDAY_8.isoformat(),
                             "boardings": [{"key": "a", "route_id": "honsen", "count": 4},
                                           {"key": "b", "route_id": "aikawa_av", "count": 2}]}))
        measured = boardings(self.municipality, Period(date(2026, 4, 1), date(2027, 3, 31)))
        self.assertEqual((measured.value, measured.note), (6, "aikawa_av 2, honsen 4"))
        self.assertEqual(boardings(self.municipality, Period(date(2025, 4, 1), date(2026, 3, 31))).value, 0)

    def test_a_terminus_lists_no_arrivals_as_departures(self):
        found = next_departures(self.feed, self.feed.stops.get(gtfs_id="aikawa"), now=MONDAY_8)
        self.assertEqual({d.headsign for d in found}, {"両津港"})

    def test_a_stop_page_takes_a_fixed_number_of_queries(self):
        self.page()  # warm the profile and translation caches
        with self.assertNumQueries(14):  # the same for 1 or 8 departures (routes joined, translations once)
            self.page()

    def test_the_stop_list_shows_each_route_in_travel_order_in_the_readers_language(self):
        from toki.transport.transit.selectors import stops_by_route

        routes = dict(stops_by_route(self.feed, "en"))
        self.assertEqual([name for _stop, name in routes["Main Line"]],
                         ["Ryotsu Port (Sado Kisen)", "Kanai", "Sawata Bus Station", "Aikawa"])
        self.assertEqual([stop.gtfs_id for stop, _name in routes["Aikawa autonomous bus"]],
                         ["kirarium", "senkakuwan", "iwayaguchi"])
