"""Each process keeps a service day warm between bookings (warm.py): it answers exactly as a cold process does,
learns only what was committed, and still sees what other processes wrote on the plans."""

from datetime import timedelta

from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from toki.transport.rides import actions, warm
from toki.transport.rides.models import Booking
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local, service_day

TRIPS = [("ryotsu-office", "ryotsu-hospital", 10, 0, 1), ("aiport", "ryotsu-gym", 10, 10, 2),
         ("yoshii-es", "ryotsu-office", 9, 40, 1), ("ryotsu-jhs", "aiport", 10, 5, 3),
         ("kanai-east-cc", "ryotsu-hospital", 10, 30, 1), ("ryotsu-gym", "yoshii-es", 10, 15, 2),
         ("ryotsu-hospital", "ryotsu-fire", 9, 55, 4), ("ryotsu-fire", "kanai-east-cc", 10, 20, 1)]


@override_settings(TOKI_RIDES_WEB_BOOKINGS_PER_CLIENT=100)
class WarmDayTests(RidesTestCase):
    def setUp(self):
        super().setUp()
        warm.forget_all()
        self.addCleanup(warm.forget_all)

    def web_book(self, day, origin, destination, hh, mm, passengers) -> Booking:
        form = self.web_form(origin=origin, destination=destination, hh=hh, mm=mm, passengers=passengers, day=day)
        response = self.client.post(reverse("rides:book_area", args=["ryotsu"]), form)
        self.assertEqual(response.status_code, 302)
        return Booking.objects.latest("pk")

    def answers(self, day, *, keep_warm: bool) -> list[tuple]:
        """The day's answers, as times of day (comparable between two days)."""
        out = []
        for trip in TRIPS:
            if keep_warm:
                with self.captureOnCommitCallbacks(execute=True):  # the commit that teaches the process
                    booking = self.web_book(day, *trip)
            else:
                warm.forget_all()
                booking = self.web_book(day, *trip)
            booking.refresh_from_db()
            out.append((booking.status, booking.vehicle.code if booking.vehicle else None,
                        *[(t - timedelta(days=(t.date() - day).days)).isoformat() if t else None
                          for t in (booking.promised_pickup_from, booking.planned_pickup, booking.planned_dropoff)]))
        return out

    def test_a_warm_process_answers_exactly_as_a_cold_one(self):
        first = service_day()
        second = service_day(first)
        warm_answers = self.answers(first, keep_warm=True)
        self.assertTrue(warm.recall(self.ryotsu, first).bookings)  # the day was kept warm
        cold_answers = self.answers(second, keep_warm=False)
        self.assertEqual([a[0] for a in warm_answers].count("accepted"), len(TRIPS))
        # The same requests one service day apart: the same vehicles, promises and predicted times.
        shift = lambda answers, day: [(*a[:2], *[t.replace(day.isoformat(), "D") if t else t for t in a[2:]])  # noqa: E731
                                      for a in answers]
        self.assertEqual(shift(warm_answers, first), shift(cold_answers, second))

    def test_it_learns_only_what_was_committed(self):
        request = self.request(10)
        with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
            actions.book_ride(acting_user=None, request=request, channel="web", now=local(self.day, 6))
            actions.book_ride(acting_user=None, request=self.request(11), channel="web",
                              now=local(self.day, 6))
            transaction.set_rollback(True)
        self.assertEqual(warm.recall(self.ryotsu, self.day).bookings, {})
        with self.captureOnCommitCallbacks(execute=True):
            first = actions.book_ride(acting_user=None, request=request, channel="web", now=local(self.day, 6))
        with self.captureOnCommitCallbacks(execute=True):
            actions.book_ride(acting_user=None, request=self.request(11), channel="web", now=local(self.day, 6))
        self.assertEqual(set(warm.recall(self.ryotsu, self.day).bookings), {first.booking.pk})

    def test_a_seat_sold_by_another_process_is_seen(self):
        """Two 9-seat vehicles: a warm process sells one, another process (whose commit this one never learns) the
        other; a third group of nine is refused (the 15-minute drive there and back does not fit its window)."""
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.book_nine().status, Booking.Status.ACCEPTED)
        self.assertEqual(self.book_nine().status, Booking.Status.ACCEPTED)  # not learnt: "another process"
        with self.captureOnCommitCallbacks(execute=True):
            third = self.book_nine()
        self.assertEqual(third.status, Booking.Status.REJECTED)

    def test_a_change_of_the_area_limits_starts_a_new_entry(self):
        with self.captureOnCommitCallbacks(execute=True):
            actions.book_ride(acting_user=None, request=self.request(10), channel="web", now=local(self.day, 6))
            actions.book_ride(acting_user=None, request=self.request(11), channel="web", now=local(self.day, 6))
        self.assertTrue(warm.recall(self.ryotsu, self.day).bookings)
        self.ryotsu.max_wait_minutes = 20
        self.ryotsu.save()
        self.assertEqual(warm.recall(self.ryotsu, self.day).bookings, {})

    def request(self, hh: int, passengers: int = 1, origin="ryotsu-office",
                destination="ryotsu-hospital") -> RideRequest:
        return RideRequest(area=self.ryotsu, origin=Place.of(self.point(origin)),
                           destination=Place.of(self.point(destination)), earliest_pickup=local(self.day, hh),
                           latest_arrival=None, passengers=passengers)

    def book_nine(self) -> Booking:
        request = self.request(10, passengers=9, origin="kanai-east-cc", destination="ryotsu-gym")
        return actions.book_ride(acting_user=None, request=request, channel="web",
                                 now=local(self.day, 6)).booking
