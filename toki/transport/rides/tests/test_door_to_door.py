"""Door to door on the web page: where the area allows it, a place tapped on the map (which fills the coordinates) or
given by its coordinates inside the area's polygon is booked like a meeting point; outside the polygon the form says
so and nothing is booked. The map itself is checked in the browser (tests_browser/rides_door.py)."""

import re

from django.urls import reverse

from toki.transport.rides import actions
from toki.transport.rides.models import Booking, VehicleDay
from toki.transport.rides.tests.base import RidesTestCase

HOME = (38.0702, 138.4205)  # a house between 吉井 and 両津, inside the 両津 area
OUTSIDE = (38.0184, 138.3682)  # 佐和田, outside it


class DoorToDoorTests(RidesTestCase):
    def setUp(self):
        super().setUp()
        self.ryotsu.door_to_door = True
        self.ryotsu.save()

    def book(self, origin_lat_lon, **fields):
        data = self.web_form(**fields)
        data["origin"] = ""
        data["origin_lat"], data["origin_lon"] = origin_lat_lon
        return self.client.post(reverse("rides:book_area", args=["ryotsu"]), data)

    def test_the_form_offers_coordinates_where_the_area_goes_door_to_door(self):
        page = self.client.get(reverse("rides:book_area", args=["ryotsu"]))
        self.assertContains(page, 'name="origin_lat"')
        self.assertContains(page, "ドア・ツー・ドア")

    def test_the_form_carries_a_map_picker_that_needs_no_outside_script(self):
        page = self.client.get(reverse("rides:book_area", args=["ryotsu"]))
        html = page.content.decode()
        # One map per end, hidden until the script runs: without it the list and the coordinates are the form.
        self.assertEqual(html.count('class="rides-pick"'), 2)
        self.assertIn('data-end="origin" hidden', html)
        self.assertIn("または、乗る場所を地図でタップしてください", html)
        self.assertIn("上の一覧から選ぶか、下に緯度・経度を入力してください", html)  # the map's label
        self.assertIn("ほかの場所を指定する", html)
        data = page.context["form"].map_data()
        self.assertEqual(data["geometry"], self.ryotsu.geometry)
        self.assertIn({"id": self.point("ryotsu-hospital").pk, "name": "両津病院", "lat": 38.088181, "lon": 138.43027},
                      data["points"])
        self.assertIn('<script id="rides-pick-data" type="application/json">', html)
        scripts = re.findall(r'<script[^>]* src="([^"]+)"', html)
        self.assertIn("/static/vendor/leaflet-1.9.4/leaflet.js", scripts)
        self.assertIn("/static/rides/pick-place.js", scripts)
        self.assertTrue(all(src.startswith("/static/") for src in scripts), scripts)  # no CDN

    def test_the_phone_desk_books_with_the_same_map(self):
        rider = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎", phone="0259-23-0000")
        self.login(self.bob)
        page = self.client.get(reverse("rides:rider", args=["ryotsu", rider.pk]))
        self.assertContains(page, 'class="rides-pick"', count=2)
        self.assertContains(page, "/static/rides/pick-place.js")

    def test_a_place_tapped_on_the_map_is_booked_as_the_map_fills_the_fields(self):
        data = self.web_form()
        data["destination"] = ""  # the script empties the list's choice and writes six decimals
        data["destination_lat"], data["destination_lon"] = "38.070200", "138.420500"
        response = self.client.post(reverse("rides:book_area", args=["ryotsu"]), data)
        booking = Booking.objects.get()
        self.assertRedirects(response, reverse("rides:booking", args=[booking.reference]))
        self.assertEqual((booking.destination_lat, booking.destination_lon), HOME)
        self.assertIsNone(booking.destination)
        stops = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day).stops
        self.assertEqual({(s["lat"], s["lon"]) for s in stops if s["kind"] == "dropoff"}, {HOME})

    def test_a_home_inside_the_area_is_booked_and_put_on_a_plan(self):
        response = self.book(HOME)
        booking = Booking.objects.get()
        self.assertRedirects(response, reverse("rides:booking", args=[booking.reference]))
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        self.assertIsNone(booking.origin)
        self.assertEqual((booking.origin_lat, booking.origin_lon), HOME)
        stops = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day).stops
        self.assertEqual((stops[0]["lat"], stops[0]["lon"]), HOME)
        self.assertContains(self.client.get(response["Location"]), "ご指定の場所 (38.07020, 138.42050)")

    def test_a_place_outside_the_polygon_is_refused_with_a_clear_error(self):
        response = self.book(OUTSIDE)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "38.01840, 138.36820 は運行区域（両津地区）の外です")
        self.assertFalse(Booking.objects.exists())

    def test_half_a_coordinate_is_refused(self):
        response = self.book((HOME[0], ""))
        self.assertContains(response, "緯度と経度の両方を入力してください")
        self.assertFalse(Booking.objects.exists())

    def test_an_area_of_meeting_points_offers_no_coordinates(self):
        self.ryotsu.door_to_door = False
        self.ryotsu.save()
        page = self.client.get(reverse("rides:book_area", args=["ryotsu"]))
        self.assertNotContains(page, 'name="origin_lat"')
        self.assertNotContains(page, 'class="rides-pick"')
        self.assertNotContains(page, "leaflet.js")
        self.assertEqual(self.book(HOME).status_code, 200)  # the meeting point is required
        self.assertFalse(Booking.objects.exists())
