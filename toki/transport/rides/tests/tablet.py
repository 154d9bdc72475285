"""A vehicle's tablet for tests that need what a driver reports (marks, positions) through its real endpoints: enrolled
by the area's operator on the tablets page (the one-time link in the QR), then a client of its own that holds the
tablet's cookie, so the test's own client can stay logged in as someone else."""

import json
import re
import uuid
from datetime import datetime

from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from toki.transport.rides.models import Booking, Vehicle


class Tablet:
    """The tablet on board `vehicle`, enrolled by `operator` (one of the area's operators)."""

    def __init__(self, vehicle: Vehicle, operator):
        staff = Client()
        staff.force_login(operator)
        page = staff.post(reverse("rides:tablets", args=[vehicle.area.code]), {"vehicle": vehicle.pk})
        found = re.search(r'id="enrol-url" href="([^"]+)"', page.content.decode())
        if page.status_code != 200 or found is None:
            raise AssertionError(f"no enrolment link for {vehicle} (HTTP {page.status_code})")
        self.client = Client()
        confirmed = self.client.post(found.group(1).split("testserver", 1)[-1])
        if confirmed.status_code != 302:
            raise AssertionError(f"the enrolment was not confirmed (HTTP {confirmed.status_code})")

    def mark(self, kind: str, booking: Booking, at: datetime, *, sent_at: datetime | None = None) -> dict:
        """One mark ("boarded", "no_show", "dropped_off") made at `at`, synced at `sent_at` (default: then); the
        server's answer for it."""
        event = {"id": str(uuid.uuid4()), "type": kind, "occurred_at": at.isoformat(),
                 "payload": {"booking": booking.pk}}
        with freeze_time(sent_at or at):
            response = self.client.post(reverse("rides:driver_events"),
                                        json.dumps({"device_id": "tablet-test", "events": [event]}),
                                        content_type="application/json")
        if response.status_code != 200:
            raise AssertionError(f"the sync answered HTTP {response.status_code}: {response.content[:200]!r}")
        return response.json()["results"][0]

    def report_position(self, lat: float, lon: float, at: datetime) -> int:
        """The newest fix, sent when it was measured; the HTTP status."""
        with freeze_time(at):
            return self.client.post(reverse("rides:driver_position"),
                                    json.dumps({"lat": lat, "lon": lon, "measured_at": at.isoformat(),
                                                "accuracy": 10}),
                                    content_type="application/json").status_code
