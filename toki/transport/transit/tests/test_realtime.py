"""GTFS-RT through the URLconf: a vehicle reports with its token, the feeds publish it, the checks pass; bad
tokens and bad reports are refused with the field named."""

import json
from datetime import timedelta

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from google.transit import gtfs_realtime_pb2 as rt

from toki.test import BaseTestCase
from toki.transport.transit.actions import register_vehicle
from toki.transport.transit.models import Boarding, VehiclePosition
from toki.transport.transit.tests.helpers import load_demo
from toki.transport.transit.validation import check_realtime


class RealtimeTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.feed = load_demo(self.municipality)
        self.vehicle, self.token = register_vehicle(acting_user=self.alice, municipality=self.municipality,
                                                    gtfs_id="bus-7", label="佐渡 200 あ 7")

    def report(self, body, token=None):
        return self.client.post(reverse("transit:vehicle_position"), data=json.dumps(body),
                                content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {self.token if token is None else token}")

    def body(self, **changes):
        body = {"lat": 38.03, "lon": 138.30, "measured_at": timezone.now().isoformat(), "bearing": 270.0,
                "speed": 8.5, "trip_id": "honsen_out_01", "delay": 180, "stop_sequence": 3}
        body.update(changes)
        return {k: v for k, v in body.items() if v is not None}

    def feed_message(self, name) -> rt.FeedMessage:
        cache.clear()
        response = self.client.get(reverse(f"transit:{name}"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/x-protobuf")
        message = rt.FeedMessage()
        message.ParseFromString(response.content)
        return message

    def test_it_publishes_a_reported_position_and_the_trip_delay(self):
        self.assertEqual(self.report(self.body()).status_code, 202)
        vehicles = self.feed_message("rt_vehicle_positions")
        self.assertEqual(len(vehicles.entity), 1)
        entity = vehicles.entity[0].vehicle
        self.assertEqual((entity.vehicle.id, entity.trip.trip_id, entity.trip.route_id),
                         ("bus-7", "honsen_out_01", "honsen"))
        self.assertAlmostEqual(entity.position.latitude, 38.03, places=5)
        updates = self.feed_message("rt_trip_updates")
        self.assertEqual(updates.entity[0].trip_update.stop_time_update[0].departure.delay, 180)

    def test_the_feeds_pass_the_realtime_checks(self):
        self.report(self.body())
        trip_ids = set(self.feed.trips.values_list("gtfs_id", flat=True))
        route_ids = set(self.feed.routes.values_list("gtfs_id", flat=True))
        for name, kind in (("rt_vehicle_positions", "vehicle-positions"), ("rt_trip_updates", "trip-updates"),
                           ("rt_service_alerts", "service-alerts")):
            body = self.feed_message(name).SerializeToString()
            self.assertEqual(check_realtime(body, kind=kind, trip_ids=trip_ids, route_ids=route_ids,
                                            now=timezone.now()), [], name)

    def test_the_checks_find_a_position_off_the_map_and_an_unknown_trip(self):
        message = rt.FeedMessage()
        message.header.gtfs_realtime_version = "2.0"
        message.header.timestamp = int(timezone.now().timestamp())
        entity = message.entity.add()
        entity.id = "v"
        entity.vehicle.trip.trip_id = "ghost"
        entity.vehicle.position.latitude, entity.vehicle.position.longitude = 0, 0
        problems = check_realtime(message.SerializeToString(), kind="vehicle-positions", trip_ids={"t"},
                                  route_ids=set(), now=timezone.now())
        self.assertEqual(len(problems), 2, problems)

    def test_it_drops_a_vehicle_that_stopped_reporting(self):
        self.report(self.body())
        VehiclePosition.objects.update(received_at=timezone.now() - timedelta(minutes=5))
        self.assertEqual(len(self.feed_message("rt_vehicle_positions").entity), 0)

    def test_it_keeps_the_newest_position_when_reports_arrive_out_of_order(self):
        self.report(self.body(lat=38.1))
        self.report(self.body(lat=38.0, measured_at=(timezone.now() - timedelta(minutes=1)).isoformat()))
        self.assertEqual(VehiclePosition.objects.get().lat, 38.1)

    def test_it_counts_boardings_once_however_often_they_are_resent(self):
        boarding = {"key": "t7-0001", "route_id": "honsen", "stop_id": "kanai", "count": 3}
        for _ in range(2):
            self.assertEqual(self.report(self.body(boardings=[boarding])).status_code, 202)
        self.assertEqual(Boarding.objects.get().count, 3)

    def test_it_serves_the_feeds_with_caching_headers_and_304(self):
        response = self.client.get(reverse("transit:rt_service_alerts"))
        self.assertIn("max-age=5", response["Cache-Control"])
        self.assertIn("public", response["Cache-Control"])
        again = self.client.get(reverse("transit:rt_service_alerts"), HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(again.status_code, 304)
        self.assertIn(b"gtfs_realtime_version", self.client.get(
            reverse("transit:rt_service_alerts") + "?debug=1").content)

    def test_it_refuses_a_missing_wrong_or_revoked_token(self):
        for token in ("", "not-the-token"):
            response = self.report(self.body(), token=token)
            self.assertEqual(response.status_code, 401)
            self.assertIn("Bearer", response["WWW-Authenticate"])
        self.vehicle.is_active = False
        self.vehicle.save()
        self.assertEqual(self.report(self.body()).status_code, 401)
        self.assertFalse(VehiclePosition.objects.exists())

    def test_a_logged_in_outsider_without_a_token_is_refused(self):
        self.login(self.eve)
        response = self.client.post(reverse("transit:vehicle_position"), data=json.dumps(self.body()),
                                    content_type="application/json")
        self.assertEqual(response.status_code, 401)

    def test_it_refuses_bad_reports_naming_the_field(self):
        cases = [
            (self.body(lat=91), "lat: must be between -90 and 90"),
            (self.body(lat=None), "lat: required"),
            (self.body(lon="east"), "lon: a number is needed"),
            (self.body(measured_at="yesterday"), "measured_at: not an ISO 8601 time"),
            (self.body(measured_at="2026-12-06T09:00:00"), "measured_at: the time needs its UTC offset"),
            (self.body(measured_at=(timezone.now() + timedelta(hours=1)).isoformat()), "measured_at: more than"),
            (self.body(trip_id="ghost"), "trip_id: not a trip of the published feed"),
            (self.body(delay=1.5), "delay: a whole number is needed"),
            (self.body(colour="red"), "colour: unknown field"),
            (self.body(boardings=[{"key": "k", "route_id": "honsen", "count": 0}]), "boardings[1].count"),
            (self.body(boardings=[{"route_id": "honsen", "count": 1}]), "boardings[1].key: required"),
            ([1, 2], "the body must be a JSON object"),
        ]
        for body, message in cases:
            with self.subTest(message=message):
                response = self.report(body)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.json()["detail"])
        self.assertEqual(self.client.post(reverse("transit:vehicle_position"), data=b"{not json",
                                          content_type="application/json",
                                          HTTP_AUTHORIZATION=f"Bearer {self.token}").status_code, 400)
        self.assertEqual(self.report({"x": "y" * 20000}).status_code, 413)
        self.assertFalse(VehiclePosition.objects.exists())

    def test_the_position_endpoint_takes_only_post(self):
        self.assertEqual(self.client.get(reverse("transit:vehicle_position")).status_code, 405)

    def test_building_the_feeds_takes_a_fixed_number_of_queries_whatever_the_number_of_vehicles(self):
        from toki.transport.transit.realtime import FEEDS

        for n in range(3):
            _vehicle, token = register_vehicle(acting_user=None, municipality=self.municipality,
                                               gtfs_id=f"extra-{n}", label=str(n))
            self.report(self.body(), token=token)
        # vehicle-positions: the buses, then the shared-ride vehicles on duty (the rides selector)
        for kind, queries in (("vehicle-positions", 2), ("trip-updates", 3), ("service-alerts", 2)):
            with self.subTest(kind=kind), self.assertNumQueries(queries):
                FEEDS[kind](self.municipality)

    def test_the_feeds_take_only_get_and_ignore_unknown_parameters(self):
        for name in ("rt_vehicle_positions", "rt_trip_updates", "rt_service_alerts"):
            with self.subTest(name=name):
                self.assertEqual(self.client.post(reverse(f"transit:{name}")).status_code, 405)
                response = self.client.get(reverse(f"transit:{name}") + "?debug=%00&x=" + "y" * 3000)
                self.assertEqual(response["Content-Type"], "application/x-protobuf")
