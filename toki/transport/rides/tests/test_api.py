"""The booking API (/api/v1/rides): the answer at once, validation naming the field, and who may book."""

import json

from django.test import Client

from toki.transport.rides.models import Booking
from toki.transport.rides.tests.base import RidesTestCase, local


class ApiTests(RidesTestCase):
    def setUp(self):
        super().setUp()
        self.api = Client(enforce_csrf_checks=False)

    def post(self, user, **fields):
        body = {"area": "ryotsu", "origin": "ryotsu-office", "destination": "aiport",
                "earliest_pickup": local(self.day, 10).isoformat(), **fields}
        if user is not None:
            self.api.force_login(user)
        return self.api.post("/api/v1/rides/bookings", json.dumps(body), content_type="application/json")

    def test_it_lists_the_areas_and_points_publicly(self):
        data = self.api.get("/api/v1/rides/areas").json()
        self.assertEqual([a["code"] for a in data], ["aikawa", "ryotsu"])
        self.assertIn("aiport", [p["code"] for p in data[1]["points"]])

    def test_it_answers_a_booking_with_its_promise(self):
        data = self.post(self.bob).json()
        booking = Booking.objects.get()
        self.assertEqual((data["id"], data["status"]), (booking.pk, "accepted"))
        self.assertEqual(data["vehicle"], booking.vehicle.code)
        self.assertLessEqual(data["promised_pickup_from"], data["predicted_pickup"])

    def test_it_names_an_unknown_meeting_point(self):
        response = self.post(self.bob, origin="nowhere")
        self.assertEqual(response.status_code, 422)
        self.assertIn("origin: no meeting point 'nowhere'", response.json()["detail"])
        self.assertFalse(Booking.objects.exists())

    def test_it_refuses_a_time_without_an_offset(self):
        response = self.post(self.bob, earliest_pickup=f"{self.day.isoformat()}T10:00:00")
        self.assertEqual(response.status_code, 422)

    def test_it_refuses_anonymous_callers(self):
        self.assertEqual(self.post(None).status_code, 401)

    def test_it_refuses_an_outsider_and_the_other_area(self):
        self.assertEqual(self.post(self.eve).status_code, 404)
        self.assertEqual(self.post(self.bob, area="aikawa", origin="aikawa-office",
                                   destination="aikawa-es").status_code, 404)
        self.assertFalse(Booking.objects.exists())
