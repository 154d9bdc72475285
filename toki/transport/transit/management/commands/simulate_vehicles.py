"""Drive demo vehicles along today's trips and report their positions through the real endpoint (HTTP, bearer
token), as the tablets on board will: `manage.py simulate_vehicles --url http://127.0.0.1:8000 --loop`."""

import json
import time
import urllib.error
import urllib.request

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from toki.areas.selectors import default_municipality
from toki.transport.transit.actions import register_vehicle
from toki.transport.transit.selectors import feed_of, services_on
from toki.transport.transit.simulation import position_on_trip


class Command(BaseCommand):
    help = "Simulate vehicles on the running trips, reporting to the position endpoint (demo)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=5.0)
        parser.add_argument("--delay", type=int, default=120, help="seconds behind the timetable to report")

    def handle(self, *args, url, loop=False, interval=5.0, delay=120, **options):
        municipality = default_municipality()
        feed = feed_of(municipality) if municipality else None
        if feed is None:
            raise CommandError("no feed: run seed_transit_demo first")
        if not url.startswith(("http://", "https://")):
            raise CommandError("--url must be an http(s) URL")
        tokens: dict[str, str] = {}
        endpoint = url.rstrip("/") + reverse("transit:vehicle_position")
        while True:
            now = timezone.now()
            sent = 0
            for trip, report in self._running(feed, now, delay):
                if trip.gtfs_id not in tokens:
                    _vehicle, tokens[trip.gtfs_id] = register_vehicle(
                        acting_user=None, municipality=municipality, gtfs_id=f"sim-{trip.gtfs_id}"[:50],
                        label=f"{trip.route} (sim)")
                sent += self._send(endpoint, tokens[trip.gtfs_id], report)
            self.stdout.write(f"{now:%H:%M:%S} reported {sent} vehicles")
            if not loop:
                return
            time.sleep(interval)

    def _running(self, feed, now, delay):
        today = timezone.localdate(now)
        for trip in feed.trips.filter(service_id__in=services_on(feed, today)).select_related("route"):
            report = position_on_trip(trip, list(trip.stop_times.select_related("stop")), now, today, delay)
            if report is not None:
                yield trip, report

    def _send(self, endpoint: str, token: str, report: dict) -> int:
        body = json.dumps(report).encode()
        request = urllib.request.Request(endpoint, data=body, method="POST", headers={  # noqa: S310
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:  # the --url the operator gave, checked to be http(s) in handle()
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                return 1 if response.status == 202 else 0
        except (urllib.error.URLError, OSError) as error:
            self.stderr.write(f"{endpoint}: {error}")
            return 0
