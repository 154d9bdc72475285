"""The demo simulator drives vehicles along the running trips and reports through the real endpoint: a live HTTP
server, bearer tokens, JSON; the GTFS-RT feed then holds one vehicle per running trip, with the delay."""

from datetime import datetime
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import LiveServerTestCase

from toki.test import BaseTransactionTestCase
from toki.transport.transit.models import VehiclePosition
from toki.transport.transit.tests.helpers import load_demo

MONDAY_9_30 = datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))


class SimulatorTests(BaseTransactionTestCase, LiveServerTestCase):
    def test_it_reports_every_running_trip_through_the_endpoint(self):
        load_demo(self.municipality)
        out = StringIO()
        with mock.patch("django.utils.timezone.now", return_value=MONDAY_9_30):
            call_command("simulate_vehicles", url=self.live_server_url, delay=120, stdout=out, stderr=out)
        # At 09:30 minus a 2-minute delay, 09:28 by the timetable: 本線 out 08:10 (until 09:10) is over, out 09:40
        # not started; back 08:40 (until 09:40) runs; the 相川 bus out 09:00 (until 10:15) runs.
        trips = set(VehiclePosition.objects.values_list("trip_gtfs_id", flat=True))
        self.assertEqual(trips, {"honsen_back_02", "av_out_01"}, out.getvalue())
        self.assertEqual(set(VehiclePosition.objects.values_list("delay", flat=True)), {120})
        self.assertIn("reported 2 vehicles", out.getvalue())

    def test_it_refuses_a_url_that_is_not_http(self):
        load_demo(self.municipality)
        with self.assertRaisesMessage(CommandError, "--url must be an http(s) URL"):
            call_command("simulate_vehicles", url="file:///etc/passwd")
