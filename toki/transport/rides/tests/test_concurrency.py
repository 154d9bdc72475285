"""No seat sold twice: bookings made at the same moment from many connections each wait for the day's plans
(SELECT … FOR UPDATE) and every accepted ride ends on exactly one plan, within the seats. PostgreSQL only (SQLite
writes one transaction at a time anyway); CI runs the suite on PostgreSQL too."""

import threading
from unittest import mock, skipUnless

from django.db import connection, connections

from toki.test import BaseTransactionTestCase
from toki.transport.rides import actions, actions_setup
from toki.transport.rides.demo import seed_rides_demo
from toki.transport.rides.models import Booking, MeetingPoint, VehicleDay, VehicleOutOfService
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import local, service_day


def assert_plans_consistent(case, day) -> None:
    """Every accepted or boarded booking is on exactly one plan, picked up then dropped off, and no plan is ever
    over its seats or wheelchair spaces."""
    accepted = set(Booking.objects.filter(service_date=day, status__in=("accepted", "boarded"))
                   .values_list("pk", flat=True))
    seen: list[int] = []
    for vehicle_day in VehicleDay.objects.filter(day=day).select_related("vehicle"):
        seats = wheelchairs = 0
        for stop in vehicle_day.stops:
            sign = 1 if stop["kind"] == "pickup" else -1
            seats += sign * (stop["pax"] - stop["wheelchairs"])
            wheelchairs += sign * stop["wheelchairs"]
            case.assertLessEqual(seats, vehicle_day.vehicle.seats)
            case.assertLessEqual(wheelchairs, vehicle_day.vehicle.wheelchair_spaces)
            if stop["kind"] == "pickup":
                seen.append(stop["booking"])
    case.assertEqual(sorted(seen), sorted(accepted))


def run_together(*targets) -> list[Exception]:
    """Each target in a thread of its own (so its own database connection, closed after), started at once and
    waited for; the exceptions they raised."""
    errors: list[Exception] = []

    def guarded(target):
        try:
            target()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guarded, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@skipUnless(connection.vendor == "postgresql", "row locks are PostgreSQL's; SQLite serialises writers")
class ConcurrentBookingTests(BaseTransactionTestCase):
    def test_it_never_sells_a_seat_twice(self):
        area = seed_rides_demo(self.municipality)[0]
        day = service_day()
        office = MeetingPoint.objects.get(area=area, code="ryotsu-office")
        hospital = MeetingPoint.objects.get(area=area, code="ryotsu-hospital")
        barrier = threading.Barrier(8)

        def book():
            barrier.wait()
            request = RideRequest(area=area, origin=Place.of(office), destination=Place.of(hospital),
                                  earliest_pickup=local(day, 10), latest_arrival=None, passengers=3)
            actions.book_ride(acting_user=None, request=request, channel="web", now=local(day, 6))

        self.assertEqual(run_together(*[book] * 8), [])
        self.assertEqual(Booking.objects.count(), 8)
        self.assertGreater(Booking.objects.filter(status="accepted").count(), 1)
        assert_plans_consistent(self, day)

    def test_processes_kept_warm_never_sell_a_seat_twice_nor_break_a_promise(self):
        """Rounds of eight concurrent bookings on one day: the threads share this process's warm day (warm.py),
        learnt from each other's commits, while each booking still decides on the locked plans."""
        from toki.transport.rides import warm

        warm.forget_all()
        self.addCleanup(warm.forget_all)
        area = seed_rides_demo(self.municipality)[0]
        day = service_day()
        points = list(MeetingPoint.objects.filter(area=area).order_by("code"))

        def booking(round_no, i, barrier):
            def book():
                barrier.wait()
                origin, destination = points[(i + round_no) % len(points)], points[(3 * i + 1) % len(points)]
                if origin == destination:
                    destination = points[(3 * i + 2) % len(points)]
                request = RideRequest(area=area, origin=Place.of(origin), destination=Place.of(destination),
                                      earliest_pickup=local(day, 9, 10 * round_no), latest_arrival=None,
                                      passengers=1 + i % 3)
                actions.book_ride(acting_user=None, request=request, channel="web", now=local(day, 6))
            return book

        errors = []
        for round_no in range(4):
            barrier = threading.Barrier(8)
            errors += run_together(*[booking(round_no, i, barrier) for i in range(8)])
        self.assertEqual(errors, [])
        self.assertTrue(warm.recall(area, day).bookings)  # the day was kept warm
        self.assertGreater(Booking.objects.filter(status="accepted").count(), 8)
        assert_plans_consistent(self, day)
        for booking in Booking.objects.filter(status="accepted"):
            self.assertLessEqual(booking.promised_pickup_from, booking.planned_pickup)
            self.assertLessEqual(booking.planned_pickup, booking.promised_pickup_until)

    def test_a_suspension_while_the_days_first_booking_runs_leaves_no_ride_on_the_day_off(self):
        """The day's first booking makes the day's plans. A 運休 saved at that moment found no committed plan to wait
        for, committed, and the booking then committed its ride on the day off. Now the booking holds the area's row
        while it makes the plans, the 運休 takes that row first, waits, and cancels the ride with the day."""
        area = seed_rides_demo(self.municipality)[0]
        day = service_day()
        office = MeetingPoint.objects.get(area=area, code="ryotsu-office")
        hospital = MeetingPoint.objects.get(area=area, code="ryotsu-hospital")
        checked, suspended = threading.Event(), threading.Event()
        real_check = actions._day_closed_meanwhile

        def check_then_let_the_suspension_run(*args, **kwargs):
            found = real_check(*args, **kwargs)  # the calendar still runs the day: the 運休 has not committed
            checked.set()
            suspended.wait(3)  # without the area's row the 運休 commits here; with it, it waits for this booking
            return found

        def book():
            try:
                request = RideRequest(area=area, origin=Place.of(office), destination=Place.of(hospital),
                                      earliest_pickup=local(day, 10), latest_arrival=None)
                actions.book_ride(acting_user=None, request=request, channel="web", now=local(day, 6))
            finally:
                checked.set()

        def suspend():
            try:
                checked.wait(30)
                actions_setup.suspend_day(acting_user=self.bob, area=area, day=day, note="台風接近",
                                          now=local(day, 6))
            finally:
                suspended.set()

        self.assertFalse(VehicleDay.objects.filter(day=day).exists())  # the day's first booking
        with mock.patch.object(actions, "_day_closed_meanwhile", side_effect=check_then_let_the_suspension_run):
            self.assertEqual(run_together(book, suspend), [])
        [booking] = Booking.objects.filter(service_date=day)
        self.assertEqual((booking.status, booking.cancelled_by_service), (Booking.Status.CANCELLED, True))
        self.assertEqual([s for vd in VehicleDay.objects.filter(day=day) for s in vd.stops], [])
        self.assertFalse(area.exceptions.get(day=day).runs)

    def test_a_rider_cancelling_while_the_vehicle_is_taken_out_of_service_neither_deadlocks(self):
        """The withdrawal holds the day's plans and then locks the vehicle's bookings; a rider's cancellation took
        the booking first and then the plans, so the two waited on each other and PostgreSQL aborted one. Both now
        take the plans first: the cancellation waits, then cancels the ride where the withdrawal moved it."""
        import time

        from toki.transport.rides import actions_vehicle

        area = seed_rides_demo(self.municipality)[0]
        day = service_day()
        office = MeetingPoint.objects.get(area=area, code="ryotsu-office")
        hospital = MeetingPoint.objects.get(area=area, code="ryotsu-hospital")
        request = RideRequest(area=area, origin=Place.of(office), destination=Place.of(hospital),
                              earliest_pickup=local(day, 10), latest_arrival=None)
        booking = actions.book_ride(acting_user=None, request=request, channel="web", now=local(day, 6)).booking
        self.assertEqual(booking.status, "accepted", booking.reason)
        plans_held = threading.Event()
        real_rides = actions_vehicle._its_rides

        def rides_after_a_pause(plan):
            plans_held.set()
            time.sleep(1.5)  # the cancellation starts meanwhile (and, before, took the booking's row)
            return real_rides(plan)

        def withdraw():
            try:
                actions_vehicle.withdraw_vehicle(acting_user=self.bob, area=area, vehicle=booking.vehicle,
                                                 note="故障", now=local(day, 7))
            finally:
                plans_held.set()

        def cancel():
            plans_held.wait(30)
            actions.cancel_booking(acting_user=None, booking=Booking.objects.get(pk=booking.pk), by_rider=True,
                                   now=local(day, 7))

        with mock.patch.object(actions_vehicle, "_its_rides", side_effect=rides_after_a_pause):
            self.assertEqual(run_together(withdraw, cancel), [])
        broken = booking.vehicle
        booking.refresh_from_db()
        self.assertEqual(booking.status, "cancelled")
        self.assertNotEqual(booking.vehicle, broken)  # moved by the withdrawal, then cancelled by its rider
        self.assertIsNotNone(VehicleDay.objects.get(vehicle=broken, day=day).withdrawn_at)
        self.assertEqual([s for vd in VehicleDay.objects.filter(day=day) for s in vd.stops], [])

    def test_a_span_out_of_service_saved_while_the_days_first_booking_runs_leaves_no_ride_on_the_vehicle(self):
        """The day's first booking reads the day's vehicles and makes their plans; a vehicle taken out for that day
        at that moment (its span committed in between) must not end up carrying the ride: the span waits for the
        booking (the area's row, then the day's plans) and then moves the ride off it, or the booking, re-reading
        the spans before it makes a plan, leaves the vehicle out."""
        from datetime import timedelta

        from toki.transport.rides import actions_vehicle

        area = seed_rides_demo(self.municipality)[0]
        day = service_day() + timedelta(days=7)
        office = MeetingPoint.objects.get(area=area, code="ryotsu-office")
        hospital = MeetingPoint.objects.get(area=area, code="ryotsu-hospital")
        vehicles = list(area.vehicles.filter(active=True).order_by("code"))
        checked, spanned = threading.Event(), threading.Event()
        real_check = actions._day_closed_meanwhile

        def check_then_let_the_span_run(*args, **kwargs):
            found = real_check(*args, **kwargs)
            checked.set()
            spanned.wait(3)  # the span commits here unless it waits for this booking
            return found

        def book():
            try:
                request = RideRequest(area=area, origin=Place.of(office), destination=Place.of(hospital),
                                      earliest_pickup=local(day, 10), latest_arrival=None)
                actions.book_ride(acting_user=None, request=request, channel="web", now=local(day - timedelta(1), 9))
            finally:
                checked.set()

        def take_out_every_vehicle_but_one():
            try:
                checked.wait(30)
                for vehicle in vehicles[:-1]:
                    actions_vehicle.take_out_for_span(acting_user=self.bob, area=area, vehicle=vehicle,
                                                      first_day=day, last_day=day, note="車検",
                                                      now=local(day - timedelta(1), 9))
            finally:
                spanned.set()

        self.assertFalse(VehicleDay.objects.filter(day=day).exists())  # the day's first booking
        with mock.patch.object(actions, "_day_closed_meanwhile", side_effect=check_then_let_the_span_run):
            self.assertEqual(run_together(book, take_out_every_vehicle_but_one), [])
        [booking] = Booking.objects.filter(service_date=day)
        out = {v.pk for v in vehicles[:-1]}
        self.assertEqual(VehicleOutOfService.objects.filter(vehicle__in=out, first_day=day).count(), len(out))
        if booking.status == Booking.Status.ACCEPTED:
            self.assertEqual(booking.vehicle_id, vehicles[-1].pk)
        else:
            self.assertEqual((booking.status, booking.cancelled_by_service), (Booking.Status.CANCELLED, True))
        carrying = {vd.vehicle_id for vd in VehicleDay.objects.filter(day=day) if vd.stops}
        self.assertFalse(carrying & out, "a vehicle out of service that day carries a ride")
        assert_plans_consistent(self, day)
