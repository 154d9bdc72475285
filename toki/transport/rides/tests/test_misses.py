"""No-show and late-cancellation rules (BookingRule.no_show_limit): at the limit the rider's web and LINE
self-booking stops, the phone desk still books, sees why and lifts it, everything audited."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.transport.rides import actions
from toki.transport.rides.models import Booking, BookingRule, SelfBookingSuspension
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local

STOPPED = "ウェブとLINEでのご予約を停止しています"


class MissTests(RidesTestCase):
    NAME, PHONE = "佐渡 花子", "0259-27-1234"

    def setUp(self):
        super().setUp()
        self.rider = actions.rider_for_web(area=self.ryotsu, name=self.NAME, phone=self.PHONE)

    def past_ride(self, days_ago: int, hh: int = 10) -> Booking:
        """A ride booked for a day that has passed (its promised window closed)."""
        day = timezone.localdate() - timedelta(days=days_ago)
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-office")),
                              destination=Place.of(self.point("ryotsu-hospital")),
                              earliest_pickup=local(day, hh), latest_arrival=None)
        answer = actions.book_ride(acting_user=None, request=request, channel="web", rider=self.rider,
                                   now=local(day, 6))
        self.assertEqual(answer.booking.status, Booking.Status.ACCEPTED, answer.booking.reason)
        return answer.booking

    def open_day_ago(self, days: int) -> int:
        """A day in the past on which the demo runs (Monday to Saturday), `days` back or earlier."""
        while (timezone.localdate() - timedelta(days=days)).isoweekday() == 7:
            days += 1
        return days

    def desk_no_show(self, booking: Booking):
        self.login(self.bob)
        response = self.client.post(reverse("rides:booking_no_show", args=["ryotsu", booking.pk]))
        self.assertEqual(response.status_code, 302)
        self.client.logout()

    def web_book(self, name=NAME, phone=PHONE) -> Booking:
        response = self.client.post(reverse("rides:book_area", args=["ryotsu"]), self.web_form(name=name, phone=phone))
        self.assertEqual(response.status_code, 302)
        return Booking.objects.latest("pk")

    def miss_three_times(self):
        first = self.open_day_ago(1)
        for days in (first, self.open_day_ago(first + 1), self.open_day_ago(self.open_day_ago(first + 1) + 1)):
            self.desk_no_show(self.past_ride(days))

    def test_three_no_shows_stop_web_booking_with_the_reason_in_japanese(self):
        self.miss_three_times()
        booking = self.web_book()
        self.assertEqual(booking.status, Booking.Status.REJECTED)
        self.assertIn(STOPPED, booking.reason)
        self.assertIn(self.ryotsu.phone_number, booking.reason)
        page = self.client.get(reverse("rides:booking", args=[booking.reference]))
        self.assertContains(page, STOPPED)
        suspension = SelfBookingSuspension.objects.get(rider=self.rider)
        self.assertEqual(len(suspension.counted), 3)
        self.assertTrue(AuditEvent.objects.filter(action="rides.self_booking_stopped").exists())

    def test_two_no_shows_do_not(self):
        first = self.open_day_ago(1)
        self.desk_no_show(self.past_ride(first))
        self.desk_no_show(self.past_ride(self.open_day_ago(first + 1)))
        self.assertEqual(self.web_book().status, Booking.Status.ACCEPTED)

    def test_no_shows_older_than_the_period_do_not_count(self):
        rule = self.ryotsu.booking_rule
        rule.no_show_period_days = 30
        rule.save()
        old = self.open_day_ago(40)
        self.desk_no_show(self.past_ride(old))
        self.desk_no_show(self.past_ride(self.open_day_ago(old + 1)))
        self.desk_no_show(self.past_ride(self.open_day_ago(1)))
        self.assertFalse(SelfBookingSuspension.objects.exists())
        self.assertEqual(self.web_book().status, Booking.Status.ACCEPTED)

    def test_another_name_with_the_same_phone_is_still_stopped_and_so_is_line(self):
        self.miss_three_times()
        self.assertIn(STOPPED, self.web_book(name="さど はなこ").reason)
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("aiport")),
                              destination=Place.of(self.point("ryotsu-gym")),
                              earliest_pickup=local(self.day, 11), latest_arrival=None)
        answer = actions.book_ride(acting_user=None, request=request, channel="line", rider=self.rider)
        self.assertEqual(answer.booking.status, Booking.Status.REJECTED)

    def test_the_desk_still_books_sees_why_and_lifts_it_with_a_note(self):
        self.miss_three_times()
        self.login(self.bob)
        rider_url = reverse("rides:rider", args=["ryotsu", self.rider.pk])
        page = self.client.get(rider_url)
        self.assertContains(page, "ウェブ・LINEでの予約を停止中")
        self.assertContains(page, "無断不乗車")
        data = self.web_form()
        data.pop("name"), data.pop("phone")
        self.client.post(rider_url, data)
        self.assertEqual(Booking.objects.latest("pk").status, Booking.Status.ACCEPTED)
        suspension = SelfBookingSuspension.objects.get()
        lift_url = reverse("rides:suspension_lift", args=["ryotsu", self.rider.pk, suspension.pk])
        self.client.post(lift_url, {"note": " "})
        suspension.refresh_from_db()
        self.assertIsNone(suspension.lifted_at)  # a lift needs a reason
        self.assertRedirects(self.client.post(lift_url, {"note": "電話で本人と確認"}), rider_url)
        suspension.refresh_from_db()
        self.assertEqual((suspension.lifted_by, suspension.lift_note), (self.bob, "電話で本人と確認"))
        self.assertTrue(AuditEvent.objects.filter(action="rides.self_booking_lifted").exists())
        self.assertContains(self.client.get(rider_url), "電話で本人と確認")  # the history stays
        self.client.logout()
        self.assertEqual(self.web_book(phone="0259271234").status, Booking.Status.ACCEPTED)

    def test_another_branch_office_cannot_lift_it(self):
        self.miss_three_times()
        suspension = SelfBookingSuspension.objects.get()
        self.login(self.carol)
        response = self.client.post(reverse("rides:suspension_lift", args=["ryotsu", self.rider.pk, suspension.pk]),
                                    {"note": "x"})
        self.assertEqual(response.status_code, 404)
        suspension.refresh_from_db()
        self.assertIsNone(suspension.lifted_at)

    def cancel_late_twice(self):
        """The rider cancels through the booking's link ten minutes before the pickup (the action the link calls,
        at that moment)."""
        for hh in (10, 14):
            booking = self._future_ride(self.day, hh)
            late = booking.planned_pickup - timedelta(minutes=10)
            cancelled = actions.cancel_booking(acting_user=None, booking=booking, by_rider=True, now=late)
            self.assertTrue(cancelled.cancelled_late)

    def test_late_cancellations_count_when_the_rule_says(self):
        BookingRule.objects.filter(area=self.ryotsu).update(late_cancel_counts=True, no_show_limit=2)
        self.cancel_late_twice()
        self.assertIn(STOPPED, self.web_book().reason)

    def test_late_cancellations_do_not_count_by_default(self):
        BookingRule.objects.filter(area=self.ryotsu).update(no_show_limit=2)
        self.cancel_late_twice()
        self.assertEqual(self.web_book().status, Booking.Status.ACCEPTED)

    def _future_ride(self, day, hh) -> Booking:
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("aiport")),
                              destination=Place.of(self.point("ryotsu-gym")),
                              earliest_pickup=local(day, hh), latest_arrival=None)
        return actions.book_ride(acting_user=None, request=request, channel="web", rider=self.rider).booking
