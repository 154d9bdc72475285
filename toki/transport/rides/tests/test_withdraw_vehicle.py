"""A vehicle out of service for the rest of the day (docs/rides.md, "A vehicle out of service for the day"): from
the operations board, bob takes it out with the reason; its rides to come move onto the other vehicles inside the
windows promised to their riders, or are cancelled by the service (LINE riders told on the local LINE server, the
others first on the call list); the dispatcher and the re-optimiser leave the vehicle out from then on."""

from datetime import timedelta

from django.urls import reverse
from freezegun import freeze_time

from toki.accounts.models import AuditEvent
from toki.transport.rides import actions, dispatch, plans
from toki.transport.rides.models import Booking, VehicleDay
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import local
from toki.transport.rides.tests.tablet import Tablet
from toki.transport.rides.tests.test_concurrency import assert_plans_consistent
from toki.transport.rides.tests.test_reminders import HANAKO, RemindersTestCase


class WithdrawalCase(RemindersTestCase):
    """Two rides booked for 10:00 (one on LINE, one by phone) on one vehicle; bob, logged in, takes vehicles out."""

    def setUp(self):
        super().setUp()
        self.on_line = self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        self.phone_rider = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎",
                                              phone="0259-23-0000")
        self.by_phone = self.book(self.phone_rider, 10, channel=Booking.Channel.PHONE)
        self.login(self.bob)

    def withdraw(self, vehicle, note="故障", hh=7, mm=0, at=None):
        """bob's POST from the board at hh:mm of the service day (or `at`); the tasks after the commit run next."""
        url = reverse("rides:vehicle_withdraw", args=["ryotsu", vehicle.code])
        with self.captureOnCommitCallbacks() as callbacks, freeze_time(at or local(self.day, hh, mm)):
            self.client.force_login(self.bob)  # a session of that morning (sessions last 12 hours)
            response = self.client.post(url, {"note": note})
        with self.captureOnCommitCallbacks(execute=True):  # and what those enqueue (the LINE push)
            for callback in callbacks:
                callback()
        return response

    def page(self, name: str, hh: int, mm: int, **params):
        """bob's view of the board or the call list at hh:mm of the service day."""
        with freeze_time(local(self.day, hh, mm)):
            self.client.force_login(self.bob)
            return self.client.get(reverse(f"rides:{name}", args=["ryotsu"]), params)

    def plan_of(self, vehicle) -> VehicleDay:
        return VehicleDay.objects.get(vehicle=vehicle, day=self.day)



class WithdrawVehicleTests(WithdrawalCase):
    def test_its_rides_move_to_other_vehicles_within_their_promises(self):
        broken = self.on_line.vehicle
        promises = {b.pk: (b.promised_pickup_from, b.promised_pickup_until) for b in (self.on_line, self.by_phone)}
        response = self.withdraw(broken)
        self.assertRedirects(response, reverse("rides:board", args=["ryotsu"]), fetch_redirect_response=False)
        for booking in Booking.objects.filter(pk__in=promises):
            self.assertEqual(booking.status, Booking.Status.ACCEPTED)
            self.assertNotEqual(booking.vehicle, broken)
            self.assertEqual((booking.promised_pickup_from, booking.promised_pickup_until), promises[booking.pk])
            self.assertLessEqual(booking.promised_pickup_from, booking.planned_pickup)
            self.assertLessEqual(booking.planned_pickup, booking.promised_pickup_until)
            self.assertIn(booking.pk, {s["booking"] for s in self.plan_of(booking.vehicle).stops})
        withdrawn = self.plan_of(broken)
        self.assertEqual((withdrawn.stops, withdrawn.withdrawn_note), ([], "故障"))
        self.assertEqual(withdrawn.withdrawn_at, local(self.day, 7))
        assert_plans_consistent(self, self.day)
        event = AuditEvent.objects.get(action="rides.vehicle_withdrawn")
        self.assertEqual((sorted(event.changes["moved"]), event.changes["cancelled"]), (sorted(promises), []))
        self.assertEqual(self.pushes(HANAKO), [])  # moved inside the promise: nothing to tell
        # The board says so; the next booking never lands on it, nor does the re-optimiser put a ride there.
        board = self.page("board", 7, 5)
        self.assertContains(board, "運休中")
        self.assertContains(board, "故障")
        for hh in (9, 10, 11, 12):
            request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-gym")),
                                  destination=Place.of(self.point("ryotsu-hospital")),
                                  earliest_pickup=local(self.day, hh), latest_arrival=None, passengers=4)
            booking = actions.book_ride(acting_user=None, request=request, channel=Booking.Channel.WEB,
                                        now=local(self.day, 7, 10)).booking
            self.assertNotEqual(booking.vehicle, broken)
        # The driver's tablet of that vehicle says so on top of its (empty) plan.
        with freeze_time(local(self.day, 7, 6)):
            plan = Tablet(broken, self.bob).client.get(reverse("rides:driver_plan")).json()
        self.assertEqual((plan["withdrawn"]["note"], plan["stops"]), ("故障", []))
        days = list(plans.read_days(self.ryotsu, self.day))
        routes = dispatch.improve(self.ryotsu, days, now=local(self.day, 7, 20), seconds=60, seed=0,
                                  max_iterations=300)
        self.assertNotIn(withdrawn.pk, routes)
        self.assertEqual(self.plan_of(broken).stops, [])

    def test_a_ride_no_other_vehicle_can_take_is_cancelled_and_its_rider_told(self):
        broken = self.on_line.vehicle
        for plan in VehicleDay.objects.filter(day=self.day).exclude(vehicle=broken):
            self.assertEqual(plan.stops, [])
            self.withdraw(plan.vehicle, note="車検")
        response = self.withdraw(broken, note="事故")
        self.assertRedirects(response, f"{reverse('rides:calls', args=['ryotsu'])}?day={self.day.isoformat()}",
                             fetch_redirect_response=False)
        for booking in Booking.objects.filter(pk__in=(self.on_line.pk, self.by_phone.pk)):
            self.assertEqual((booking.status, booking.cancelled_by_service, booking.cancelled_late),
                             (Booking.Status.CANCELLED, True, False))
            self.assertIn("事故", booking.reason)
        [push] = self.pushes(HANAKO)
        self.assertIn("事故", push)
        calls = self.page("calls", 7, 5, day=self.day.isoformat())
        self.assertContains(calls, "両津 太郎")
        self.assertContains(calls, 'class="suspended"')
        self.assertEqual(actions.misses(self.phone_rider, self.ryotsu.booking_rule, local(self.day, 23)), [])
        self.assert_all_requests_valid()

    def test_it_is_refused_with_a_rider_on_board_without_a_reason_twice_or_by_an_outsider(self):
        self.by_phone.refresh_from_db()
        vehicle = self.by_phone.vehicle
        url = reverse("rides:vehicle_withdraw", args=["ryotsu", vehicle.code])
        self.login(self.eve)
        self.assertEqual(self.client.post(url, {"note": "故障"}).status_code, 404)
        self.login(self.bob)
        response = self.withdraw(vehicle, note="  ")
        self.assertRedirects(response, reverse("rides:board", args=["ryotsu"]), fetch_redirect_response=False)
        self.assertContains(self.page("board", 7, 1), "理由を入力してください")
        self.assertIsNone(self.plan_of(vehicle).withdrawn_at)
        tablet = Tablet(vehicle, self.bob)
        tablet.mark("boarded", self.by_phone, local(self.day, 10, 5))
        self.withdraw(vehicle, hh=10, mm=10)
        self.assertIsNone(self.plan_of(vehicle).withdrawn_at)
        self.assertContains(self.page("board", 10, 11), "乗車中")  # the refusal, said on the board
        self.assertEqual(Booking.objects.get(pk=self.on_line.pk).vehicle, vehicle)
        self.assertFalse(AuditEvent.objects.filter(action="rides.vehicle_withdrawn").exists())
        tablet.mark("dropped_off", self.by_phone, local(self.day, 10, 20))
        self.withdraw(vehicle, hh=10, mm=25)
        self.assertIsNotNone(self.plan_of(vehicle).withdrawn_at)
        self.assertIn(self.by_phone.pk, {s["booking"] for s in self.plan_of(vehicle).stops})  # the ride it carried
        again = self.withdraw(vehicle, hh=10, mm=30)
        self.assertRedirects(again, reverse("rides:board", args=["ryotsu"]), fetch_redirect_response=False)
        self.assertEqual(AuditEvent.objects.filter(action="rides.vehicle_withdrawn").count(), 1)

    def test_a_vehicle_brought_back_takes_rides_again(self):
        broken = self.on_line.vehicle
        self.withdraw(broken)
        url = reverse("rides:vehicle_reinstate", args=["ryotsu", broken.code])
        self.assertContains(self.page("board", 7, 5), f'action="{url}"')
        with freeze_time(local(self.day, 8, 0)):
            self.client.force_login(self.bob)
            self.assertRedirects(self.client.post(url), reverse("rides:board", args=["ryotsu"]),
                                 fetch_redirect_response=False)
        plan = self.plan_of(broken)
        self.assertEqual((plan.withdrawn_at, plan.withdrawn_note), (None, ""))
        self.assertEqual(AuditEvent.objects.filter(action="rides.vehicle_reinstated").count(), 1)
        self.assertNotContains(self.page("board", 8, 1), "運休中")
        days = list(plans.read_days(self.ryotsu, self.day))
        self.assertIn(plan.pk, {vd.pk for vd in dispatch.in_service(days)})
        with freeze_time(local(self.day, 8, 2)):  # twice: said, nothing changes
            self.client.force_login(self.bob)
            self.client.post(url)
        self.assertContains(self.page("board", 8, 3), "運休していません")
        self.assertEqual(AuditEvent.objects.filter(action="rides.vehicle_reinstated").count(), 1)

    def test_a_ride_whose_pickup_passed_unmarked_stays_on_the_vehicle_for_the_office(self):
        """The tablet may be offline with the rider aboard: the ride is not moved, and bob is told to call."""
        broken = self.on_line.vehicle
        after_pickups = max(b.planned_pickup for b in Booking.objects.filter(vehicle=broken)) + timedelta(minutes=1)
        response = self.withdraw(broken, at=after_pickups)
        self.assertRedirects(response, reverse("rides:board", args=["ryotsu"]), fetch_redirect_response=False)
        for booking in Booking.objects.filter(pk__in=(self.on_line.pk, self.by_phone.pk)):
            self.assertEqual((booking.status, booking.vehicle), (Booking.Status.ACCEPTED, broken))
        self.assertEqual(len(self.plan_of(broken).stops), 4)
        event = AuditEvent.objects.get(action="rides.vehicle_withdrawn")
        self.assertEqual(sorted(event.changes["unsure"]), sorted([self.on_line.pk, self.by_phone.pk]))
        with freeze_time(after_pickups + timedelta(minutes=1)):
            self.client.force_login(self.bob)
            self.assertContains(self.client.get(reverse("rides:board", args=["ryotsu"])), "運転手に電話")
