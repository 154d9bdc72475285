"""The KPIs from what happened (kpis.ride_times, docs/rides.md "Operations and KPIs"): where the driver's tablet
recorded a boarding, the wait is from it; where it recorded the boarding and the drop-off, so are the in-vehicle
time and the detour factor; the plan's times for the rest, and the figures, the CSV, the board and the metric
provider say how many rest on each. The marks arrive through the tablet's sync API."""

import csv
import io
from datetime import timedelta

from django.urls import reverse

from toki.lib.metrics import Measurement, Period
from toki.transport.rides import actions, kpis
from toki.transport.rides.metrics import METRICS
from toki.transport.rides.models import Booking
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local
from toki.transport.rides.tests.tablet import Tablet


def minutes(later, earlier) -> float:
    return (later - earlier).total_seconds() / 60


class ActualTimesKpiTests(RidesTestCase):
    def setUp(self):
        super().setUp()
        self.done, self.on_board, self.planned = (self.book(10, destination) for destination in
                                                  ("ryotsu-hospital", "aiport", "ryotsu-gym"))
        tablets: dict[int, Tablet] = {}  # one per vehicle, as on board

        def mark(kind, booking, at) -> dict:
            if booking.vehicle_id not in tablets:
                tablets[booking.vehicle_id] = Tablet(booking.vehicle, self.bob)
            return tablets[booking.vehicle_id].mark(kind, booking, at)

        # The first rider boards 6 minutes after the time asked and rides 14 minutes; the second is on board.
        self.boarded_at, self.dropped_at = local(self.day, 10, 6), local(self.day, 10, 20)
        results = [mark("boarded", self.done, self.boarded_at), mark("dropped_off", self.done, self.dropped_at),
                   mark("boarded", self.on_board, local(self.day, 10, 9))]
        self.assertEqual([r["status"] for r in results], ["applied"] * 3, results)
        for booking in (self.done, self.on_board, self.planned):
            booking.refresh_from_db()

    def book(self, hh: int, destination: str) -> Booking:
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-office")),
                              destination=Place.of(self.point(destination)), earliest_pickup=local(self.day, hh),
                              latest_arrival=None)
        booking = actions.book_ride(acting_user=None, request=request, channel="web", now=local(self.day, 7)).booking
        self.assertEqual(booking.status, Booking.Status.ACCEPTED)
        return booking

    def expected(self) -> tuple[list[float], list[float]]:
        """(waits, in-vehicle times) as the definition says, booking by booking."""
        asked = local(self.day, 10)
        waits = [minutes(self.boarded_at, asked), minutes(local(self.day, 10, 9), asked),
                 max(0.0, minutes(self.planned.planned_pickup, asked))]
        rides = [minutes(self.dropped_at, self.boarded_at),
                 minutes(self.on_board.planned_dropoff, self.on_board.planned_pickup),
                 minutes(self.planned.planned_dropoff, self.planned.planned_pickup)]
        return waits, rides

    def test_the_wait_and_the_time_on_board_are_the_recorded_ones_where_there_are_some(self):
        figures = kpis.measure([self.ryotsu], self.day, self.day)
        waits, rides = self.expected()
        self.assertEqual((figures.rides, figures.waits_measured, figures.rides_measured), (3, 2, 1))
        self.assertEqual(figures.wait_mean, round(sum(waits) / 3, 2))
        self.assertEqual(figures.wait_p95, round(max(waits), 2))
        self.assertEqual(figures.in_vehicle_mean, round(sum(rides) / 3, 2))
        detours = [ride / b.direct_minutes for ride, b in zip(rides, (self.done, self.on_board, self.planned),
                                                              strict=True)]
        self.assertEqual(figures.detour_factor, round(sum(detours) / 3, 3))
        # The plan alone would have said otherwise: the recorded times are what the figures rest on.
        planned_wait = minutes(self.done.planned_pickup, local(self.day, 10))
        self.assertNotEqual(round(planned_wait, 2), round(waits[0], 2))

    def test_a_boarding_before_the_time_asked_is_no_wait(self):
        self.assertEqual(kpis.ride_times(Booking(earliest_pickup=local(self.day, 10),
                                                 boarded_at=local(self.day, 9, 55),
                                                 planned_pickup=local(self.day, 10, 2),
                                                 planned_dropoff=local(self.day, 10, 10))).wait, 0.0)

    def test_the_csv_says_how_many_rides_rest_on_the_records(self):
        self.login(self.bob)
        response = self.client.get(reverse("rides:kpi_csv", args=["ryotsu"]), {"month": self.day.strftime("%Y-%m")})
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        day_row = next(r for r in rows if r["start"] == r["end"] == self.day.isoformat())
        self.assertEqual((day_row["rides"], day_row["waits_measured"], day_row["rides_measured"]), ("3", "2", "1"))
        waits, _rides = self.expected()
        self.assertEqual(float(day_row["wait_mean"]), round(sum(waits) / 3, 2))
        self.assertEqual((rows[-1]["waits_measured"], rows[-1]["rides_measured"]), ("2", "1"))

    def test_the_board_says_how_many_rides_rest_on_the_records(self):
        self.login(self.bob)
        board = self.client.get(reverse("rides:board", args=["ryotsu"]), {"day": self.day.isoformat()})
        # Once for the day, once for the month.
        self.assertContains(board, "3件の乗車のうち、待ち時間2件と乗車時間1件は運転手用タブレットの記録による", count=2)

    def test_the_wait_metric_uses_the_records_and_says_so(self):
        provider = {m.key: m for m in METRICS}["rides.wait_mean"]
        measured = provider.measure(self.municipality, Period(self.day, self.day))
        self.assertIsInstance(measured, Measurement)
        waits, _rides = self.expected()
        self.assertEqual(float(measured.value), round(sum(waits) / 3, 2))
        self.assertEqual(measured.note, "3 rides: 2 boarded as the driver's tablet recorded, 1 by the plan")
        long_before = self.day - timedelta(days=400)
        nothing = provider.measure(self.municipality, Period(long_before, long_before))
        self.assertNotIsInstance(nothing, Measurement)
