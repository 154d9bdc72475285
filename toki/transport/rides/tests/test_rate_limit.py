"""The public booking page's rate limit: per client (toki.lib.client_address) and for everyone together, with a
429 page that says when to try again; nothing is booked over the limit."""

from django.test import override_settings
from django.urls import reverse

from toki.transport.rides.models import Booking
from toki.transport.rides.tests.base import RidesTestCase


@override_settings(TOKI_RIDES_WEB_BOOKINGS_PER_CLIENT=2, TOKI_RIDES_WEB_BOOKINGS_GLOBAL=4)
class WebBookingRateLimitTests(RidesTestCase):
    def book(self, address: str, hh: int = 10, **headers):
        return self.client.post(reverse("rides:book_area", args=["ryotsu"]), self.web_form(hh=hh),
                                REMOTE_ADDR=address, **headers)

    def test_a_client_over_its_limit_gets_a_429_that_says_when_and_nothing_is_booked(self):
        self.assertEqual(self.book("198.51.100.7", 10).status_code, 302)
        self.assertEqual(self.book("198.51.100.7", 11).status_code, 302)
        response = self.book("198.51.100.7", 12)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "予約の申し込みが多すぎます", status_code=429)
        self.assertContains(response, "分後）にもう一度お試しください", status_code=429)
        self.assertContains(response, self.ryotsu.phone_number, status_code=429)
        self.assertTrue(0 < int(response["Retry-After"]) <= 600)
        self.assertEqual(Booking.objects.count(), 2)
        self.assertEqual(self.book("203.0.113.9", 12).status_code, 302)  # another client is not held up

    def test_a_forged_forwarded_for_header_does_not_make_a_new_client(self):
        for i in range(2):
            self.book("198.51.100.7", 10 + i, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
        self.assertEqual(self.book("198.51.100.7", 13, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code, 429)

    def test_everyone_together_has_a_budget(self):
        for i in range(4):
            self.assertEqual(self.book(f"198.51.100.{i}", 9 + i).status_code, 302)
        self.assertEqual(self.book("198.51.100.200", 14).status_code, 429)
        self.assertEqual(Booking.objects.count(), 4)

    def test_an_invalid_form_is_not_counted(self):
        for _ in range(3):
            data = self.web_form()
            data["phone"] = "abc"
            self.client.post(reverse("rides:book_area", args=["ryotsu"]), data, REMOTE_ADDR="198.51.100.7")
        self.assertEqual(self.book("198.51.100.7").status_code, 302)
