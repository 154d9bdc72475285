"""No seat sold twice: bookings made at the same moment from many connections each wait for the day's plans
(SELECT … FOR UPDATE) and every accepted ride ends on exactly one plan, within the seats. PostgreSQL only (SQLite
writes one transaction at a time anyway); CI runs the suite on PostgreSQL too."""

import threading
from unittest import skipUnless

from django.db import connection, connections

from toki.test import BaseTransactionTestCase
from toki.transport.rides import actions
from toki.transport.rides.demo import seed_rides_demo
from toki.transport.rides.models import Booking, MeetingPoint, VehicleDay
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import local, service_day


def assert_plans_consistent(case, day) -> None:
    """Every accepted booking is on exactly one plan, picked up then dropped off, and no plan is ever over its
    seats or wheelchair spaces."""
    accepted = set(Booking.objects.filter(service_date=day, status="accepted").values_list("pk", flat=True))
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


@skipUnless(connection.vendor == "postgresql", "row locks are PostgreSQL's; SQLite serialises writers")
class ConcurrentBookingTests(BaseTransactionTestCase):
    def test_it_never_sells_a_seat_twice(self):
        area = seed_rides_demo(self.municipality)[0]
        day = service_day()
        office = MeetingPoint.objects.get(area=area, code="ryotsu-office")
        hospital = MeetingPoint.objects.get(area=area, code="ryotsu-hospital")
        barrier = threading.Barrier(8)
        errors = []

        def book(i):
            try:
                barrier.wait()
                request = RideRequest(area=area, origin=Place.of(office), destination=Place.of(hospital),
                                      earliest_pickup=local(day, 10), latest_arrival=None, passengers=3)
                actions.book_ride(acting_user=None, request=request, channel="web", now=local(day, 6))
            except Exception as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=book, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
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
        errors = []

        def book(round_no, i, barrier):
            try:
                barrier.wait()
                origin, destination = points[(i + round_no) % len(points)], points[(3 * i + 1) % len(points)]
                if origin == destination:
                    destination = points[(3 * i + 2) % len(points)]
                request = RideRequest(area=area, origin=Place.of(origin), destination=Place.of(destination),
                                      earliest_pickup=local(day, 9, 10 * round_no), latest_arrival=None,
                                      passengers=1 + i % 3)
                actions.book_ride(acting_user=None, request=request, channel="web", now=local(day, 6))
            except Exception as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        for round_no in range(4):
            barrier = threading.Barrier(8)
            threads = [threading.Thread(target=book, args=(round_no, i, barrier)) for i in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        self.assertEqual(errors, [])
        self.assertTrue(warm.recall(area, day).bookings)  # the day was kept warm
        self.assertGreater(Booking.objects.filter(status="accepted").count(), 8)
        assert_plans_consistent(self, day)
        for booking in Booking.objects.filter(status="accepted"):
            self.assertLessEqual(booking.promised_pickup_from, booking.planned_pickup)
            self.assertLessEqual(booking.planned_pickup, booking.promised_pickup_until)
