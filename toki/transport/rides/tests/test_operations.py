"""Operations: the board (map data, plans, KPIs), the KPI CSV, the KPI figures themselves, the metric providers,
and the re-optimiser that keeps every promise."""

import csv
import io
from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.lib.metrics import Measurement, Period
from toki.test import DATABASE_TASKS, QueueMixin
from toki.transport.rides import actions, dispatch, kpis
from toki.transport.rides.metrics import METRICS
from toki.transport.rides.models import Booking, VehicleDay
from toki.transport.rides.reoptimise import reoptimise
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


class RideDayTestCase(RidesTestCase):
    """A day of bookings on 両津's plans, a re-optimiser's search over it, and the checks of what riders were told."""

    # The search's effort as a number of iterations, not seconds: the same result on a loaded CI machine as here.
    SEARCH: dict[str, Any] = {"seconds": 120.0, "seed": 0, "max_iterations": 1500}
    CODES = ["ryotsu-office", "ryotsu-hospital", "aiport", "ryotsu-gym", "ryotsu-jhs", "yoshii-es", "ryotsu-fire"]

    def book(self, origin: str, destination: str, minutes_after_nine: int) -> Booking:
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point(origin)),
                              destination=Place.of(self.point(destination)),
                              earliest_pickup=local(self.day, 9) + timedelta(minutes=minutes_after_nine),
                              latest_arrival=None)
        return actions.book_ride(acting_user=None, request=request, channel="web", now=local(self.day, 6)).booking

    def a_day_of_bookings(self) -> None:
        for i in range(14):
            origin, destination = self.CODES[i % 7], self.CODES[(i * 3 + 1) % 7]
            if origin != destination:
                self.book(origin, destination, 7 * i)

    def search(self) -> tuple[dict[int, int], dict[int, list[dict]]]:
        """What a re-optimiser round does before it writes: the plans' versions, then the improved routes."""
        rows = list(VehicleDay.objects.filter(day=self.day).select_related("vehicle").order_by("pk"))
        versions = {vd.pk: vd.version for vd in rows}
        return versions, dispatch.improve(self.ryotsu, rows, now=local(self.day, 6), **self.SEARCH)

    def assert_every_ride_on_one_plan_inside_its_promise(self, promises: dict) -> None:
        plans = VehicleDay.objects.filter(day=self.day).select_related("vehicle")
        on_plans = [s["booking"] for vd in plans for s in vd.stops if s["kind"] == "pickup"]
        accepted = Booking.objects.filter(status="accepted")
        self.assertEqual(sorted(on_plans), sorted(b.pk for b in accepted))
        for booking in accepted:
            self.assertEqual((booking.promised_pickup_from, booking.promised_pickup_until), promises[booking.pk])
            window, planned = promises[booking.pk], booking.planned_pickup
            assert window[0] is not None and window[1] is not None and planned is not None
            self.assertLessEqual(window[0], planned + timedelta(seconds=1))
            self.assertLessEqual(planned, window[1] + timedelta(seconds=1))
        for vehicle_day in plans:
            load = 0
            for s in vehicle_day.stops:
                load += s["pax"] if s["kind"] == "pickup" else -s["pax"]
                self.assertLessEqual(load, vehicle_day.vehicle.seats)



class ReoptimiserTests(RideDayTestCase):
    def test_it_keeps_every_promise_and_never_loses_a_ride(self):
        self.a_day_of_bookings()
        promises = {b.pk: (b.promised_pickup_from, b.promised_pickup_until)
                    for b in Booking.objects.filter(status="accepted")}
        call_command("rides_reoptimise", seconds=0.5, verbosity=0)
        self.assert_every_ride_on_one_plan_inside_its_promise(promises)


class RebaseTests(RideDayTestCase):
    """The re-optimiser's search result, when bookings changed the plans during the search (docs/rides.md)."""

    def test_a_better_plan_found_while_a_ride_was_booked_lands_with_that_ride_in_its_promise(self):
        self.a_day_of_bookings()
        versions, routes = self.search()
        late = self.book("yoshii-es", "ryotsu-hospital", 95)  # booked while the search ran
        self.assertEqual(late.status, "accepted")
        promises = {b.pk: (b.promised_pickup_from, b.promised_pickup_until)
                    for b in Booking.objects.filter(status="accepted")}
        written = actions.store_improved_plans(area=self.ryotsu, day=self.day, expected_versions=versions,
                                               routes=routes)
        self.assertGreater(written, 0)
        self.assert_every_ride_on_one_plan_inside_its_promise(promises)
        event = AuditEvent.objects.filter(action="rides.plans_improved").latest("pk")
        self.assertTrue(event.changes["rebased"])

    def test_a_ride_cancelled_during_the_search_stays_off_the_plan(self):
        self.a_day_of_bookings()
        versions, routes = self.search()
        gone = Booking.objects.filter(status="accepted").order_by("pk")[3]
        actions.cancel_booking(acting_user=None, booking=gone, now=local(self.day, 6))
        promises = {b.pk: (b.promised_pickup_from, b.promised_pickup_until)
                    for b in Booking.objects.filter(status="accepted")}
        actions.store_improved_plans(area=self.ryotsu, day=self.day, expected_versions=versions, routes=routes)
        self.assert_every_ride_on_one_plan_inside_its_promise(promises)
        self.assertNotIn(gone.pk, [s["booking"] for vd in VehicleDay.objects.all() for s in vd.stops])

    def test_a_stale_result_no_better_than_the_plans_now_is_not_written(self):
        self.a_day_of_bookings()
        rows = list(VehicleDay.objects.filter(day=self.day).order_by("pk"))
        versions = {vd.pk: vd.version for vd in rows}
        unchanged = {vd.pk: vd.stops for vd in rows}  # a search that found nothing better
        self.book("yoshii-es", "ryotsu-hospital", 95)
        after = {vd.pk: (vd.version, vd.stops) for vd in VehicleDay.objects.filter(day=self.day)}
        self.assertEqual(actions.store_improved_plans(area=self.ryotsu, day=self.day, expected_versions=versions,
                                                      routes=unchanged), 0)
        self.assertEqual({vd.pk: (vd.version, vd.stops) for vd in VehicleDay.objects.filter(day=self.day)}, after)


@override_settings(TASKS=DATABASE_TASKS)
class DeferredWriteTests(QueueMixin, RideDayTestCase):
    """The looping re-optimiser (lowest CPU priority) writes nothing itself: the task worker stores its results."""

    def test_the_search_process_hands_its_result_to_the_worker_which_rebases_it(self):
        self.a_day_of_bookings()
        before = {vd.pk: (vd.version, vd.stops) for vd in VehicleDay.objects.filter(day=self.day)}
        with self.captureOnCommitCallbacks(execute=True):
            handed = reoptimise(defer_writes=True, **self.SEARCH)
        self.assertEqual(handed, {"ryotsu": 1})
        self.assertEqual({vd.pk: (vd.version, vd.stops) for vd in VehicleDay.objects.filter(day=self.day)}, before)
        self.book("yoshii-es", "ryotsu-hospital", 95)  # booked before the worker took the task
        promises = {b.pk: (b.promised_pickup_from, b.promised_pickup_until)
                    for b in Booking.objects.filter(status="accepted")}
        self.assertEqual(self.run_queued_tasks(), 1)
        self.assert_every_ride_on_one_plan_inside_its_promise(promises)
        self.assertTrue(AuditEvent.objects.get(action="rides.plans_improved").changes["rebased"])


class PrepareSolverTests(SimpleTestCase):
    def test_prepare_solver_loads_the_compiled_kernel_and_says_so(self):
        out = io.StringIO()
        call_command("rides_prepare_solver", stdout=out)
        self.assertRegex(out.getvalue(), r"^rides_prepare_solver: dispatcher ready in \d+\.\d s")
