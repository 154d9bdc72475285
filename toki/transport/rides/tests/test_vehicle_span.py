"""A vehicle out of service for a span of days (docs/rides.md, "Out of service for a span of days"): on 運行設定 bob
takes a vehicle out from a first to a last day with the reason; its rides booked on those days move onto the other
vehicles inside their promises, or are cancelled by the service and their riders told; nothing on those days uses
it afterwards (a booking, the re-optimiser, the driver's tablet, the 運行率), and after the last day it takes rides
again with no action. The board lists it with the way back; a span is ended early or removed before it starts."""

import csv
import io
import re
from datetime import timedelta

from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override
from freezegun import freeze_time

from toki.accounts.models import AuditEvent
from toki.transport.rides import actions
from toki.transport.rides.models import Booking, Vehicle, VehicleDay, VehicleOutOfService
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import local, service_day
from toki.transport.rides.tests.tablet import Tablet
from toki.transport.rides.tests.test_concurrency import assert_plans_consistent
from toki.transport.rides.tests.test_reminders import HANAKO, RemindersTestCase


def ja(message: str, **values) -> str:
    """A message as the Japanese page shows it (HTML-escaped)."""
    with override("ja"):
        return escape(gettext(message) % values if values else gettext(message))


class SpanCase(RemindersTestCase):
    """Today (`self.day`, 06:00) and the next three service days d1, d2 and `after`; a ride at 10:00 on today, d1
    (a LINE rider's) and `after`, all on one vehicle, as on quiet days: bob takes it out for d1–d2."""

    def setUp(self):
        super().setUp()
        self.d1 = service_day(self.day)
        self.d2 = service_day(self.d1)
        self.after = service_day(self.d2)
        self.today_ride = self.book_on(self.day, 10)
        self.span_ride = self.book_on(self.d1, 10, rider=self.line_rider(HANAKO, "佐渡 花子"),
                                      channel=Booking.Channel.LINE)
        self.after_ride = self.book_on(self.after, 10)
        self.vehicle = self.today_ride.vehicle
        self.assertEqual({self.span_ride.vehicle, self.after_ride.vehicle}, {self.vehicle})
        self.others = list(Vehicle.objects.filter(area=self.ryotsu, active=True).exclude(pk=self.vehicle.pk))
        self.login(self.bob)

    def book_on(self, day, hh: int, *, rider=None, channel=Booking.Channel.WEB, now=None) -> Booking:
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-office")),
                              destination=Place.of(self.point("ryotsu-hospital")),
                              earliest_pickup=local(day, hh), latest_arrival=None)
        booking = actions.book_ride(acting_user=None, request=request, channel=channel, rider=rider,
                                    now=now or local(self.day, 5)).booking
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        return booking

    def post(self, url: str, data: dict, at, user=None):
        """A POST by `user` (bob) at `at`; the tasks after the commit (the LINE push) run next."""
        with self.captureOnCommitCallbacks() as callbacks, freeze_time(at):
            self.client.force_login(user or self.bob)
            response = self.client.post(url, data)
        with self.captureOnCommitCallbacks(execute=True):
            for callback in callbacks:
                callback()
        return response

    def take_out(self, vehicle=None, at=None, user=None, **fields):
        """「運休にする」 on 運行設定 with the span's fields (first_day, last_day, note)."""
        vehicle = vehicle or self.vehicle
        return self.post(reverse("rides:vehicle_status", args=["ryotsu", vehicle.code]),
                         {"active": "0", **fields}, at or local(self.day, 6), user)

    def take_out_d1_d2(self, **fields):
        return self.take_out(first_day=self.d1.isoformat(), last_day=self.d2.isoformat(), note="車両損傷", **fields)

    def bring_back(self, span, at, user=None, **fields):
        return self.post(reverse("rides:vehicle_span_end", args=["ryotsu", span.vehicle.code, span.pk]), fields,
                         at, user)

    def get(self, url: str, at, user=None, **params):
        with freeze_time(at):
            self.client.force_login(user or self.bob)
            return self.client.get(url, params)

    def web_book(self, day, hh: int, address: str) -> Booking:
        """A rider's booking on the public web page."""
        with freeze_time(local(self.day, 6, 30)):
            self.client.logout()
            response = self.client.post(reverse("rides:book_area", args=["ryotsu"]),
                                        self.web_form(day=day, hh=hh), REMOTE_ADDR=address)
        booking = Booking.objects.latest("pk")
        self.assertRedirects(response, reverse("rides:booking", args=[booking.reference]),
                             fetch_redirect_response=False)
        return booking

    def ride(self, booking: Booking) -> Booking:
        return Booking.objects.get(pk=booking.pk)

    def assert_field_error(self, response, field: str, message: str | None = None) -> None:
        """The form's `field` of the vehicle's row marked invalid, with `message` on the page."""
        html = response.content.decode()
        self.assertRegex(html, rf'<input[^>]*aria-invalid="true"[^>]*id="{re.escape(self.vehicle.code)}-{field}"')
        if message is not None:
            self.assertIn(message, html)


class TakeOutForSpanTests(SpanCase):
    def test_its_rides_on_the_span_days_move_within_their_promises_and_the_others_stay(self):
        promise = (self.span_ride.promised_pickup_from, self.span_ride.promised_pickup_until)
        response = self.take_out_d1_d2()
        self.assertRedirects(response, reverse("rides:service", args=["ryotsu"]), fetch_redirect_response=False)
        moved = self.ride(self.span_ride)
        self.assertEqual(moved.status, Booking.Status.ACCEPTED)
        self.assertNotEqual(moved.vehicle, self.vehicle)
        self.assertEqual((moved.promised_pickup_from, moved.promised_pickup_until), promise)
        self.assertTrue(promise[0] <= moved.planned_pickup <= promise[1])
        self.assertIn(self.vehicle.pk, moved.earlier_vehicles)
        for outside in (self.today_ride, self.after_ride):  # today and the day after the span: untouched
            self.assertEqual((self.ride(outside).vehicle, self.ride(outside).status),
                             (self.vehicle, Booking.Status.ACCEPTED))
        self.assertFalse(VehicleDay.objects.filter(vehicle=self.vehicle, day__in=(self.d1, self.d2)).exists())
        for day in (self.day, self.d1, self.after):
            assert_plans_consistent(self, day)
        self.assertEqual(self.pushes(HANAKO), [])  # moved inside the promise: nothing to tell
        span = VehicleOutOfService.objects.get(vehicle=self.vehicle)
        self.assertEqual((span.first_day, span.last_day, span.note, span.created_by), (self.d1, self.d2, "車両損傷",
                                                                                       self.bob))
        record = AuditEvent.objects.get(action="rides.vehicle_span_added")
        self.assertEqual((record.changes["moved"], record.changes["cancelled"]), ([self.span_ride.pk], []))
        # 運行設定 says it, with the way back; the vehicle is in service today.
        page = self.get(reverse("rides:service", args=["ryotsu"]), local(self.day, 6, 5))
        self.assertContains(page, f"{self.d1.isoformat()}–{self.d2.isoformat()}")
        self.assertContains(page, "車両損傷")
        self.assertContains(page, reverse("rides:vehicle_span_end", args=["ryotsu", self.vehicle.code, span.pk]))
        # The board of a span day lists it with its reason, its days and 「運行に戻す」; today's does not.
        board = self.get(reverse("rides:board", args=["ryotsu"]), local(self.day, 6, 5), day=self.d1.isoformat())
        self.assertContains(board, f'id="out-{self.vehicle.code}"')
        self.assertContains(board, "車両損傷")
        self.assertContains(board, f"{self.d1.isoformat()}～{self.d2.isoformat()} 運休")
        self.assertContains(board, reverse("rides:vehicle_span_end", args=["ryotsu", self.vehicle.code, span.pk]))
        today = self.get(reverse("rides:board", args=["ryotsu"]), local(self.day, 6, 5))
        self.assertNotContains(today, f'id="out-{self.vehicle.code}"')

    def test_no_booking_nor_the_reoptimiser_puts_a_span_day_ride_on_it_and_after_the_span_it_runs(self):
        self.take_out_d1_d2()
        on_span_days = [self.web_book(day, hh, f"198.51.100.{i}")
                        for i, (day, hh) in enumerate((d, h) for d in (self.d1, self.d2) for h in (9, 11, 13, 15))]
        for booking in on_span_days:
            booking.refresh_from_db()
            self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
            self.assertNotEqual(booking.vehicle, self.vehicle)
        page = self.get(reverse("rides:booking", args=[on_span_days[0].reference]), local(self.day, 6, 31))
        self.assertContains(page, on_span_days[0].promised_pickup_from.astimezone().strftime("%H:%M"))
        with freeze_time(local(self.day, 7)):
            call_command("rides_reoptimise", seconds=5, iterations=300, stdout=io.StringIO())
        self.assertFalse(VehicleDay.objects.filter(vehicle=self.vehicle, day__in=(self.d1, self.d2)).exists())
        for day in (self.d1, self.d2):
            assert_plans_consistent(self, day)
            self.assertFalse(Booking.objects.filter(service_date=day, vehicle=self.vehicle,
                                                    status=Booking.Status.ACCEPTED).exists())
        # The driver's tablet of the vehicle has no plan on a span day.
        tablet = Tablet(self.vehicle, self.bob)
        with freeze_time(local(self.d1, 7)):
            plan = tablet.client.get(reverse("rides:driver_plan")).json()
        self.assertEqual((plan["stops"], plan["shift"]), ([], None))
        self.assertEqual(plan["out_of_service"], {"first_day": self.d1.isoformat(), "last_day": self.d2.isoformat(),
                                                  "note": "車両損傷"})
        # After the last day it takes rides again, with no action.
        after = [self.web_book(self.after, hh, f"203.0.113.{hh}") for hh in (8, 9, 11, 12, 14, 16)]
        self.assertIn(self.vehicle.pk, {self.ride(b).vehicle_id for b in after})

    def test_a_ride_no_other_vehicle_can_take_is_cancelled_and_its_rider_told(self):
        for other in self.others:  # the others are out on d1 too (no ride booked on them)
            self.assertEqual(self.take_out(other, first_day=self.d1.isoformat(), last_day=self.d1.isoformat(),
                                           note="車検").status_code, 302)
        response = self.take_out(first_day=self.d1.isoformat(), last_day=self.d2.isoformat(),
                                 note="土砂崩れで道路が不通")
        self.assertRedirects(response, f"{reverse('rides:calls', args=['ryotsu'])}?day={self.d1.isoformat()}",
                             fetch_redirect_response=False)
        cancelled = self.ride(self.span_ride)
        self.assertEqual((cancelled.status, cancelled.cancelled_by_service, cancelled.cancelled_late),
                         (Booking.Status.CANCELLED, True, False))
        [push] = self.pushes(HANAKO)
        self.assertIn("土砂崩れ", push)
        page = self.get(reverse("rides:booking", args=[cancelled.reference]), local(self.day, 6, 5))
        self.assertContains(page, "土砂崩れ")
        self.assertEqual(self.ride(self.after_ride).status, Booking.Status.ACCEPTED)
        # No vehicle runs on d1 now: a booking for it is refused with the reason.
        refused = self.web_book(self.d1, 11, "198.51.100.99")
        self.assertEqual(self.ride(refused).status, Booking.Status.REJECTED)
        self.assert_all_requests_valid()

    def test_a_span_from_today_withdraws_todays_plan_and_the_board_says_it(self):
        response = self.take_out(first_day=self.day.isoformat(), last_day=self.d1.isoformat(), note="事故")
        self.assertRedirects(response, reverse("rides:service", args=["ryotsu"]), fetch_redirect_response=False)
        plan = VehicleDay.objects.get(vehicle=self.vehicle, day=self.day)
        self.assertEqual((plan.stops, plan.withdrawn_note), ([], "事故"))
        for booking in (self.today_ride, self.span_ride):
            self.assertNotEqual(self.ride(booking).vehicle, self.vehicle)
        board = self.get(reverse("rides:board", args=["ryotsu"]), local(self.day, 6, 5))
        self.assertContains(board, f'id="out-{self.vehicle.code}"')
        # The day's 「今日の運行を再開する」 is not offered for it: the span's way back is.
        self.assertNotContains(board, reverse("rides:vehicle_reinstate", args=["ryotsu", self.vehicle.code]))
        refused = self.post(reverse("rides:vehicle_reinstate", args=["ryotsu", self.vehicle.code]), {},
                            local(self.day, 6, 6))
        self.assertEqual(refused.status_code, 302)
        self.assertIsNotNone(VehicleDay.objects.get(pk=plan.pk).withdrawn_at)

    def test_the_operation_rate_does_not_schedule_the_span_days(self):
        def scheduled(day) -> int:
            response = self.get(reverse("rides:kpi_csv", args=["ryotsu"]), local(self.day, 6, 10),
                                month=day.strftime("%Y-%m"))
            rows = list(csv.DictReader(io.StringIO(response.content.decode())))
            return int(next(r for r in rows if r["start"] == day.isoformat())["scheduled_vehicle_days"])

        before = scheduled(self.d1)
        self.take_out_d1_d2()
        self.assertEqual(scheduled(self.d1), before - 1)
        self.assertEqual(scheduled(self.after), before)


class SpanRefusalTests(SpanCase):
    def assert_nothing_changed(self, spans: int = 0):
        self.assertEqual(VehicleOutOfService.objects.count(), spans)
        self.assertEqual(self.ride(self.span_ride).vehicle, self.vehicle)

    def test_an_overlapping_span_is_refused_on_the_first_day_field(self):
        self.take_out(first_day=self.d2.isoformat(), last_day=self.after.isoformat(), note="車検")
        self.assertEqual(VehicleOutOfService.objects.count(), 1)
        refused = self.take_out_d1_d2()
        self.assertEqual(refused.status_code, 409)
        self.assert_field_error(refused, "first_day")
        self.assertContains(refused, "車検", status_code=409)  # the span it overlaps, named
        self.assert_nothing_changed(spans=1)
        open_ended = self.take_out(first_day=self.d1.isoformat(), note="車両損傷")  # until brought back: overlaps too
        self.assertEqual(open_ended.status_code, 409)
        self.assert_nothing_changed(spans=1)

    def test_days_in_the_past_in_the_wrong_order_or_not_dates_and_no_reason_are_refused_on_their_fields(self):
        yesterday = (self.day - timedelta(days=1)).isoformat()
        cases = [
            ({"first_day": yesterday, "last_day": self.d1.isoformat(), "note": "故障"}, "first_day",
             ja("The first day has passed: give today (%(today)s) or a later day.", today=self.day.isoformat())),
            ({"first_day": self.d2.isoformat(), "last_day": self.d1.isoformat(), "note": "故障"}, "last_day",
             ja("The last day is before the first day (%(day)s).", day=self.d2.isoformat())),
            ({"first_day": self.d1.isoformat(), "last_day": "2026-13-45", "note": "故障"}, "last_day",
             ja("Enter a valid date.")),
            ({"first_day": self.d1.isoformat(), "last_day": self.d2.isoformat(), "note": " "}, "note",
             ja("Give the reason (e.g. 故障): riders whose ride is cancelled are told it.")),
        ]
        for fields, field, message in cases:
            with self.subTest(field=field, fields=fields):
                response = self.take_out(**fields)
                self.assertIn(response.status_code, (200, 409))
                self.assert_field_error(response, field, message)
                self.assert_nothing_changed()
        self.assertFalse(AuditEvent.objects.filter(action="rides.vehicle_span_added").exists())

    def test_an_outsider_can_neither_take_it_out_nor_bring_it_back(self):
        self.assertEqual(self.take_out_d1_d2(user=self.eve).status_code, 404)
        self.assert_nothing_changed()
        self.take_out_d1_d2()
        span = VehicleOutOfService.objects.get()
        self.assertEqual(self.bring_back(span, local(self.day, 7), user=self.eve).status_code, 404)
        self.assertTrue(VehicleOutOfService.objects.filter(pk=span.pk).exists())
        board = self.get(reverse("rides:board", args=["ryotsu"]), local(self.day, 7), user=self.eve,
                         day=self.d1.isoformat())
        self.assertEqual(board.status_code, 404)


class EndSpanTests(SpanCase):
    def test_a_span_not_begun_is_removed_and_the_moved_rides_stay(self):
        self.take_out_d1_d2()
        span = VehicleOutOfService.objects.get()
        moved_to = self.ride(self.span_ride).vehicle
        response = self.bring_back(span, local(self.day, 8))
        self.assertRedirects(response, reverse("rides:service", args=["ryotsu"]), fetch_redirect_response=False)
        self.assertFalse(VehicleOutOfService.objects.exists())
        self.assertEqual(AuditEvent.objects.filter(action="rides.vehicle_span_removed").count(), 1)
        self.assertEqual(self.ride(self.span_ride).vehicle, moved_to)
        board = self.get(reverse("rides:board", args=["ryotsu"]), local(self.day, 8, 1), day=self.d1.isoformat())
        self.assertNotContains(board, f'id="out-{self.vehicle.code}"')
        later = [self.web_book(self.d1, hh, f"203.0.113.{hh}") for hh in (8, 9, 11, 12, 14, 16)]
        self.assertIn(self.vehicle.pk, {self.ride(b).vehicle_id for b in later})

    def test_ended_early_from_the_board_it_runs_from_that_day_and_the_past_days_stay_recorded(self):
        self.take_out(first_day=self.day.isoformat(), last_day=self.d2.isoformat(), note="車両損傷")
        span = VehicleOutOfService.objects.get()
        board = self.get(reverse("rides:board", args=["ryotsu"]), local(self.d1, 7))
        self.assertContains(board, f'id="out-{self.vehicle.code}"')
        response = self.bring_back(span, local(self.d1, 7, 5), next="board")
        self.assertRedirects(response, reverse("rides:board", args=["ryotsu"]), fetch_redirect_response=False)
        span.refresh_from_db()
        self.assertEqual((span.first_day, span.last_day), (self.day, self.d1 - timedelta(days=1)))
        self.assertEqual(AuditEvent.objects.filter(action="rides.vehicle_span_ended").count(), 1)
        board = self.get(reverse("rides:board", args=["ryotsu"]), local(self.d1, 7, 6))
        self.assertNotContains(board, f'id="out-{self.vehicle.code}"')
        booked = [self.book_on(self.d1, hh, now=local(self.d1, 7, 10)) for hh in (9, 10, 11, 13, 14, 16)]
        self.assertIn(self.vehicle.pk, {b.vehicle_id for b in booked})
        # Twice: the span is over, said, nothing changes.
        self.bring_back(span, local(self.d1, 7, 20))
        span.refresh_from_db()
        self.assertEqual(span.last_day, self.d1 - timedelta(days=1))

    def test_a_span_begun_today_ended_today_reopens_todays_plan(self):
        self.take_out(first_day=self.day.isoformat(), last_day=self.d1.isoformat(), note="事故")
        span = VehicleOutOfService.objects.get()
        self.bring_back(span, local(self.day, 9))
        self.assertFalse(VehicleOutOfService.objects.exists())
        plan = VehicleDay.objects.get(vehicle=self.vehicle, day=self.day)
        self.assertEqual((plan.withdrawn_at, plan.withdrawn_note), (None, ""))
        booked = [self.book_on(self.day, hh, now=local(self.day, 9, 5)) for hh in (11, 12, 13, 14, 15, 16)]
        self.assertIn(self.vehicle.pk, {b.vehicle_id for b in booked})


class BoardListsRetiredVehicleTests(SpanCase):
    def test_a_vehicle_out_until_brought_back_is_listed_with_its_reason_and_brought_back_from_the_board(self):
        self.take_out(note="車両損傷", move_booked="1")  # no day: until brought back, as before
        self.assertFalse(Vehicle.objects.get(pk=self.vehicle.pk).active)
        board = self.get(reverse("rides:board", args=["ryotsu"]), local(self.d1, 7))
        self.assertContains(board, f'id="out-{self.vehicle.code}"')
        self.assertContains(board, "車両損傷")
        self.assertContains(board, self.day.isoformat())  # since
        # Its driver's tablet says so instead of an empty plan.
        with freeze_time(local(self.d1, 7)):
            plan = Tablet(self.vehicle, self.bob).client.get(reverse("rides:driver_plan")).json()
        self.assertEqual(plan["out_of_service"], {"first_day": None, "last_day": None, "note": ""})
        back = self.post(reverse("rides:vehicle_status", args=["ryotsu", self.vehicle.code]),
                         {"active": "1", "next": "board"}, local(self.d1, 7, 5))
        self.assertRedirects(back, reverse("rides:board", args=["ryotsu"]), fetch_redirect_response=False)
        self.assertTrue(Vehicle.objects.get(pk=self.vehicle.pk).active)
        board = self.get(reverse("rides:board", args=["ryotsu"]), local(self.d1, 7, 6))
        self.assertNotContains(board, f'id="out-{self.vehicle.code}"')

    def test_a_vehicle_set_out_of_service_without_a_reason_is_listed_without_one(self):
        for other in self.others[:1]:
            self.take_out(other)  # plain 「運休にする」: no ride on it
            board = self.get(reverse("rides:board", args=["ryotsu"]), local(self.day, 7))
            self.assertContains(board, f'id="out-{other.code}"')
            self.assertContains(board, reverse("rides:vehicle_status", args=["ryotsu", other.code]))
