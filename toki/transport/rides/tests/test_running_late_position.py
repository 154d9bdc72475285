"""A vehicle running late by its position (docs/rides.md, "The driver's tablet", "Running late"): a position report
through POST /rides/driver/position from which the vehicle cannot make its next stop on time re-times its later
stops (`actions.retime_from_position`), as a late mark does, and the rider's page says the new time; a new booking
through the API and a re-optimiser round keep the pushed times (`VehicleDay.expected_next`, applied by
`solver.DayModel.stops_of`). Small lateness, an early vehicle, a stale fix, a vehicle off its shift and identical
reports write nothing."""

import json
from datetime import datetime, timedelta

from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from toki.accounts.models import AuditEvent
from toki.transport.rides import dispatch, plans, solver
from toki.transport.rides.models import Booking, VehicleDay
from toki.transport.rides.tests.base import local
from toki.transport.rides.tests.test_running_late import OneVehicleDayCase
from toki.transport.rides.travel import StraightLine

KM = 1 / 111  # degrees of latitude in a kilometre
SECOND = timedelta(seconds=1)  # the travel source rounds the points it is asked for


class RunningLateByPositionTests(OneVehicleDayCase):
    def setUp(self):
        super().setUp()
        self.office = self.point("ryotsu-office")

    def plan(self) -> VehicleDay:
        return VehicleDay.objects.get(vehicle=self.vehicle, day=self.day)

    def times(self) -> dict[tuple[int, str], datetime]:
        return {(s["booking"], s["kind"]): datetime.fromisoformat(s["at"]) for s in self.plan().stops}

    def report_north_of_the_office(self, km: float, at: datetime) -> datetime:
        """The tablet reports the vehicle `km` north of its first pickup (the office) at `at`; answers when it can
        be there, on the area's travel source (the straight line, in tests)."""
        self.assertEqual(self.tablet.report_position(self.office.lat + km * KM, self.office.lon, at), 202)
        line = StraightLine(self.ryotsu.speed_kmh, self.ryotsu.detour_factor)
        leg = line.matrix([(self.office.lat + km * KM, self.office.lon), (self.office.lat, self.office.lon)])
        return at + timedelta(minutes=leg.minutes[0][1])

    def late_report(self) -> datetime:
        """A fix at the first pickup's planned time, 10 km short of it: late by about 26 minutes, past the window."""
        expected = self.report_north_of_the_office(10, self.first.planned_pickup)
        self.assertGreater(expected, self.first.promised_pickup_until)
        return expected

    def page(self, booking: Booking):
        return self.client.get(reverse("rides:booking", args=[booking.reference]))

    def book_through_the_api(self, at: datetime) -> dict:
        api = Client()
        body = {"area": "ryotsu", "origin": "ryotsu-office", "destination": "ryotsu-gym",
                "earliest_pickup": local(self.day, 14).isoformat()}
        with freeze_time(at):
            api.force_login(self.bob)  # a session of that moment
            response = api.post("/api/v1/rides/bookings", json.dumps(body), content_type="application/json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "accepted", response.content)
        return response.json()

    def test_a_late_position_pushes_the_later_stops_and_the_riders_pages_say_so(self):
        before = self.times()
        version = self.plan().version
        expected = self.late_report()
        first, second = Booking.objects.get(pk=self.first.pk), Booking.objects.get(pk=self.second.pk)
        self.assertAlmostEqual(first.planned_pickup, expected, delta=SECOND)
        self.assertGreater(second.planned_pickup, before[(self.second.pk, "pickup")])
        self.assertGreater(second.planned_dropoff, before[(self.second.pk, "dropoff")])
        after = self.times()
        self.assertAlmostEqual(after[(self.first.pk, "pickup")], expected, delta=SECOND)
        for key, at in after.items():
            self.assertGreaterEqual(at, before[key])  # nothing earlier
        self.assertEqual(self.plan().version, version + 1)
        floor = self.plan().expected_next
        self.assertEqual((floor["booking"], floor["kind"]), (self.first.pk, "pickup"))
        self.assertEqual(datetime.fromisoformat(floor["at"]), first.planned_pickup)
        self.assertTrue(first.running_late)
        self.assertContains(self.page(first),
                            f"お迎えは{timezone.localtime(first.planned_pickup):%H:%M}ごろの見込みです")
        audit = AuditEvent.objects.get(action="rides.plan_running_late")
        self.assertEqual((audit.changes["booking"], audit.changes["kind"]), (self.first.pk, "pickup"))
        # The driver's tablet shows the new time of the stop.
        with freeze_time(self.first.planned_pickup + timedelta(seconds=30)):
            shown = self.tablet.client.get(reverse("rides:driver_plan")).json()
        self.assertEqual(shown["stops"][0]["at"], timezone.localtime(first.planned_pickup).isoformat())

    def test_a_lateness_under_a_minute_is_ignored(self):
        before, version = self.times(), self.plan().version
        # Half a minute's drive from the office, at the planned time: about 30 s late.
        at = self.first.planned_pickup
        expected = self.report_north_of_the_office(0.2, at)
        self.assertGreater(expected, at)
        self.assertLess(expected, at + timedelta(minutes=1))
        self.assertEqual((self.times(), self.plan().version), (before, version))
        self.assertFalse(AuditEvent.objects.filter(action="rides.plan_running_late").exists())

    def test_an_early_vehicle_pulls_nothing_earlier(self):
        before, version = self.times(), self.plan().version
        # At the office ten minutes before the planned pickup.
        self.report_north_of_the_office(0, self.first.planned_pickup - timedelta(minutes=10))
        self.assertEqual((self.times(), self.plan().version), (before, version))
        self.assertFalse(Booking.objects.get(pk=self.first.pk).running_late)
        self.assertNotContains(self.page(self.first), 'class="rides-late"')

    def test_a_position_older_than_the_last_changes_nothing(self):
        at = self.first.planned_pickup
        self.report_north_of_the_office(0, at)  # on time, at the office
        before, version = self.times(), self.plan().version
        # A fix from a minute before, 10 km away, sent late after a dead spot: older than the one kept.
        self.report_north_of_the_office(10, at - timedelta(minutes=1))
        plan = self.plan()
        self.assertEqual((self.times(), plan.version), (before, version))
        self.assertEqual((plan.last_lat, plan.last_seen_at), (self.office.lat, at))

    def test_repeated_reports_do_not_rewrite_the_plan(self):
        expected = self.late_report()
        plan = self.plan()
        # The same report sent again, and the vehicle standing there for 40 seconds more: its expected arrival
        # moves less than a minute, so the plan is not written again.
        self.report_north_of_the_office(10, self.first.planned_pickup)
        self.report_north_of_the_office(10, self.first.planned_pickup + timedelta(seconds=20))
        self.report_north_of_the_office(10, self.first.planned_pickup + timedelta(seconds=40))
        again = self.plan()
        self.assertEqual((again.version, again.stops, again.expected_next, again.updated_at),
                         (plan.version, plan.stops, plan.expected_next, plan.updated_at))
        self.assertEqual(AuditEvent.objects.filter(action="rides.plan_running_late").count(), 1)
        # Still there two minutes later: two minutes later than written, so written once more.
        later = self.report_north_of_the_office(10, self.first.planned_pickup + timedelta(minutes=2))
        self.assertEqual(self.plan().version, plan.version + 1)
        self.assertAlmostEqual(self.times()[(self.first.pk, "pickup")], later, delta=SECOND)
        self.assertGreater(later, expected)

    def test_a_booking_through_the_api_and_a_reoptimiser_round_keep_the_pushed_times(self):
        self.late_report()
        pushed = self.times()
        first = Booking.objects.get(pk=self.first.pk)
        now = self.first.planned_pickup + timedelta(minutes=1)
        self.book_through_the_api(now)
        for key, at in pushed.items():
            self.assertGreaterEqual(self.times()[key], at, key)
        self.assertEqual(Booking.objects.get(pk=self.first.pk).planned_pickup, first.planned_pickup)
        # What a round of the re-optimiser would write, then a round.
        days = list(plans.read_days(self.ryotsu, self.day))
        routes = dispatch.improve(self.ryotsu, days, now=now + timedelta(minutes=1), seconds=60, seed=0,
                                  max_iterations=200)
        found = {(s["booking"], s["kind"]): datetime.fromisoformat(s["at"]) for r in routes.values() for s in r}
        for key, at in pushed.items():
            self.assertGreaterEqual(found[key], at, key)
        # Nothing better here: the solver's own times for the plan are the pushed ones, so the round writes nothing
        # (a re-time gives the re-optimiser nothing to churn on).
        plan = self.plan()
        self.assertEqual(routes[plan.pk], plan.stops)
        with freeze_time(now + timedelta(minutes=1)):
            call_command("rides_reoptimise", seconds=0.3, iterations=200, verbosity=0)
        self.assertEqual(self.plan().version, plan.version)
        for key, at in pushed.items():
            self.assertGreaterEqual(self.times()[key], at, key)
        expected = f"お迎えは{timezone.localtime(first.planned_pickup):%H:%M}ごろの見込みです"
        self.assertContains(self.page(first), expected)

    def test_a_position_off_the_shift_or_with_nothing_left_does_nothing(self):
        plan = self.plan()
        before, version = self.times(), plan.version
        # Before the shift starts, 10 km away (the driver on the way to work): not re-timed.
        at = plan.start - timedelta(minutes=1)
        self.report_north_of_the_office(10, at)
        self.assertEqual((self.times(), self.plan().version), (before, version))
        # Every stop done: nothing left to be late for.
        board = self.first.planned_pickup
        for kind, booking, when in (("boarded", self.first, board), ("dropped_off", self.first, board + timedelta(
                minutes=10)), ("boarded", self.second, board + timedelta(minutes=40)),
                ("dropped_off", self.second, board + timedelta(minutes=50))):
            self.assertEqual(self.tablet.mark(kind, booking, when)["status"], "applied")
        version = self.plan().version
        self.report_north_of_the_office(10, board + timedelta(minutes=51))
        self.assertEqual(self.plan().version, version)
        self.assertFalse(AuditEvent.objects.filter(action="rides.plan_running_late").exists())

    def test_the_stop_the_vehicle_is_late_for_stays_at_the_head_of_its_route(self):
        """Its time was pushed past now, but the vehicle is on its way there: nothing is put before it, as for a
        pickup whose planned time has passed (solver.served_heads)."""
        now = self.first.planned_pickup + timedelta(seconds=30)
        self.assertEqual(solver.served_heads([self.plan()], now)[str(self.plan().pk)], 1)  # past its planned time
        self.late_report()
        self.assertGreater(self.times()[(self.first.pk, "pickup")], now)
        self.assertEqual(solver.served_heads([self.plan()], now)[str(self.plan().pk)], 1)  # and still at the head

    def test_a_report_on_time_costs_one_read_more_than_the_position(self):
        """A report a minute from each vehicle: on time, the check reads the plan's done stops once (the plan itself
        is the row the position locks) and writes nothing — the tablet, the plan locked, the position written, the
        marks read, and the transaction's savepoint around them."""
        at = self.first.planned_pickup - timedelta(minutes=10)
        with self.assertNumQueries(6):
            self.report_north_of_the_office(0, at)

    def test_a_travel_source_that_cannot_answer_re_times_on_the_straight_line_estimate(self):
        """OSRM down: the position is kept and the plan re-timed all the same, the drives estimated by the straight
        line (as the 'near' reminder does), with a warning in the log."""
        before = self.times()
        with (override_settings(TOKI_RIDES_TRAVEL="osrm:http://127.0.0.1:9"),
              self.assertLogs("toki.transport.rides.plans", "WARNING") as logged):
            self.late_report()
        self.assertIn("straight-line estimate used", logged.output[-1])
        plan = self.plan()
        self.assertEqual(plan.last_seen_at, self.first.planned_pickup)
        self.assertEqual(plan.expected_next["booking"], self.first.pk)
        self.assertGreater(self.times()[(self.first.pk, "pickup")], before[(self.first.pk, "pickup")])
