"""The phone desk: saved riders, usual trips, a phone booking that lands on the same plan as a web booking,
cancel and no-show; and who may use it."""

from datetime import timedelta

from django.urls import reverse

from toki.test import PERSONA_PASSWORD
from toki.transport.rides import actions
from toki.transport.rides.models import Booking, Rider, UsualTrip, VehicleDay
from toki.transport.rides.tests.base import RidesTestCase, local


class DeskTests(RidesTestCase):
    def setUp(self):
        super().setUp()
        self.rider = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎",
                                        name_kana="りょうつ たろう", phone="0259-23-0000")

    def desk_url(self, name, *args):
        return reverse(f"rides:{name}", args=["ryotsu", *args])

    def phone_book(self, **fields):
        data = self.web_form(**fields)
        data.pop("name"), data.pop("phone")
        return self.client.post(self.desk_url("rider", self.rider.pk), data)

    def test_it_finds_a_rider_by_reading(self):
        self.login(self.bob)
        response = self.client.get(self.desk_url("desk"), {"q": "りょうつ"})
        self.assertContains(response, "両津 太郎")

    def test_it_adds_a_rider(self):
        self.login(self.bob)
        response = self.client.post(self.desk_url("rider_new"), {"name": "新穂 次郎", "phone": "0259-22-1111"})
        rider = Rider.objects.get(name="新穂 次郎")
        self.assertRedirects(response, self.desk_url("rider", rider.pk))

    def test_it_refuses_a_rider_without_a_phone(self):
        self.login(self.bob)
        response = self.client.post(self.desk_url("rider_new"), {"name": "新穂 次郎", "phone": ""})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Rider.objects.filter(name="新穂 次郎").exists())

    def test_it_saves_a_usual_trip_and_fills_the_form_from_it(self):
        self.login(self.bob)
        self.client.post(self.desk_url("usual_trip_new", self.rider.pk), {
            "label": "通院", "origin": self.point("yoshii-es").pk, "destination": self.point("ryotsu-hospital").pk,
            "usual_time": "09:30"})
        trip = UsualTrip.objects.get(rider=self.rider)
        response = self.client.get(self.desk_url("rider", self.rider.pk), {"trip": trip.pk})
        self.assertContains(response, 'value="09:30:00"')
        self.assertContains(response, f'<option value="{trip.origin_id}" selected>')

    def test_it_books_by_phone_and_answers_at_once(self):
        self.login(self.bob)
        response = self.phone_book()
        booking = Booking.objects.get()
        self.assertEqual((booking.channel, booking.status, booking.rider), ("phone", "accepted", self.rider))
        self.assertContains(response, booking.promised_pickup_until.astimezone().strftime("%H:%M"))

    def test_it_pools_a_phone_and_a_web_booking_on_one_vehicle_plan(self):
        self.client.post(reverse("rides:book_area", args=["ryotsu"]), self.web_form())
        self.login(self.bob)
        self.phone_book()
        web, phone = Booking.objects.order_by("pk")
        self.assertEqual(web.vehicle, phone.vehicle)
        plan = VehicleDay.objects.get(vehicle=web.vehicle, day=self.day)
        self.assertEqual({s["booking"] for s in plan.stops}, {web.pk, phone.pk})

    def test_it_cancels_from_the_desk(self):
        self.login(self.bob)
        self.phone_book()
        booking = Booking.objects.get()
        self.client.post(self.desk_url("booking_cancel", booking.pk))
        booking.refresh_from_db()
        self.assertEqual(booking.status, Booking.Status.CANCELLED)

    def test_it_refuses_a_no_show_before_the_window_has_closed(self):
        self.login(self.bob)
        self.phone_book()
        booking = Booking.objects.get()
        self.client.post(self.desk_url("booking_no_show", booking.pk))
        booking.refresh_from_db()
        self.assertEqual(booking.status, Booking.Status.ACCEPTED)

    def test_it_marks_a_no_show_after_the_window(self):
        self.login(self.bob)
        self.phone_book()
        booking = Booking.objects.get()
        later = booking.promised_pickup_until + timedelta(minutes=1)
        booking = actions.mark_no_show(acting_user=self.bob, booking=booking, now=later)
        self.assertEqual(booking.status, Booking.Status.NO_SHOW)
        self.assertEqual(VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day).stops, [])

    def test_it_refuses_a_booking_with_too_little_notice(self):
        answer = actions.book_ride(acting_user=self.bob, request=_request(self), channel="phone", rider=self.rider,
                                   now=local(self.day, 10, 50))
        self.assertEqual(answer.booking.status, Booking.Status.REJECTED)
        self.assertEqual(answer.booking.reason, "30分以上前にご予約ください。")

    def test_it_refuses_a_prior_day_booking_after_the_cut_off(self):
        rule = self.ryotsu.booking_rule
        rule.kind = rule.Kind.PRIOR_DAY
        rule.save()
        answer = actions.book_ride(acting_user=self.bob, request=_request(self), channel="phone", rider=self.rider,
                                   now=local(self.day, 7) - timedelta(hours=12))
        self.assertEqual(answer.booking.reason, "前日の17:00までにご予約ください。")
        on_time = actions.book_ride(acting_user=self.bob, request=_request(self), channel="phone", rider=self.rider,
                                    now=local(self.day, 7) - timedelta(hours=16))
        self.assertEqual(on_time.booking.status, Booking.Status.ACCEPTED)

    def test_it_refuses_a_phone_booking_by_an_outsider_in_the_action(self):
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            actions.book_ride(acting_user=self.eve, request=_request(self), channel="phone", rider=self.rider)


class DeskAccessTests(RidesTestCase):
    def setUp(self):
        super().setUp()
        self.rider = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎", phone="0259-23-0000")
        answer = actions.book_ride(acting_user=None, request=_request(self), channel="web", rider=self.rider)
        self.booking = answer.booking

    def urls(self):
        return [reverse("rides:desk", args=["ryotsu"]), reverse("rides:rider_new", args=["ryotsu"]),
                reverse("rides:rider", args=["ryotsu", self.rider.pk]), reverse("rides:board", args=["ryotsu"]),
                reverse("rides:kpi_csv", args=["ryotsu"])]

    def test_it_sends_anonymous_visitors_to_log_in(self):
        for url in self.urls():
            self.assertEqual(self.client.get(url).status_code, 302, url)

    def test_it_refuses_an_outsider(self):
        self.login(self.eve)
        for url in [*self.urls(), reverse("rides:desk_index")]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        for name in ("booking_cancel", "booking_no_show"):
            url = reverse(f"rides:{name}", args=["ryotsu", self.booking.pk])
            self.assertEqual(self.client.post(url).status_code, 404, url)
        self.assertEqual(self.client.post(reverse("rides:usual_trip_new", args=["ryotsu", self.rider.pk]),
                                          {}).status_code, 404)
        self.booking.refresh_from_db()
        self.assertEqual(self.booking.status, "accepted")

    def test_it_refuses_the_other_branch_office(self):
        from toki.demo.hq import create_hq_demo_users

        frank = create_hq_demo_users(self.municipality, PERSONA_PASSWORD)["frank"]
        self.login(frank)
        for url in self.urls():
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.get(reverse("rides:desk", args=["aikawa"])).status_code, 200)

    def test_it_lets_hq_run_every_desk(self):
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("rides:desk", args=["aikawa"])).status_code, 200)
        self.assertContains(self.client.get(reverse("rides:desk_index")), "相川地区")


def _request(case):
    from toki.transport.rides.rules import Place, RideRequest

    return RideRequest(area=case.ryotsu, origin=Place.of(case.point("ryotsu-office")),
                       destination=Place.of(case.point("aiport")), earliest_pickup=local(case.day, 11),
                       latest_arrival=None)
