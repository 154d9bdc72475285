"""Operations: the board (map data, plans, KPIs), the KPI CSV, the KPI figures themselves, the metric providers,
and the re-optimiser that keeps every promise."""

import csv
import io
from datetime import timedelta

from django.core.management import call_command
from django.urls import reverse

from toki.lib.metrics import Measurement, Period
from toki.transport.rides import actions, kpis
from toki.transport.rides.metrics import METRICS
from toki.transport.rides.models import Booking, VehicleDay
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local


class OperationsTests(RidesTestCase):
    def setUp(self):
        super().setUp()
        now = local(self.day, 7)
        self.now = now
        trips = (("ryotsu-office", "ryotsu-hospital", 10), ("ryotsu-office", "ryotsu-hospital", 10),
                 ("ryotsu-office", "ryotsu-hospital", 22))
        for origin, destination, hh in trips:
            request = RideRequest(area=self.ryotsu, origin=Place.of(self.point(origin)),
                                  destination=Place.of(self.point(destination)), earliest_pickup=local(self.day, hh),
                                  latest_arrival=None)
            actions.book_ride(acting_user=None, request=request, channel="web", now=now)

    def test_it_measures_the_day(self):
        figures = kpis.measure([self.ryotsu], self.day, self.day)
        self.assertEqual((figures.requests, figures.accepted, figures.rides), (3, 2, 2))
        self.assertEqual(figures.acceptance_rate, 66.67)
        self.assertEqual(figures.pooling_rate, 100.0)
        self.assertGreaterEqual(figures.detour_factor, 1.0)
        self.assertEqual((figures.scheduled_vehicle_days, figures.operated_vehicle_days), (3, 1))
        self.assertEqual(figures.operation_rate, 33.33)
        plan = VehicleDay.objects.exclude(stops=[]).get()
        self.assertEqual(figures.vehicle_km, round(plan.km_total, 2))
        self.assertGreater(figures.empty_km_share, 0)

    def test_it_computes_the_nearest_rank_p95(self):
        self.assertEqual(kpis.percentile([float(v) for v in range(1, 21)], 95), 19.0)
        self.assertIsNone(kpis.percentile([], 95))

    def test_it_shows_the_board_to_the_area_operator(self):
        self.login(self.bob)
        response = self.client.get(reverse("rides:board", args=["ryotsu"]), {"day": self.day.isoformat()})
        self.assertContains(response, '<script id="rides-map-data" type="application/json">{"geometry"')
        self.assertContains(response, "66.67")
        self.assertContains(response, "両津病院")
        self.assertNotContains(response, "佐渡 花子")  # no rider names on the map or the plans

    def test_it_refuses_a_malformed_day(self):
        self.login(self.bob)
        self.assertEqual(self.client.get(reverse("rides:board", args=["ryotsu"]), {"day": "x"}).status_code, 404)

    def test_it_exports_the_month_as_csv(self):
        self.login(self.bob)
        response = self.client.get(reverse("rides:kpi_csv", args=["ryotsu"]), {"month": self.day.strftime("%Y-%m")})
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        start, end = kpis.month_bounds(self.day)
        self.assertEqual(len(rows), (end - start).days + 2)
        day_row = next(r for r in rows if r["start"] == self.day.isoformat() and r["end"] == self.day.isoformat())
        self.assertEqual((day_row["requests"], day_row["acceptance_rate"]), ("3", "66.67"))
        self.assertEqual(rows[-1]["requests"], "3")

    def test_it_registers_metric_providers(self):
        providers = {m.key: m for m in METRICS}
        measured = providers["rides.acceptance_rate"].measure(self.municipality, Period(self.day, self.day))
        self.assertIsInstance(measured, Measurement)
        self.assertEqual((measured.numerator, measured.denominator), (2, 3))
        self.assertEqual(providers["rides.acceptance_rate"].since(self.municipality), self.day)

    def test_the_kpi_module_finds_the_providers(self):
        from toki.kpi.providers import all_metrics

        self.assertTrue({"rides.passengers", "rides.acceptance_rate", "rides.operation_rate"} <= set(all_metrics()))


class ReoptimiserTests(RidesTestCase):
    def test_it_keeps_every_promise_and_never_loses_a_ride(self):
        now = local(self.day, 6)
        codes = ["ryotsu-office", "ryotsu-hospital", "aiport", "ryotsu-gym", "ryotsu-jhs", "yoshii-es", "ryotsu-fire"]
        for i in range(12):
            origin, destination = codes[i % 7], codes[(i * 3 + 1) % 7]
            if origin == destination:
                continue
            request = RideRequest(area=self.ryotsu, origin=Place.of(self.point(origin)),
                                  destination=Place.of(self.point(destination)),
                                  earliest_pickup=local(self.day, 9) + timedelta(minutes=10 * i), latest_arrival=None)
            actions.book_ride(acting_user=None, request=request, channel="web", now=now)
        before = {b.pk: (b.promised_pickup_from, b.promised_pickup_until)
                  for b in Booking.objects.filter(status="accepted")}
        call_command("rides_reoptimise", seconds=0.5, verbosity=0)
        plans = VehicleDay.objects.filter(day=self.day)
        on_plans = [s["booking"] for vd in plans for s in vd.stops if s["kind"] == "pickup"]
        self.assertEqual(sorted(on_plans), sorted(before))
        for booking in Booking.objects.filter(status="accepted"):
            self.assertEqual((booking.promised_pickup_from, booking.promised_pickup_until), before[booking.pk])
            self.assertLessEqual(booking.promised_pickup_from, booking.planned_pickup + timedelta(seconds=1))
            self.assertLessEqual(booking.planned_pickup, booking.promised_pickup_until + timedelta(seconds=1))
        for vehicle_day in plans:
            load = 0
            for s in vehicle_day.stops:
                load += s["pax"] if s["kind"] == "pickup" else -s["pax"]
                self.assertLessEqual(load, vehicle_day.vehicle.seats)

    def test_it_writes_nothing_over_a_plan_changed_meanwhile(self):
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-office")),
                              destination=Place.of(self.point("aiport")), earliest_pickup=local(self.day, 10),
                              latest_arrival=None)
        actions.book_ride(acting_user=None, request=request, channel="web", now=local(self.day, 6))
        rows = list(VehicleDay.objects.filter(day=self.day).order_by("pk"))
        stale = {vd.pk: vd.version - 1 for vd in rows}
        self.assertEqual(actions.store_improved_plans(area=self.ryotsu, day=self.day, expected_versions=stale,
                                                      routes={vd.pk: [] for vd in rows}), 0)
        self.assertTrue(VehicleDay.objects.exclude(stops=[]).exists())
