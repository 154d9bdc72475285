"""A rider boarded on a vehicle the ride had been moved off (docs/rides.md, "A boarding on a vehicle the ride was
moved off"): the driver, early, picked the rider up with the tablet offline; meanwhile the office took the vehicle
out of service (or the re-optimiser moved the ride) and the ride went to another vehicle, or was cancelled by the
service. The tablet's mark, synced later through the driver's sync API, is a fact: it is applied, the ride comes back
onto the vehicle that carries the rider, and leaves the other vehicle's plan (whose driver would otherwise drive to
an empty stop)."""

from datetime import timedelta

from django.urls import reverse
from freezegun import freeze_time

from toki.accounts.models import AuditEvent
from toki.transport.rides import actions, dispatch, plans
from toki.transport.rides.models import Booking, BookingRule, Vehicle, VehicleDay
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import local
from toki.transport.rides.tests.tablet import Tablet
from toki.transport.rides.tests.test_concurrency import assert_plans_consistent
from toki.transport.rides.tests.test_withdraw_vehicle import WithdrawalCase


class BoardAfterMoveTests(WithdrawalCase):

    def setUp(self):
        super().setUp()
        self.on_line.refresh_from_db()
        self.carrier = self.on_line.vehicle
        self.early = self.on_line.promised_pickup_from - timedelta(minutes=25)  # the driver, well ahead of time
        self.withdrawn_at = self.early + timedelta(minutes=2)
        self.tablet = Tablet(self.carrier, self.bob)

    def stops_of(self, vehicle: Vehicle) -> list[tuple[int, str]]:
        return [(s["booking"], s["kind"]) for s in VehicleDay.objects.get(vehicle=vehicle, day=self.day).stops]

    def tablet_riders(self, tablet: Tablet, at) -> list[str]:
        """Who the tablet's plan lists (boarding or getting off), as its driver reads it at `at`."""
        with freeze_time(at):
            plan = tablet.client.get(reverse("rides:driver_plan")).json()
        return [person["name"] for stop in plan["stops"] for person in stop["board"] + stop["alight"]]

    def test_the_early_boarding_brings_the_moved_ride_back_onto_the_vehicle_that_carries_the_rider(self):
        self.withdraw(self.carrier, at=self.withdrawn_at)
        moved = Booking.objects.get(pk=self.on_line.pk)
        other = moved.vehicle
        self.assertNotEqual(other, self.carrier)
        self.assertEqual(moved.earlier_vehicles, [self.carrier.pk])
        other_tablet = Tablet(other, self.bob)
        self.assertIn("佐渡 花子", self.tablet_riders(other_tablet, self.withdrawn_at + timedelta(minutes=1)))

        answer = self.tablet.mark("boarded", self.on_line, self.early, sent_at=self.withdrawn_at + timedelta(minutes=3))
        self.assertEqual((answer["status"], answer["error"]), ("applied", ""))
        ride = Booking.objects.get(pk=self.on_line.pk)
        self.assertEqual((ride.status, ride.vehicle, ride.boarded_at), (Booking.Status.BOARDED, self.carrier,
                                                                         self.early))
        self.assertEqual(ride.planned_pickup, self.early)
        self.assertGreater(ride.planned_dropoff, self.early)
        self.assertEqual(self.stops_of(self.carrier), [(ride.pk, "pickup"), (ride.pk, "dropoff")])
        self.assertNotIn(ride.pk, {pk for pk, _kind in self.stops_of(other)})
        # The other driver no longer drives to an empty stop; this one's tablet keeps the rider to drop off.
        self.assertNotIn("佐渡 花子", self.tablet_riders(other_tablet, self.withdrawn_at + timedelta(minutes=4)))
        self.assertIn("佐渡 花子", self.tablet_riders(self.tablet, self.withdrawn_at + timedelta(minutes=4)))
        self.assertEqual(Booking.objects.get(pk=self.by_phone.pk).vehicle, other)  # the other ride stays moved
        assert_plans_consistent(self, self.day)
        record = AuditEvent.objects.filter(action="rides.booking_boarded").latest("pk")
        self.assertEqual((record.changes["taken_back_by"], record.changes["was"]),
                         (self.carrier.code, {"status": "accepted", "vehicle": other.code}))

        # The vehicle repaired and back: the dispatcher and the re-optimiser work on plans holding the ride boarded
        # ahead of its window (darp keeps the served head as it is).
        back = self.withdrawn_at + timedelta(minutes=5)
        with freeze_time(back):
            self.client.force_login(self.bob)
            self.client.post(reverse("rides:vehicle_reinstate", args=["ryotsu", self.carrier.code]))
        days = list(plans.read_days(self.ryotsu, self.day))
        self.assertIn(self.carrier.pk, {vd.vehicle_id for vd in dispatch.in_service(days)})
        routes = dispatch.improve(self.ryotsu, days, now=back, seconds=60, seed=0, max_iterations=300)
        carried = routes.get(VehicleDay.objects.get(vehicle=self.carrier, day=self.day).pk)
        self.assertEqual([(s["booking"], s["kind"]) for s in carried][:1], [(ride.pk, "pickup")])
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-gym")),
                              destination=Place.of(self.point("ryotsu-hospital")),
                              earliest_pickup=local(self.day, 11), latest_arrival=None)
        later = actions.book_ride(acting_user=None, request=request, channel=Booking.Channel.WEB, now=back).booking
        self.assertEqual(later.status, Booking.Status.ACCEPTED)
        assert_plans_consistent(self, self.day)

        dropped = self.tablet.mark("dropped_off", self.on_line, self.early + timedelta(minutes=20),
                                   sent_at=self.early + timedelta(minutes=21))
        self.assertEqual(dropped["status"], "applied")
        self.assertEqual(Booking.objects.get(pk=self.on_line.pk).status, Booking.Status.COMPLETED)

    def test_a_ride_the_service_cancelled_meanwhile_is_boarded_as_the_driver_saw(self):
        for plan in VehicleDay.objects.filter(day=self.day).exclude(vehicle=self.carrier):
            self.withdraw(plan.vehicle, note="車検", at=self.withdrawn_at - timedelta(minutes=1))
        self.withdraw(self.carrier, note="事故", at=self.withdrawn_at)
        cancelled = Booking.objects.get(pk=self.on_line.pk)
        self.assertEqual((cancelled.status, cancelled.cancelled_by_service), (Booking.Status.CANCELLED, True))

        answer = self.tablet.mark("boarded", self.on_line, self.early, sent_at=self.withdrawn_at + timedelta(minutes=5))
        self.assertEqual(answer["status"], "applied")
        ride = Booking.objects.get(pk=self.on_line.pk)
        self.assertEqual((ride.status, ride.cancelled_by_service, ride.cancelled_at, ride.reason),
                         (Booking.Status.BOARDED, False, None, ""))
        self.assertEqual(self.stops_of(self.carrier), [(ride.pk, "pickup"), (ride.pk, "dropoff")])
        with freeze_time(self.withdrawn_at + timedelta(minutes=6)):  # off the call list of rides to tell
            self.client.force_login(self.bob)
            calls = self.client.get(reverse("rides:calls", args=["ryotsu"]), {"day": self.day.isoformat()})
        self.assertContains(calls, "両津 太郎")  # the phone rider's ride is still cancelled
        self.assertNotContains(calls, "佐渡 花子")
        self.assertEqual(Booking.objects.get(pk=self.by_phone.pk).status, Booking.Status.CANCELLED)

    def test_refused_once_another_vehicle_boarded_it_or_from_a_vehicle_it_was_never_on(self):
        self.withdraw(self.carrier, at=self.withdrawn_at)
        other = Booking.objects.get(pk=self.on_line.pk).vehicle
        Tablet(other, self.bob).mark("boarded", self.on_line, self.withdrawn_at + timedelta(minutes=2))
        late = self.tablet.mark("boarded", self.on_line, self.early, sent_at=self.withdrawn_at + timedelta(minutes=3))
        self.assertEqual(late["status"], "rejected")
        self.assertIn("すでに", late["error"])
        self.assertEqual(Booking.objects.get(pk=self.on_line.pk).vehicle, other)

        never = Vehicle.objects.filter(area=self.ryotsu, active=True).exclude(pk__in=(self.carrier.pk, other.pk))
        stranger = never.first() or self.carrier
        if stranger != self.carrier:  # the demo area has a third vehicle
            refused = Tablet(stranger, self.bob).mark("boarded", self.by_phone, self.early)
            self.assertEqual(refused["status"], "rejected")
            self.assertIn("この車両の運行計画にありません", refused["error"])
        # A no-show mark is no fact of the rider's whereabouts: from the vehicle the ride left, it is refused.
        no_show = self.tablet.mark("no_show", self.by_phone, self.by_phone.promised_pickup_until + timedelta(minutes=1))
        self.assertEqual(no_show["status"], "rejected")
        self.assertEqual(Booking.objects.get(pk=self.by_phone.pk).status, Booking.Status.ACCEPTED)


class BoardAfterWrongNoShowTests(WithdrawalCase):  # the same two rides at 10:00
    """The ride was moved to another vehicle while the first one's tablet, offline, had already picked the rider up;
    the other driver found nobody at the stop and marked a no-show. The boarding, synced last, is the fact."""

    def setUp(self):
        super().setUp()
        self.on_line.refresh_from_db()
        self.carrier = self.on_line.vehicle
        self.early = self.on_line.promised_pickup_from - timedelta(minutes=25)
        self.tablet = Tablet(self.carrier, self.bob)

    def test_the_boarding_undoes_the_no_show_and_the_stop_of_self_booking_it_brought(self):
        BookingRule.objects.filter(area=self.ryotsu).update(no_show_limit=2)
        earlier = self.book(self.on_line.rider, 8)  # a real miss that morning: the wrong one is the second
        with freeze_time(earlier.promised_pickup_until + timedelta(minutes=1)):
            self.client.force_login(self.bob)
            self.client.post(reverse("rides:booking_no_show", args=["ryotsu", earlier.pk]))
        self.assertEqual(Booking.objects.get(pk=earlier.pk).status, Booking.Status.NO_SHOW)
        self.withdraw(self.carrier, at=self.early + timedelta(minutes=2))
        other = Booking.objects.get(pk=self.on_line.pk).vehicle
        after_window = self.on_line.promised_pickup_until + timedelta(minutes=1)
        missed = Tablet(other, self.bob).mark("no_show", self.on_line, after_window)
        self.assertEqual(missed["status"], "applied")
        rider = self.on_line.rider
        self.assertEqual(Booking.objects.get(pk=self.on_line.pk).status, Booking.Status.NO_SHOW)
        desk_page = reverse("rides:rider", args=["ryotsu", rider.pk])
        with freeze_time(after_window + timedelta(minutes=1)):
            self.client.force_login(self.bob)
            self.assertContains(self.client.get(desk_page), "予約を停止中</h2>")

        answer = self.tablet.mark("boarded", self.on_line, self.early, sent_at=after_window + timedelta(minutes=5))
        self.assertEqual((answer["status"], answer["error"]), ("applied", ""))
        ride = Booking.objects.get(pk=self.on_line.pk)
        self.assertEqual((ride.status, ride.vehicle, ride.boarded_at), (Booking.Status.BOARDED, self.carrier,
                                                                         self.early))
        self.assertEqual([(s["booking"], s["kind"]) for s in VehicleDay.objects.get(
            vehicle=self.carrier, day=self.day).stops], [(ride.pk, "pickup"), (ride.pk, "dropoff")])
        assert_plans_consistent(self, self.day)
        record = AuditEvent.objects.filter(action="rides.booking_boarded").latest("pk")
        self.assertEqual(record.changes["was"], {"status": "no_show", "vehicle": other.code})

        # The miss is taken back: the stop it brought is voided (the desk reads why), nothing stops the rider now.
        with freeze_time(after_window + timedelta(minutes=6)):
            self.client.force_login(self.bob)
            page = self.client.get(desk_page)
        self.assertNotContains(page, "予約を停止中</h2>")
        self.assertContains(page, "乗車が記録されました")
        suspension = rider.suspensions.get()
        self.assertEqual((suspension.void, sorted(suspension.counted)), (True, sorted([earlier.pk, ride.pk])))
        # Voided, not lifted by the desk: counting does not start again from it, the morning's miss still counts.
        self.assertEqual(actions.misses(rider, self.ryotsu.booking_rule, after_window + timedelta(minutes=6)),
                         [Booking.objects.get(pk=earlier.pk)])
        self.assertEqual(AuditEvent.objects.filter(action="rides.self_booking_lifted").latest("pk").changes,
                         {"suspension": suspension.pk, "no_show_undone": ride.pk})

    def test_a_boarding_on_a_vehicle_the_ride_was_never_on_is_still_refused_after_a_no_show(self):
        self.withdraw(self.carrier, at=self.early + timedelta(minutes=2))
        other = Booking.objects.get(pk=self.on_line.pk).vehicle
        after_window = self.on_line.promised_pickup_until + timedelta(minutes=1)
        Tablet(other, self.bob).mark("no_show", self.on_line, after_window)
        never = Vehicle.objects.filter(area=self.ryotsu, active=True).exclude(pk__in=(self.carrier.pk, other.pk))
        if not never.exists():
            self.skipTest("the demo area has two vehicles only")
        refused = Tablet(never.first(), self.bob).mark("boarded", self.on_line, self.early, sent_at=after_window)
        self.assertEqual(refused["status"], "rejected")
        self.assertEqual(Booking.objects.get(pk=self.on_line.pk).status, Booking.Status.NO_SHOW)
