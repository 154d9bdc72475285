"""A vehicle out of service for days (docs/rides.md, "Out of service for days"): on the 運行設定 page bob takes a
vehicle with rides booked on later days out of service, ticking 「予約を他の車両へ移す」 with the reason; its rides
move onto the other vehicles of their day inside their promises, those none can take are cancelled by the service
and their riders told, and the vehicle is out of service until bob brings it back."""

from datetime import timedelta

from django.urls import reverse
from freezegun import freeze_time

from toki.accounts.models import AuditEvent
from toki.transport.rides import actions
from toki.transport.rides.models import Booking, Vehicle, VehicleDay
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import local
from toki.transport.rides.tests.test_concurrency import assert_plans_consistent
from toki.transport.rides.tests.test_reminders import HANAKO, RemindersTestCase


class RetireVehicleTests(RemindersTestCase):
    def setUp(self):
        super().setUp()
        self.later = self.day + timedelta(days=7)  # the same weekday a week on: the service runs
        self.rides = [self.book(self.line_rider(HANAKO, "佐渡 花子"), 10),
                      self.book_on(self.later, 11)]
        self.vehicle = Booking.objects.get(pk=self.rides[0].pk).vehicle
        # Both on one vehicle, as on a quiet day: the second, booked on a fresh day, goes to the first vehicle too.
        self.assertEqual(Booking.objects.get(pk=self.rides[1].pk).vehicle, self.vehicle)
        self.login(self.bob)

    def book_on(self, day, hh: int) -> Booking:
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-office")),
                              destination=Place.of(self.point("ryotsu-hospital")),
                              earliest_pickup=local(day, hh), latest_arrival=None)
        booking = actions.book_ride(acting_user=None, request=request, channel=Booking.Channel.WEB,
                                    now=local(self.day, 5)).booking
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        return booking

    def take_out(self, **fields):
        """bob's POST from the 運行設定 page, early on the first ride's day (today's part is the board's withdrawal)."""
        url = reverse("rides:vehicle_status", args=["ryotsu", self.vehicle.code])
        with self.captureOnCommitCallbacks() as callbacks, freeze_time(local(self.day, 6)):
            self.client.force_login(self.bob)
            response = self.client.post(url, {"active": "0", **fields})
        with self.captureOnCommitCallbacks(execute=True):
            for callback in callbacks:
                callback()
        return response

    def test_its_booked_rides_move_and_it_stays_out_until_brought_back(self):
        promises = {b.pk: (b.promised_pickup_from, b.promised_pickup_until)
                    for b in Booking.objects.filter(pk__in=[r.pk for r in self.rides])}
        response = self.take_out(note="車両損傷", move_booked="1")
        self.assertRedirects(response, reverse("rides:service", args=["ryotsu"]), fetch_redirect_response=False)
        for booking in Booking.objects.filter(pk__in=promises):
            self.assertEqual(booking.status, Booking.Status.ACCEPTED)
            self.assertNotEqual(booking.vehicle, self.vehicle)
            self.assertEqual((booking.promised_pickup_from, booking.promised_pickup_until), promises[booking.pk])
            self.assertIn(self.vehicle.pk, booking.earlier_vehicles)
        for day in (self.day, self.later):
            assert_plans_consistent(self, day)
        self.assertFalse(Vehicle.objects.get(pk=self.vehicle.pk).active)
        self.assertFalse(VehicleDay.objects.filter(vehicle=self.vehicle, day__gte=self.day).exclude(stops=[])
                         .exists())
        self.assertFalse(VehicleDay.objects.filter(vehicle=self.vehicle, day=self.later).exists())  # not made
        record = AuditEvent.objects.get(action="rides.vehicle_retired")
        self.assertEqual((sorted(record.changes["moved"]), record.changes["cancelled"]), (sorted(promises), []))
        self.assertEqual(self.pushes(HANAKO), [])  # moved inside the promise: nothing to tell
        # No booking lands on it while it is out, on any day.
        with freeze_time(local(self.day, 6, 10)):  # the 運行設定 page says it is out
            page = self.client.get(reverse("rides:service", args=["ryotsu"]))
        self.assertContains(page, "運行に戻すまで運休にしました")  # what was done, said once
        self.assertContains(page, '<input type="hidden" name="active" value="1">', count=1)  # the way back
        for day in (self.day, self.later):
            for hh in (9, 13, 15):
                self.assertNotEqual(self.book_on(day, hh).vehicle, self.vehicle)
        # Back in service: bookings may use it again.
        with freeze_time(local(self.day, 6, 30)):
            self.client.force_login(self.bob)
            back = self.client.post(reverse("rides:vehicle_status", args=["ryotsu", self.vehicle.code]),
                                    {"active": "1"})
        self.assertRedirects(back, reverse("rides:service", args=["ryotsu"]), fetch_redirect_response=False)
        self.assertTrue(Vehicle.objects.get(pk=self.vehicle.pk).active)
        self.assertIn(self.vehicle, {self.book_on(self.later, hh).vehicle for hh in (8, 9, 10, 12, 14, 16)})

    def test_a_ride_no_other_vehicle_can_take_is_cancelled_and_its_rider_told(self):
        others = Vehicle.objects.filter(area=self.ryotsu, active=True).exclude(pk=self.vehicle.pk)
        for other in others:  # the others already out (no rides booked on them)
            with freeze_time(local(self.day, 5, 30)):
                self.client.force_login(self.bob)
                answer = self.client.post(reverse("rides:vehicle_status", args=["ryotsu", other.code]),
                                          {"active": "0"})
            self.assertEqual(answer.status_code, 302)
        response = self.take_out(note="土砂崩れで道路が不通", move_booked="1")
        self.assertRedirects(response, f"{reverse('rides:calls', args=['ryotsu'])}?day={self.day.isoformat()}",
                             fetch_redirect_response=False)
        for booking in Booking.objects.filter(pk__in=[r.pk for r in self.rides]):
            self.assertEqual((booking.status, booking.cancelled_by_service), (Booking.Status.CANCELLED, True))
            self.assertIn("土砂崩れ", booking.reason)
        [push] = self.pushes(HANAKO)
        self.assertIn("土砂崩れ", push)

    def test_without_the_box_or_a_reason_nothing_changes(self):
        refused = self.take_out()
        self.assertEqual(refused.status_code, 409)  # the booked rides named, as before
        self.assertContains(refused, "#", status_code=409)
        without_reason = self.take_out(move_booked="1", note="  ")
        self.assertRedirects(without_reason, reverse("rides:service", args=["ryotsu"]), fetch_redirect_response=False)
        self.assertTrue(Vehicle.objects.get(pk=self.vehicle.pk).active)
        vehicles = Booking.objects.filter(pk__in=[r.pk for r in self.rides]).values_list("vehicle", flat=True)
        self.assertEqual(set(vehicles), {self.vehicle.pk})
        self.assertFalse(AuditEvent.objects.filter(action="rides.vehicle_retired").exists())
