"""Door to door on the web page: where the area allows it, a place given by its coordinates inside the area's
polygon is booked like a meeting point; outside the polygon the form says so and nothing is booked."""

from django.urls import reverse

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

    def test_a_home_inside_the_area_is_booked_and_put_on_a_plan(self):
        response = self.book(HOME)
        booking = Booking.objects.get()
        self.assertRedirects(response, reverse("rides:booking", args=[booking.reference]))
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        self.assertIsNone(booking.origin)
        self.assertEqual((booking.origin_lat, booking.origin_lon), HOME)
        stops = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day).stops
        self.assertEqual((stops[0]["lat"], stops[0]["lon"]), HOME)
        self.assertContains(self.client.get(response["Location"]), "38.07020, 138.42050")

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
        self.assertNotContains(self.client.get(reverse("rides:book_area", args=["ryotsu"])), 'name="origin_lat"')
        self.assertEqual(self.book(HOME).status_code, 200)  # the meeting point is required
        self.assertFalse(Booking.objects.exists())
