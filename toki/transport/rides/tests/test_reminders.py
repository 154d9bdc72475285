"""Reminders (docs/rides.md, "Reminders"): `manage.py rides_remind` hands notify a personal announcement per booking
and kind; the local LINE server receives it once, however often the job runs; a cancelled booking gets none; riders
LINE cannot reach are on the phone desk's evening list instead."""

import json
import os
import tempfile
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
from toki.transport.rides.tests.tablet import Tablet
from toki.transport.rides.travel import StraightLine

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
    def setUp(self):
        super().setUp()
        self.tablets: dict[int, Tablet] = {}

    def report(self, booking: Booking, lat: float, lon: float, at) -> None:
        """The tablet on board the booking's vehicle reports where it is (POST /rides/driver/position)."""
        self.assertEqual(self.tablet(booking).report_position(lat, lon, at), 202)

    def tablet(self, booking: Booking) -> Tablet:
        """The tablet on board the booking's vehicle (enrolled the first time)."""
        vehicle = booking.vehicle
        assert vehicle is not None, "the booking has no vehicle"
        if vehicle.pk not in self.tablets:
            self.tablets[vehicle.pk] = Tablet(vehicle, self.bob)
        return self.tablets[vehicle.pk]

    def place_vehicle(self, booking: Booking, *, km_north: float, seen_before) -> None:
        """The vehicle `km_north` km north of the booking's pickup, as its tablet reported at `seen_before`."""
        self.report(booking, booking.origin_lat + km_north / 111.0, booking.origin_lon, seen_before)

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

    def test_a_vehicle_running_late_past_the_planned_pickup_still_tells_the_waiting_rider(self):
        """Snow: ten minutes after the planned pickup the vehicle is still some five minutes away."""
        booking = self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        now = booking.planned_pickup + timedelta(minutes=10)
        self.place_vehicle(booking, km_north=2.0, seen_before=now)
        self.remind(now)
        pushes = self.pushes(HANAKO)
        self.assertEqual(len(pushes), 1, pushes)
        self.assertIn("お迎えの車があと約5分で着きます", pushes[0])

    def test_an_hour_past_the_promised_window_it_is_the_desks_call(self):
        booking = self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        now = booking.promised_pickup_until + timedelta(minutes=61)
        self.place_vehicle(booking, km_north=2.0, seen_before=now)
        self.remind(now)
        self.assertEqual(self.pushes(HANAKO), [])

    def test_an_old_position_tells_nothing(self):
        booking = self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        now = booking.planned_pickup - timedelta(minutes=8)
        self.place_vehicle(booking, km_north=0.5, seen_before=now - timedelta(minutes=20))
        self.remind(now)
        self.assertEqual(self.pushes(HANAKO), [])

    def test_a_vehicle_passing_near_on_its_way_to_another_pickup_is_not_near_yet(self):
        """The vehicle leaves the depot at 市役所両津支所 for another rider's pickup at 金井 first: a kilometre from
        this rider's pickup, but some 25 minutes from it along the plan. Once the other rider is on board and the
        vehicle is on its way back, two kilometres out is about five minutes."""
        other = actions.save_rider(acting_user=None, area=self.ryotsu, name="金井 次郎", phone="0259-63-0000")
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("kanai-east-cc")),
                              destination=Place.of(self.point("ryotsu-hospital")),
                              earliest_pickup=local(self.day, 9, 40), latest_arrival=None)
        first = actions.book_ride(acting_user=None, request=request, channel="phone", rider=other).booking
        booking = self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
        plan = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day)
        order = [(s["booking"], s["kind"]) for s in plan.stops]
        # The premise: one vehicle, the other rider picked up first, this rider before anyone is dropped off.
        self.assertEqual(order[:2], [(first.pk, "pickup"), (booking.pk, "pickup")], order)
        office, kanai = self.point("ryotsu-office"), self.point("kanai-east-cc")

        def towards_kanai(share: float) -> tuple[float, float]:
            return office.lat + (kanai.lat - office.lat) * share, office.lon + (kanai.lon - office.lon) * share

        now = local(self.day, 9, 28)
        self.report(booking, *towards_kanai(0.2), now)  # ~1 km out: the straight line would say ~3 minutes
        self.remind(now)
        self.assertEqual(self.pushes(HANAKO), [])
        # 9:43 the other rider boards at 金井 (the tablet's mark); 9:50 the vehicle is ~2 km out on its way back.
        tablet = self.tablet(booking)
        self.assertEqual(tablet.mark("boarded", first, local(self.day, 9, 43))["status"], "applied")
        now = local(self.day, 9, 50)
        self.report(booking, *towards_kanai(0.4), now)
        self.remind(now)
        pushes = self.pushes(HANAKO)
        self.assertEqual(len(pushes), 1, pushes)
        self.assertIn("お迎えの車があと約5分で着きます", pushes[0])

    def test_the_stops_before_the_pickup_count_on_the_travel_source(self):
        """With a matrix file (the meeting points only, its minutes twice the straight line's) the legs between
        stops are the file's; the vehicle's own position is not in the file, so that leg is the straight line's,
        and nothing fails. The vehicle is at 両津消防署, picking up another rider before this one."""
        points = list(self.ryotsu.points.all())
        straight = StraightLine(self.ryotsu.speed_kmh, self.ryotsu.detour_factor).matrix([(p.lat, p.lon)
                                                                                         for p in points])
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({"points": [(p.lat, p.lon) for p in points], "km": straight.km,
                       "minutes": [[m * 2 for m in row] for row in straight.minutes]}, handle)
        self.addCleanup(os.unlink, handle.name)
        other = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 次郎", phone="0259-23-0000")
        with override_settings(TOKI_RIDES_TRAVEL=f"matrix:{handle.name}"):
            first = actions.book_ride(acting_user=None, channel="phone", rider=other, request=RideRequest(
                area=self.ryotsu, origin=Place.of(self.point("ryotsu-fire")),
                destination=Place.of(self.point("ryotsu-hospital")), earliest_pickup=local(self.day, 9, 45),
                latest_arrival=None)).booking
            booking = self.book(self.line_rider(HANAKO, "佐渡 花子"), 10)
            plan = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day)
            self.assertEqual([(s["booking"], s["kind"]) for s in plan.stops][:2],
                             [(first.pk, "pickup"), (booking.pk, "pickup")])
            now = max(first.promised_pickup_from, local(self.day, 9, 45))  # no waiting for the other rider
            fire = self.point("ryotsu-fire")
            self.report(booking, fire.lat + 0.2 / 111, fire.lon, now)  # 200 m short of it: not a listed point
            with self.assertLogs("toki.transport.rides.reminders", "INFO") as logged:
                self.remind(now)
        self.assertEqual(len(logged.output), 1, logged.output)  # the vehicle's leg only: no warning
        self.assertIn("INFO", logged.output[0])
        self.assertIn("no listed point within 50 m", logged.output[0])
        line = StraightLine(self.ryotsu.speed_kmh, self.ryotsu.detour_factor)
        first_leg = line.matrix([(fire.lat + 0.2 / 111, fire.lon), (fire.lat, fire.lon)]).minutes[0][1]
        leg = straight.minutes[points.index(fire)][points.index(self.point("ryotsu-office"))]
        expected = round(first_leg + self.ryotsu.stop_minutes + 2 * leg)
        self.assertNotEqual(expected, round(first_leg + self.ryotsu.stop_minutes + leg))  # the file's legs count
        self.assertIn(f"お迎えの車があと約{expected}分で着きます", self.pushes(HANAKO)[0])
