"""The shared-ride (demand-responsive) vehicles in the GTFS-Realtime VehiclePositions feed (docs/transit.md): each
vehicle within its shift whose driver's tablet reported a fresh position (POST /rides/driver/position), read
through the rides app's selector, beside the buses; decoded as a consumer would and checked by the realtime
checks. A stale position, a vehicle off its shift or one that never reported is not in it."""

import json

from django.core.cache import cache
from django.urls import reverse
from freezegun import freeze_time
from google.transit import gtfs_realtime_pb2 as rt

from toki.transport.rides import actions
from toki.transport.rides.models import Booking, Vehicle
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local
from toki.transport.rides.tests.tablet import Tablet
from toki.transport.transit.actions import register_vehicle
from toki.transport.transit.tests.helpers import load_demo
from toki.transport.transit.validation import check_realtime


class RidesVehiclesInRealtimeTests(RidesTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.feed = load_demo(self.municipality)
        # A booking makes the day's plans of every vehicle with a shift (両津1号車 08:00–17:00, 2号車 09:00–18:00,
        # 3号車 08:00–17:00).
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-office")),
                              destination=Place.of(self.point("ryotsu-hospital")),
                              earliest_pickup=local(self.day, 10), latest_arrival=None)
        booking = actions.book_ride(acting_user=None, request=request, channel="web", now=local(self.day, 7)).booking
        self.assertEqual(booking.status, Booking.Status.ACCEPTED)
        self.first, self.second, self.third = (Vehicle.objects.get(area=self.ryotsu, code=f"ryotsu-{n}")
                                               for n in (1, 2, 3))
        self.tablets = {v.pk: Tablet(v, self.bob) for v in (self.first, self.second)}  # the third never reports

    def report(self, vehicle: Vehicle, lat: float, lon: float, at) -> None:
        self.assertEqual(self.tablets[vehicle.pk].report_position(lat, lon, at), 202)

    def feed_at(self, at) -> rt.FeedMessage:
        """The feed as a consumer reads it at `at`: fetched, then parsed with the official bindings."""
        cache.clear()
        with freeze_time(at):
            response = self.client.get(reverse("transit:rt_vehicle_positions"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/x-protobuf")
        message = rt.FeedMessage()
        message.ParseFromString(response.content)
        problems = check_realtime(response.content, kind="vehicle-positions",
                                  trip_ids=set(self.feed.trips.values_list("gtfs_id", flat=True)),
                                  route_ids=set(self.feed.routes.values_list("gtfs_id", flat=True)), now=at)
        self.assertEqual(problems, [])
        return message

    def vehicles(self, message: rt.FeedMessage) -> dict[str, rt.VehiclePosition]:
        return {entity.vehicle.vehicle.id: entity.vehicle for entity in message.entity}

    def test_the_vehicles_on_duty_are_in_the_feed_beside_the_buses(self):
        now = local(self.day, 10)
        _bus, token = register_vehicle(acting_user=self.alice, municipality=self.municipality, gtfs_id="bus-7",
                                       label="佐渡 200 あ 7")
        with freeze_time(now):
            bus = self.client.post(reverse("transit:vehicle_position"), content_type="application/json",
                                   data=json.dumps({"lat": 38.03, "lon": 138.30, "measured_at": now.isoformat(),
                                                    "trip_id": "honsen_out_01"}),
                                   HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(bus.status_code, 202)
        self.report(self.first, 38.0812, 138.4351, now)
        self.report(self.second, 38.0880, 138.4300, now)
        message = self.feed_at(now)
        vehicles = self.vehicles(message)
        self.assertEqual(set(vehicles), {"bus-7", "rides-ryotsu-ryotsu-1", "rides-ryotsu-ryotsu-2"})
        first = vehicles["rides-ryotsu-ryotsu-1"]
        self.assertEqual(first.vehicle.label, "両津1号車")
        self.assertAlmostEqual(first.position.latitude, 38.0812, places=4)
        self.assertAlmostEqual(first.position.longitude, 138.4351, places=4)
        self.assertEqual(first.timestamp, int(now.timestamp()))
        self.assertFalse(first.HasField("trip"))  # no trip of the GTFS-JP feed: the service is the Flex feed's
        self.assertEqual(vehicles["bus-7"].trip.trip_id, "honsen_out_01")
        self.assertEqual(len({entity.id for entity in message.entity}), 3)

    def test_a_stale_position_is_not_in_the_feed(self):
        now = local(self.day, 10)
        self.report(self.first, 38.0812, 138.4351, now)
        self.assertIn("rides-ryotsu-ryotsu-1", self.vehicles(self.feed_at(now.replace(minute=5))))
        self.assertEqual(self.vehicles(self.feed_at(now.replace(minute=6))), {})  # TOKI_RIDES_POSITION_FRESH_MINUTES

    def test_a_vehicle_off_its_shift_is_not_in_the_feed(self):
        now = local(self.day, 17, 20)  # 1号車's shift ended at 17:00, 2号車's runs to 18:00
        self.report(self.first, 38.0812, 138.4351, now)
        self.report(self.second, 38.0880, 138.4300, now)
        self.assertEqual(set(self.vehicles(self.feed_at(now))), {"rides-ryotsu-ryotsu-2"})

    def test_a_fix_from_a_clock_running_fast_is_not_after_the_feeds_time(self):
        now = local(self.day, 10)
        ahead = now.replace(minute=1, second=30)
        with freeze_time(now):
            status = self.tablets[self.first.pk].client.post(
                reverse("rides:driver_position"), json.dumps({"lat": 38.0812, "lon": 138.4351,
                                                              "measured_at": ahead.isoformat()}),
                content_type="application/json").status_code
        self.assertEqual(status, 202)
        self.assertEqual(self.vehicles(self.feed_at(now))["rides-ryotsu-ryotsu-1"].timestamp, int(now.timestamp()))
