"""A vehicle running late (docs/rides.md, "Running late"): the tablet's marks, synced through the driver's sync API,
re-time the vehicle's later stops from what was recorded (`plans.as_running`), so the next riders' predicted times,
their booking page and the 'near' reminder follow the vehicle, and no later write by the solver (a new booking, the
re-optimiser) puts back the times it has missed. A vehicle running early moves nothing earlier."""

from datetime import datetime, timedelta

from django.test import override_settings
from django.urls import reverse
from freezegun import freeze_time

from toki.transport.rides import actions, dispatch, plans
from toki.transport.rides.models import Booking, Vehicle, VehicleDay
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local
from toki.transport.rides.tests.tablet import Tablet


class OneVehicleDayCase(RidesTestCase):
    """One vehicle of the area running (the others in the garage), with two rides on it at 10:00 and 10:40."""

    def setUp(self):
        super().setUp()
        # A day with one vehicle of the area running (the others in the garage), so both rides are on it.
        self.vehicle = Vehicle.objects.filter(area=self.ryotsu, active=True).order_by("code").first()
        Vehicle.objects.filter(area=self.ryotsu).exclude(pk=self.vehicle.pk).update(active=False)
        self.first = self.book("ryotsu-office", "ryotsu-hospital", 10)
        self.second = self.book("ryotsu-hospital", "ryotsu-office", 10, 40)
        self.first.refresh_from_db()  # the second booking may have re-timed it
        self.assertEqual({self.first.vehicle, self.second.vehicle}, {self.vehicle})
        self.tablet = Tablet(self.vehicle, self.bob)

    def book(self, origin: str, destination: str, hh: int, mm: int = 0, now: datetime | None = None) -> Booking:
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point(origin)),
                              destination=Place.of(self.point(destination)),
                              earliest_pickup=local(self.day, hh, mm), latest_arrival=None)
        booking = actions.book_ride(acting_user=None, request=request, channel="web",
                                    now=now or local(self.day, 7)).booking
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        return booking


class RunningLateTests(OneVehicleDayCase):
    def route(self) -> list[dict]:
        return VehicleDay.objects.get(vehicle=self.vehicle, day=self.day).stops

    def assert_room_for_every_drive(self, boarded_at: datetime) -> None:
        """From the boarding on, each stop is at least the stop time after the one before (the drive on top)."""
        times = [datetime.fromisoformat(s["at"]) for s in self.route()]
        start = next(i for i, s in enumerate(self.route()) if (s["booking"], s["kind"]) == (self.first.pk, "pickup"))
        clock = boarded_at
        for at in times[start + 1:]:
            self.assertGreaterEqual(at, clock + timedelta(minutes=self.ryotsu.stop_minutes))
            clock = at

    def test_a_late_boarding_pushes_the_next_riders_times_and_their_page_says_so(self):
        planned_first = self.first.planned_pickup
        before = (self.second.planned_pickup, self.second.planned_dropoff)
        late = self.first.promised_pickup_until + timedelta(minutes=40)
        self.assertEqual(self.tablet.mark("boarded", self.first, late)["status"], "applied")
        second = Booking.objects.get(pk=self.second.pk)
        self.assertGreater(second.planned_pickup, before[0])
        self.assertGreater(second.planned_dropoff, before[1])
        self.assertEqual(Booking.objects.get(pk=self.first.pk).planned_pickup, planned_first)  # the plan, kept
        self.assert_room_for_every_drive(late)
        self.assertTrue(second.running_late)
        page = self.client.get(reverse("rides:booking", args=[second.reference]))
        expected = second.planned_pickup.astimezone().strftime("%H:%M")
        self.assertContains(page, f"お迎えは{expected}ごろの見込みです")
        # The driver's tablet shows the new times too.
        with freeze_time(late + timedelta(minutes=1)):
            shown = self.tablet.client.get(reverse("rides:driver_plan")).json()
        self.assertIn(second.planned_dropoff.astimezone().isoformat(), [s["at"] for s in shown["stops"]])

        # A booking made now (the solver writes the plan again) and the re-optimiser keep the pushed times.
        self.book("ryotsu-office", "ryotsu-gym", 14, now=late + timedelta(minutes=2))
        self.assertGreaterEqual(Booking.objects.get(pk=self.second.pk).planned_pickup, second.planned_pickup)
        days = list(plans.read_days(self.ryotsu, self.day))
        routes = dispatch.improve(self.ryotsu, days, now=late + timedelta(minutes=3), seconds=60, seed=0,
                                  max_iterations=200)
        again = {(s["booking"], s["kind"]): s["at"] for route in routes.values() for s in route}
        self.assertGreaterEqual(datetime.fromisoformat(again[(self.second.pk, "pickup")]), second.planned_pickup)

        # The drop-off, late too, moves the next stops again.
        dropped = late + timedelta(minutes=25)
        self.assertEqual(self.tablet.mark("dropped_off", self.first, dropped)["status"], "applied")
        self.assertGreaterEqual(Booking.objects.get(pk=self.second.pk).planned_pickup,
                                dropped + timedelta(minutes=self.ryotsu.stop_minutes))

    def test_an_early_boarding_moves_nothing_earlier(self):
        before = [(s["booking"], s["kind"], s["at"]) for s in self.route()]
        early = self.first.promised_pickup_from - timedelta(minutes=10)
        self.assertEqual(self.tablet.mark("boarded", self.first, early)["status"], "applied")
        self.assertEqual([(s["booking"], s["kind"], s["at"]) for s in self.route()], before)
        second = Booking.objects.get(pk=self.second.pk)
        self.assertFalse(second.running_late)
        self.assertNotContains(self.client.get(reverse("rides:booking", args=[second.reference])),
                               'class="rides-late"')

    def test_marks_are_applied_when_the_travel_source_cannot_answer(self):
        """OSRM down (the server in the office lost power): the marks are facts and are applied — the sync answers,
        nothing waits behind them — and the later stops are re-timed on the straight-line estimate, logged."""
        before = Booking.objects.get(pk=self.second.pk).planned_pickup
        late = self.first.promised_pickup_until + timedelta(minutes=40)
        with (override_settings(TOKI_RIDES_TRAVEL="osrm:http://127.0.0.1:9"),
              self.assertLogs("toki.transport.rides.plans", "WARNING") as logged):
            boarded = self.tablet.mark("boarded", self.first, late)
            self.assertGreater(Booking.objects.get(pk=self.second.pk).planned_pickup, before)  # pushed, estimated
            dropped = self.tablet.mark("dropped_off", self.first, late + timedelta(minutes=20))
            missed = self.tablet.mark("no_show", self.second, self.second.promised_pickup_until + timedelta(hours=2))
        self.assertEqual([(a["status"], a["error"]) for a in (boarded, dropped, missed)], [("applied", "")] * 3)
        self.assertIn("straight-line estimate used", logged.output[-1])
        self.assertEqual(Booking.objects.get(pk=self.first.pk).status, Booking.Status.COMPLETED)
        self.assertEqual(Booking.objects.get(pk=self.second.pk).status, Booking.Status.NO_SHOW)
        self.assertEqual({s["booking"] for s in self.route()}, {self.first.pk})  # the no-show left the plan
