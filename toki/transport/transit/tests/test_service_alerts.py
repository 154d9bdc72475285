"""Service alerts from Toki's own alerts: an evacuation order or a warning in force suspends the routes the rules
name, through the domain event and its subscriber; lifting it ends the alert. The rules file is checked."""

from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from google.transit import gtfs_realtime_pb2 as rt

from toki.alerts.actions.orders import issue_evacuation_order, lift_evacuation_orders
from toki.alerts.actions.state import apply_telegram
from toki.alerts.tests.telegram_fixtures import sado_warning, store
from toki.test import DATABASE_TASKS, BaseTestCase, QueueMixin
from toki.transport.transit.models import ServiceAlert
from toki.transport.transit.service_alerts import RulesInvalid, load_suspension_rules, refresh_service_alerts
from toki.transport.transit.tests.helpers import RULES, load_demo


@override_settings(TASKS=DATABASE_TASKS)  # the queue the test works off, whatever engine the run uses
class ServiceAlertTests(QueueMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        load_demo(self.municipality)
        load_suspension_rules(acting_user=None, municipality=self.municipality, text=RULES.read_text())

    def open_routes(self) -> dict[str, str]:
        return dict(ServiceAlert.objects.filter(ended_at=None).values_list("route_gtfs_id", "effect"))

    def alerts_feed(self) -> rt.FeedMessage:
        cache.clear()
        message = rt.FeedMessage()
        message.ParseFromString(self.client.get(reverse("transit:rt_service_alerts")).content)
        return message

    def test_an_evacuation_order_in_aikawa_suspends_both_routes_until_it_is_lifted(self):
        with self.committed():
            orders = issue_evacuation_order(acting_user=self.alice, districts=[self.districts["aikawa"]], level=4,
                                            hazard="landslide", reason="土砂災害の危険")
        self.assertEqual(self.open_routes(), {"honsen": "NO_SERVICE", "aikawa_av": "NO_SERVICE"})
        message = self.alerts_feed()
        self.assertEqual(len(message.entity), 2)
        alert = message.entity[0].alert
        self.assertEqual(alert.cause, rt.Alert.WEATHER)
        languages = {t.language: t.text for t in alert.header_text.translation}
        self.assertEqual(set(languages), {"ja", "en", "zh-Hans", "ko", "ja-x-easy"})
        self.assertIn("Aikawa", {t.language: t.text for t in alert.description_text.translation}["en"])
        with self.committed():
            lift_evacuation_orders(acting_user=self.alice, orders=orders, reason="解除")
        self.assertEqual(self.open_routes(), {})
        self.assertEqual(len(self.alerts_feed().entity), 0)
        self.assertEqual(ServiceAlert.objects.exclude(ended_at=None).count(), 2)

    def test_an_order_elsewhere_or_below_the_level_suspends_nothing(self):
        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ogi"]], level=4,
                                   hazard="flood", reason="洪水")
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=3,
                                   hazard="flood", reason="洪水")
        self.assertEqual(self.open_routes(), {})

    def test_an_order_on_the_corridor_reduces_the_main_line(self):
        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["sawata"]], level=4,
                                   hazard="tsunami", reason="津波")
        self.assertEqual(self.open_routes(), {"honsen": "REDUCED_SERVICE"})
        self.assertEqual(ServiceAlert.objects.get().cause, "OTHER_CAUSE")

    def test_a_heavy_rain_warning_suspends_the_autonomous_bus(self):
        with self.committed():
            apply_telegram(store(sado_warning(), "t1_VPWW54.xml").pk)  # 大雨警報 (03) for 佐渡市
        self.assertEqual(self.open_routes(), {"aikawa_av": "NO_SERVICE"})
        self.assertEqual(ServiceAlert.objects.get().reasons[0]["rule"], "av-rain-waves")

    def test_a_drill_suspends_nothing(self):
        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["aikawa"]], level=5,
                                   hazard="flood", reason="訓練", is_drill=True)
        self.assertEqual(self.open_routes(), {})

    def test_refreshing_again_changes_nothing(self):
        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["aikawa"]], level=4,
                                   hazard="flood", reason="洪水")
        self.assertEqual(refresh_service_alerts(self.municipality), {"opened": 0, "updated": 0, "ended": 0})

    def test_it_refuses_a_bad_rules_file_naming_the_rule_and_field_and_keeps_the_old_rules(self):
        cases = [
            ('{"rules": [{"key": "a", "trigger": "flood", "routes": ["honsen"]}]}', "rule 1 (a): trigger"),
            ('{"rules": [{"key": "a", "trigger": "order", "districts": ["atlantis"], "routes": ["x"]}]}',
             "rule 1 (a): districts: unknown district code(s) ['atlantis']"),
            ('{"rules": [{"key": "a", "trigger": "warning", "kind_codes": ["3"], "routes": ["x"]}]}',
             "rule 1 (a): kind_codes"),
            ('{"rules": [{"key": "a", "trigger": "warning", "kind_codes": ["03"], "routes": []}]}',
             "rule 1 (a): routes"),
            ('{"rules": [{"key": "a", "trigger": "order", "routes": ["x"], "effect": "PANIC"}]}', "effect"),
            ("[1]", 'the file needs a list "rules"'), ("{", "not JSON"),
        ]
        for text, message in cases:
            with self.subTest(message=message), self.assertRaisesMessage(RulesInvalid, message):
                load_suspension_rules(acting_user=None, municipality=self.municipality, text=text)
        self.assertEqual(self.municipality.transit_rules.count(), 5)

    def test_a_suspended_route_has_its_remaining_trips_cancelled_in_trip_updates(self):
        from datetime import datetime
        from unittest import mock
        from zoneinfo import ZoneInfo

        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["aikawa"]], level=4,
                                   hazard="flood", reason="洪水")
        noon = datetime(2026, 12, 7, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
        cache.clear()
        with mock.patch("django.utils.timezone.now", return_value=noon):
            message = rt.FeedMessage()
            message.ParseFromString(self.client.get(reverse("transit:rt_trip_updates")).content)
        cancelled = {e.trip_update.trip.trip_id for e in message.entity
                     if e.trip_update.trip.schedule_relationship == rt.TripDescriptor.CANCELED}
        # 本線: departures from 11:40 on (5 out, 5 back; 11:10 back still runs until 12:10); 相川 bus: 13:30 x2
        self.assertIn("honsen_out_04", cancelled)
        self.assertIn("av_out_02", cancelled)
        self.assertNotIn("honsen_out_01", cancelled)  # finished at 07:40
        self.assertNotIn("av_out_01", cancelled)  # 09:00–10:15, over
        self.assertEqual({e.trip_update.trip.start_date for e in message.entity}, {"20261207"})
