"""Reminders (docs/rides.md, "Reminders"): `manage.py rides_remind` hands notify a personal announcement per booking
and kind; the local LINE server receives it once, however often the job runs; a cancelled booking gets none; riders
LINE cannot reach are on the phone desk's evening list instead."""

from datetime import time, timedelta
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from toki.areas.models import Municipality
from toki.linebot.tests.line_webhook_support import LineWebhookTestCase
from toki.notify.actions import subscriptions
from toki.notify.line.localserver import LocalLineServer
from toki.notify.models import Notification
from toki.transport.rides import actions, actions_line
from toki.transport.rides.models import Booking, VehicleDay
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local

HANAKO = "U" + "c3" * 16
JIRO = "U" + "d4" * 16


class RemindersTestCase(LineWebhookTestCase, RidesTestCase):
    line: LocalLineServer  # LineWebhookTestCase.setUpClass
    municipality: Municipality  # BaseTestCase.setUpTestData

    def line_rider(self, user_id: str, name: str, language: str = "ja"):
        subscriber, _created = subscriptions.follow_line_user(municipality=self.municipality, user_id=user_id)
        if language != subscriber.language:
            subscriptions.update_subscription(subscriber=subscriber, via="line", language=language)
        return actions_line.link_line_rider(area=self.ryotsu, subscriber_id=subscriber.pk, name=name,
                                            phone="0259-27-1234")

    def book(self, rider, hh: int, channel: str = Booking.Channel.LINE) -> Booking:
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-office")),
                              destination=Place.of(self.point("ryotsu-hospital")),
                              earliest_pickup=local(self.day, hh), latest_arrival=None)
        booking = actions.book_ride(acting_user=None, request=request, channel=channel, rider=rider).booking
        self.assertEqual(booking.status, Booking.Status.ACCEPTED)
        return booking

    def remind(self, at) -> str:
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("rides_remind", now=timezone.localtime(at).isoformat(), stdout=out)
        return out.getvalue()

    def pushes(self, user_id: str) -> list[str]:
        return [m["text"] for d in self.line.received.get(user_id, []) if d.operation == "multicast"
                for m in d.messages or ()]


class EveningReminderTests(RemindersTestCase):
    def evening_before(self, hh: int = 18, mm: int = 30):
        return local(self.day - timedelta(days=1), hh, mm)

    def test_the_evening_before_each_line_rider_is_reminded_once_even_when_the_job_runs_twice(self):
        booking = self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        self.remind(self.evening_before())
        self.remind(self.evening_before(19, 0))  # the job again (or a second worker): nothing more
        pushes = self.pushes(HANAKO)
        self.assertEqual(len(pushes), 1, pushes)
        window = f"{timezone.localtime(booking.promised_pickup_from):%H:%M}から"
        self.assertIn("のりあい交通のご予約", pushes[0])
        self.assertIn(window, pushes[0])
        self.assertIn("市役所両津支所", pushes[0])
        self.assertIn(reverse("rides:booking", args=[booking.reference]), pushes[0])
        self.assertEqual(Notification.objects.filter(source_key=f"rides_reminder:evening:{booking.pk}").count(), 1)
        self.assert_all_requests_valid()

    def test_nothing_is_sent_before_the_evening_time(self):
        self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        self.remind(self.evening_before(17, 59))
        self.assertEqual(self.pushes(HANAKO), [])

    @override_settings(TOKI_RIDES_REMIND_EVENING=time(16, 0))
    def test_the_evening_time_is_a_setting(self):
        self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        self.remind(self.evening_before(16, 5))
        self.assertEqual(len(self.pushes(HANAKO)), 1)

    def test_a_cancelled_booking_gets_no_reminder(self):
        booking = self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        actions.cancel_booking(acting_user=None, booking=booking, by_rider=True)
        self.remind(self.evening_before())
        self.assertEqual(self.pushes(HANAKO), [])

    def test_a_rider_who_blocked_the_account_is_on_the_phone_desks_list_instead(self):
        self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        subscriptions.unfollow_line_user(user_id=HANAKO)
        phone_rider = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎", phone="0259-23-0000")
        self.book(phone_rider, 11, channel=Booking.Channel.PHONE)
        self.remind(self.evening_before())
        self.assertEqual(self.pushes(HANAKO), [])
        self.login(self.bob)
        url = reverse("rides:calls", args=["ryotsu"])
        page = self.client.get(url, {"day": self.day.isoformat()})
        self.assertContains(page, "両津 太郎")
        self.assertContains(page, "佐渡 花子")
        self.assertContains(page, "あと2人に電話してください")
        called = Booking.objects.get(rider=phone_rider)
        response = self.client.post(reverse("rides:called", args=["ryotsu", called.pk]))
        self.assertRedirects(response, f"{url}?day={self.day.isoformat()}")
        self.assertContains(self.client.get(url, {"day": self.day.isoformat()}), "あと1人に電話してください")

    def test_a_line_rider_is_not_on_the_call_list_and_outsiders_see_no_list(self):
        self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        self.login(self.bob)
        page = self.client.get(reverse("rides:calls", args=["ryotsu"]), {"day": self.day.isoformat()})
        self.assertNotContains(page, "佐渡 花子")
        self.login(self.eve)
        self.assertEqual(self.client.get(reverse("rides:calls", args=["ryotsu"])).status_code, 404)

    def test_each_rider_reads_it_in_their_language(self):
        self.book(self.line_rider(JIRO, "Jiro Sado", language="en"), 10)
        self.remind(self.evening_before())
        self.assertIn(f"Reminder: your shared ride Tomorrow {self.day:%a}", self.pushes(JIRO)[0])

    def test_a_malformed_time_is_refused_with_the_reason(self):
        with self.assertRaisesMessage(CommandError, "needs its UTC offset"):
            call_command("rides_remind", now="2026-12-07T18:30")


class NearReminderTests(RemindersTestCase):
    def place_vehicle(self, booking: Booking, *, km_north: float, seen_before) -> VehicleDay:
        """Where the driver's tablet last reported the vehicle (VehicleDay.last_lat/lon, last_seen_at)."""
        plan = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day)
        plan.last_lat, plan.last_lon = booking.origin_lat + km_north / 111.0, booking.origin_lon
        plan.last_seen_at = seen_before
        plan.save(update_fields=["last_lat", "last_lon", "last_seen_at"])
        return plan

    def test_the_rider_is_told_once_when_the_vehicle_is_near(self):
        booking = self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        now = booking.planned_pickup - timedelta(minutes=8)
        self.place_vehicle(booking, km_north=6.0, seen_before=now - timedelta(minutes=1))  # ~16 minutes away
        self.remind(now)
        self.assertEqual(self.pushes(HANAKO), [])
        self.place_vehicle(booking, km_north=2.0, seen_before=now)  # ~5 minutes away
        self.remind(now)
        self.remind(now + timedelta(minutes=1))
        pushes = self.pushes(HANAKO)
        self.assertEqual(len(pushes), 1, pushes)
        self.assertIn("お迎えの車があと約5分で着きます", pushes[0])
        self.assertIn("市役所両津支所でお待ちください", pushes[0])
        self.assert_all_requests_valid()

    def test_an_old_position_tells_nothing(self):
        booking = self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        now = booking.planned_pickup - timedelta(minutes=8)
        self.place_vehicle(booking, km_north=0.5, seen_before=now - timedelta(minutes=20))
        self.remind(now)
        self.assertEqual(self.pushes(HANAKO), [])
