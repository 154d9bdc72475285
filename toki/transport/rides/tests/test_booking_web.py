"""The large-type web page: a request answered at once with a promise, or a reason and other times."""

from django.urls import reverse

from toki.transport.rides.models import Booking, Rider, VehicleDay
from toki.transport.rides.tests.base import RidesTestCase


class WebBookingTests(RidesTestCase):
    def book(self, **fields):
        return self.client.post(reverse("rides:book_area", args=["ryotsu"]), self.web_form(**fields))

    def test_it_shows_the_large_type_form_to_anyone(self):
        response = self.client.get(reverse("rides:book_area", args=["ryotsu"]))
        self.assertContains(response, "両津病院")
        self.assertContains(response, 'name="phone"')

    def test_it_answers_an_accepted_ride_with_the_promised_window(self):
        response = self.book()
        booking = Booking.objects.get()
        self.assertRedirects(response, reverse("rides:booking", args=[booking.reference]))
        self.assertEqual(booking.status, Booking.Status.ACCEPTED)
        self.assertEqual(booking.channel, Booking.Channel.WEB)
        self.assertLessEqual(booking.promised_pickup_from, booking.planned_pickup)
        self.assertLessEqual(booking.planned_pickup, booking.promised_pickup_until)
        self.assertLess(booking.planned_pickup, booking.planned_dropoff)
        page = self.client.get(reverse("rides:booking", args=[booking.reference]))
        self.assertContains(page, booking.promised_pickup_from.astimezone().strftime("%H:%M"))

    def test_it_puts_the_ride_on_a_vehicle_plan(self):
        self.book()
        booking = Booking.objects.get()
        plan = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day)
        self.assertEqual([(s["booking"], s["kind"]) for s in plan.stops],
                         [(booking.pk, "pickup"), (booking.pk, "dropoff")])
        self.assertGreater(plan.km_total, 0)

    def test_it_keeps_the_web_rider_for_the_phone_desk_once(self):
        self.book()
        self.book(hh=14)
        self.assertEqual(Rider.objects.filter(area=self.ryotsu, phone="0259-27-1234").count(), 1)

    def test_it_refuses_a_time_outside_the_shifts_with_the_reason(self):
        response = self.book(hh=21)
        booking = Booking.objects.get()
        self.assertEqual(booking.status, Booking.Status.REJECTED)
        page = self.client.get(response["Location"])
        self.assertContains(page, "その時刻に運行する車両がありません（その日の運行時間：08:00–17:00, 09:00–18:00）")
        self.assertIsNone(booking.vehicle)

    def test_it_refuses_a_form_with_a_bad_phone_number_and_books_nothing(self):
        response = self.book(phone="abc")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Booking.objects.exists())

    def test_it_lets_the_rider_cancel_through_the_link(self):
        self.book()
        booking = Booking.objects.get()
        response = self.client.post(reverse("rides:cancel", args=[booking.reference]))
        self.assertRedirects(response, reverse("rides:booking", args=[booking.reference]))
        booking.refresh_from_db()
        self.assertEqual(booking.status, Booking.Status.CANCELLED)
        self.assertEqual(VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day).stops, [])

    def test_it_refuses_to_cancel_twice(self):
        self.book()
        booking = Booking.objects.get()
        self.client.post(reverse("rides:cancel", args=[booking.reference]))
        response = self.client.post(reverse("rides:cancel", args=[booking.reference]))
        self.assertEqual(response.status_code, 409)

    def test_it_hides_a_booking_behind_a_wrong_reference(self):
        self.assertEqual(self.client.get(reverse("rides:booking", args=["not-a-reference"])).status_code, 404)
