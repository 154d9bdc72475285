"""The stops a vehicle has served stay at the head of its route (solver.served_heads, docs/rides.md "Dispatch and the
re-optimiser"): a stop the driver's tablet marked done stays there even when the driver was early and its planned
time is still to come, and a pickup whose planned time has passed stays there while it is not yet marked. The marks
arrive through the tablet's sync API; a booking and a re-optimiser round then run on the plans."""

from datetime import datetime, timedelta

from django.core.management import call_command
from freezegun import freeze_time

from toki.transport.rides import actions, solver
from toki.transport.rides.models import Booking, BookingRule, Rider, VehicleDay
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local
from toki.transport.rides.tests.tablet import Tablet


class ServedStopsTests(RidesTestCase):
    def setUp(self):
        super().setUp()
        # A real-time area: a request may ask for a pickup right now (the demo's rule wants 30 minutes' notice).
        BookingRule.objects.filter(area=self.ryotsu).update(kind=BookingRule.Kind.REAL_TIME, min_notice_minutes=0)
        self.ryotsu.refresh_from_db()
        self.rider = actions.save_rider(acting_user=None, area=self.ryotsu, name="佐渡 花子", phone="0259-27-1234")

    def book(self, hh: int, mm: int = 0, *, now, origin="ryotsu-office", destination="ryotsu-hospital",
             rider: Rider | None = None) -> Booking:
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point(origin)),
                              destination=Place.of(self.point(destination)), earliest_pickup=local(self.day, hh, mm),
                              latest_arrival=None)
        booking = actions.book_ride(acting_user=None, request=request, channel="web", rider=rider or self.rider,
                                    now=now).booking
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        return booking

    def plan(self, booking: Booking) -> VehicleDay:
        return VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day)

    def order(self, booking: Booking) -> list[tuple[int, str]]:
        return [(s["booking"], s["kind"]) for s in self.plan(booking).stops]

    def heads(self, now) -> dict[int, int]:
        days = list(VehicleDay.objects.filter(vehicle__area=self.ryotsu, day=self.day).select_related("vehicle"))
        return {int(pk): count for pk, count in solver.served_heads(days, now).items()}

    def test_a_rider_boarded_early_keeps_the_pickup_at_the_head(self):
        early = self.book(10, now=local(self.day, 7))
        self.assertEqual(early.planned_pickup, local(self.day, 10))
        tablet = Tablet(early.vehicle, self.bob)
        self.assertEqual(tablet.mark("boarded", early, local(self.day, 9, 50))["status"], "applied")
        now = local(self.day, 9, 51)
        self.assertEqual(self.heads(now)[self.plan(early).pk], 1)  # planned at 10:00, but done
        # The same trip asked for now: the cheapest place on that vehicle is at the same meeting point, and it must
        # come after the pickup the driver already made, not before it.
        later = self.book(9, 51, now=now)
        self.assertEqual(later.vehicle, early.vehicle)
        order = self.order(early)
        self.assertEqual(order[0], (early.pk, "pickup"))
        self.assertLess(order.index((early.pk, "pickup")), order.index((later.pk, "pickup")))
        self.assertGreaterEqual(later.planned_pickup, local(self.day, 10))
        with freeze_time(now):
            call_command("rides_reoptimise", seconds=0.3, verbosity=0)
        self.assertEqual(self.order(early)[0], (early.pk, "pickup"))
        self.assertEqual(sorted(self.order(early)), sorted([(early.pk, "pickup"), (early.pk, "dropoff"),
                                                            (later.pk, "pickup"), (later.pk, "dropoff")]))

    def test_without_the_mark_the_same_request_goes_first(self):
        """The counterpart: the rider not yet marked, the 10:00 pickup is in the future and movable, so the new
        9:51 request is picked up first. (What the test above checks is the mark's doing.)"""
        early = self.book(10, now=local(self.day, 7))
        now = local(self.day, 9, 51)
        self.assertEqual(self.heads(now)[self.plan(early).pk], 0)
        later = self.book(9, 51, now=now)
        self.assertEqual(self.order(early)[0], (later.pk, "pickup"))

    def test_a_pickup_past_its_time_stays_at_the_head_until_marked_and_a_drop_off_done_early_too(self):
        first = self.book(9, 30, now=local(self.day, 7))
        second = self.book(9, 40, now=local(self.day, 7), destination="aiport")
        self.assertEqual(first.vehicle, second.vehicle)
        tablet = Tablet(first.vehicle, self.bob)
        plan = self.plan(first)
        stops = plan.stops
        at = {(s["booking"], s["kind"]): i for i, s in enumerate(stops)}
        # 9:45: the 9:30 pickup has passed (not marked: the vehicle is late), nothing else is planned before now.
        now = local(self.day, 9, 45)
        passed = sum(1 for s in stops if datetime.fromisoformat(s["at"]) <= now)
        self.assertGreaterEqual(passed, 1)
        self.assertEqual(self.heads(now)[plan.pk], passed)
        # The tablet marks the first rider on board and already dropped off, both earlier than planned.
        tablet.mark("boarded", first, local(self.day, 9, 41), sent_at=now)
        tablet.mark("dropped_off", first, local(self.day, 9, 44), sent_at=now)
        self.assertEqual(Booking.objects.get(pk=first.pk).status, Booking.Status.COMPLETED)
        self.assertEqual(self.heads(now)[plan.pk], max(passed, at[(first.pk, "dropoff")] + 1))
        # A booking and a re-optimiser round keep that head as it was.
        head = stops[:self.heads(now)[plan.pk]]
        self.book(9, 46, now=now, origin="ryotsu-hospital", destination="ryotsu-office")
        with freeze_time(now):
            call_command("rides_reoptimise", seconds=0.3, verbosity=0)
        self.assertEqual([(s["booking"], s["kind"]) for s in self.plan(first).stops[:len(head)]],
                         [(s["booking"], s["kind"]) for s in head])

    def test_marks_are_read_only_for_todays_plans(self):
        booking = self.book(10, now=local(self.day, 7))
        tablet = Tablet(booking.vehicle, self.bob)
        tablet.mark("boarded", booking, local(self.day, 9, 50))
        self.assertEqual(self.heads(local(self.day, 9, 51))[self.plan(booking).pk], 1)
        # Seen from the day before (a plan of a day still to come) nothing is served yet, and no query is made.
        days = list(VehicleDay.objects.filter(vehicle__area=self.ryotsu, day=self.day).select_related("vehicle"))
        with self.assertNumQueries(0):
            heads = solver.served_heads(days, local(self.day, 9, 51) - timedelta(days=1))
        self.assertEqual(heads[str(self.plan(booking).pk)], 0)
