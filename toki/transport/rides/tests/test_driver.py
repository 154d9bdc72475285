"""The driver's tablet through its real entry points: enrolment by the area's operators (QR link), the page and its
plan for an enrolled tablet and for nobody else, the sync API (idempotent, each event judged on its own, another
vehicle's booking refused, a no-show under the phone desk's rule), positions, and the operations board."""

import json
import re
import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from toki.accounts.models import AuditEvent
from toki.events.models import Event
from toki.test import PERSONA_PASSWORD
from toki.transport.rides import actions
from toki.transport.rides.models import Booking, DriverEvent, DriverTablet, VehicleDay
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import RidesTestCase, local


class DriverTabletTests(RidesTestCase):
    def setUp(self):
        super().setUp()
        self.hanako = actions.save_rider(acting_user=None, area=self.ryotsu, name="佐渡 花子", phone="0259-27-1234",
                                         wheelchair=True)
        self.taro = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎", phone="0259-23-0000")
        self.first = self.book(self.hanako, "ryotsu-office", "ryotsu-hospital", 10)
        self.second = self.book(self.taro, "ryotsu-office", "ryotsu-hospital", 10)
        self.vehicle = self.first.vehicle
        # A ride of the other area: another vehicle's booking, which this tablet must not touch.
        aikawa = RideRequest(area=self.aikawa, origin=Place.of(self.point("aikawa-office", self.aikawa)),
                             destination=Place.of(self.point("aikawa-gym", self.aikawa)),
                             earliest_pickup=local(self.day, 10), latest_arrival=None)
        self.other = actions.book_ride(acting_user=None, request=aikawa, channel="web", rider=None,
                                       now=local(self.day, 7)).booking

    def book(self, rider, origin, destination, hh) -> Booking:
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point(origin)),
                              destination=Place.of(self.point(destination)), earliest_pickup=local(self.day, hh),
                              latest_arrival=None)
        booking = actions.book_ride(acting_user=None, request=request, channel="web", rider=rider,
                                    now=local(self.day, 7)).booking
        self.assertEqual(booking.status, Booking.Status.ACCEPTED)
        return booking

    def enrol(self, vehicle=None) -> str:
        """bob makes the QR on the operators' page; the tablet opens its link and confirms. Returns the token."""
        self.login(self.bob)
        page = self.client.post(reverse("rides:tablets", args=["ryotsu"]), {"vehicle": (vehicle or self.vehicle).pk})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "<svg")
        found = re.search(r'id="enrol-url" href="([^"]+)"', page.content.decode())
        assert found is not None, "no enrolment link on the page"
        link = found.group(1)
        self.client.logout()
        path = link.split("testserver", 1)[-1]
        self.assertContains(self.client.get(path), self.vehicle.name)
        response = self.client.post(path)
        self.assertRedirects(response, reverse("rides:driver"), fetch_redirect_response=False)
        return path

    def sync(self, *events, at=None):
        body = {"device_id": "tablet-test", "events": list(events)}
        with freeze_time(at or local(self.day, 11)):
            return self.client.post(reverse("rides:driver_events"), json.dumps(body), content_type="application/json")

    def event(self, kind, booking, at=None, event_id=None):
        return {"id": event_id or str(uuid.uuid4()), "type": kind, "occurred_at": (at or local(self.day, 10, 5))
                .isoformat(), "payload": {"booking": booking.pk if isinstance(booking, Booking) else booking}}

    # Enrolment and who may see what ---------------------------------------------------------------------------

    def test_an_enrolled_tablet_opens_the_page_and_the_qr_works_once(self):
        link = self.enrol()
        page = self.client.get(reverse("rides:driver"))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, self.vehicle.name)
        self.assertContains(page, "shelterops/store.")  # the shelter tablet's store and sync, reused
        self.assertEqual(DriverTablet.objects.get().vehicle, self.vehicle)
        self.client.cookies.clear()
        self.assertEqual(self.client.get(link).status_code, 404)
        self.assertEqual(self.client.post(link).status_code, 404)
        self.assertEqual(DriverTablet.objects.count(), 1)

    def test_outsiders_get_nothing_from_the_driver_urls(self):
        self.enrol()
        self.client.cookies.clear()
        urls = [reverse("rides:driver"), reverse("rides:driver_plan")]
        posts = [reverse("rides:driver_events"), reverse("rides:driver_position")]
        for user in (None, self.eve, self.alice):
            if user is not None:
                self.login(user)
            for url in urls:
                self.assertEqual(self.client.get(url).status_code, 401, url)
            for url in posts:
                self.assertEqual(self.client.post(url, "{}", content_type="application/json").status_code, 401, url)
        self.assertNotContains(self.client.get(reverse("rides:driver")), "佐渡 花子", status_code=401)

    def test_only_the_areas_operators_make_a_qr(self):
        from toki.demo.hq import create_hq_demo_users

        frank = create_hq_demo_users(self.municipality, PERSONA_PASSWORD)["frank"]
        for user in (self.eve, frank):
            self.login(user)
            response = self.client.post(reverse("rides:tablets", args=["ryotsu"]), {"vehicle": self.vehicle.pk})
            self.assertEqual(response.status_code, 404)
        self.login(self.bob)
        other = self.other.vehicle
        self.assertEqual(self.client.post(reverse("rides:tablets", args=["ryotsu"]), {"vehicle": other.pk})
                         .status_code, 404)  # 相川's vehicle through 両津's page

    def test_a_signed_out_tablet_opens_nothing(self):
        self.enrol()
        cookies = self.client.cookies
        self.login(self.bob)
        tablet = DriverTablet.objects.get()
        self.client.post(reverse("rides:tablets", args=["ryotsu"]), {"sign_out": tablet.pk})
        self.client.logout()
        self.client.cookies = cookies
        self.assertEqual(self.client.get(reverse("rides:driver_plan")).status_code, 401)

    # The plan ---------------------------------------------------------------------------------------------------

    def test_the_plan_lists_the_stops_with_who_boards_and_who_gets_off(self):
        self.enrol()
        with freeze_time(local(self.day, 9)):
            plan = self.client.get(reverse("rides:driver_plan")).json()
        self.assertEqual(plan["day"], self.day.isoformat())
        stops = plan["stops"]
        self.assertEqual([s["place"] for s in stops], ["市役所両津支所", "両津病院"])  # both pooled: two stops
        boarding = {p["name"]: p for p in stops[0]["board"]}
        self.assertEqual(set(boarding), {"佐渡 花子", "両津 太郎"})
        self.assertEqual(boarding["佐渡 花子"]["phone"], "0259-27-1234")
        self.assertEqual(boarding["佐渡 花子"]["window_from"],
                         timezone.localtime(self.first.promised_pickup_from).isoformat())
        self.assertEqual({p["booking"] for p in stops[1]["alight"]}, {self.first.pk, self.second.pk})
        self.assertNotIn(str(self.other.pk), json.dumps([p["booking"] for s in stops for p in s["board"]]))

    # Sync -------------------------------------------------------------------------------------------------------

    def test_boarded_and_dropped_off_are_applied_once(self):
        self.enrol()
        events = [self.event("boarded", self.first, local(self.day, 10, 5)),
                  self.event("dropped_off", self.first, local(self.day, 10, 20))]
        first = self.sync(*events).json()["results"]
        self.assertEqual([r["status"] for r in first], ["applied", "applied"])
        again = self.sync(*events).json()["results"]
        self.assertEqual([(r["status"], r["original_status"]) for r in again], [("duplicate", "applied")] * 2)
        booking = Booking.objects.get(pk=self.first.pk)
        self.assertEqual(booking.status, Booking.Status.COMPLETED)
        self.assertEqual((booking.boarded_at, booking.dropped_off_at),
                         (local(self.day, 10, 5), local(self.day, 10, 20)))
        self.assertEqual(DriverEvent.objects.count(), 2)
        self.assertEqual(AuditEvent.objects.filter(action="rides.booking_boarded").count(), 1)
        self.assertEqual(Event.objects.filter(name="rides.booking_boarded").count(), 1)
        self.assertEqual(Event.objects.filter(name="rides.booking_dropped_off").count(), 1)

    def test_each_event_is_judged_on_its_own(self):
        self.enrol()
        results = self.sync(
            {"id": "not-a-uuid", "type": "boarded"},
            self.event("teleported", self.first),
            self.event("boarded", self.other),  # another vehicle's booking
            self.event("boarded", self.first, local(self.day, 12, 30)),  # after the server's clock (11:00)
            self.event("dropped_off", self.second),  # never boarded
            {**self.event("boarded", self.first), "payload": {"booking": "7"}},
            self.event("boarded", self.second),  # good, behind all the bad ones
        ).json()["results"]
        self.assertEqual([r["status"] for r in results], ["rejected"] * 6 + ["applied"])
        errors = [r["error"] for r in results]
        self.assertEqual(errors[0], "id: a UUID is needed")
        self.assertTrue(errors[1].startswith("type: one of boarded"), errors[1])
        self.assertEqual(errors[2], f"payload.booking: 予約 {self.other.pk} はこの車両の運行計画にありません。")
        self.assertTrue(errors[3].startswith("occurred_at: more than 2 minutes ahead"), errors[3])
        self.assertTrue(errors[4].startswith("status: "), errors[4])
        self.assertEqual(errors[5], "payload.booking: the booking's number is needed")
        self.assertEqual(Booking.objects.get(pk=self.other.pk).status, Booking.Status.ACCEPTED)
        self.assertEqual(Booking.objects.get(pk=self.second.pk).status, Booking.Status.BOARDED)
        self.assertEqual(Booking.objects.get(pk=self.first.pk).status, Booking.Status.ACCEPTED)
        # A rejection is final: sent again, it stays rejected and changes nothing.
        self.assertEqual(DriverEvent.objects.filter(status="rejected").count(), 5)  # the id-less one has no row

    def test_a_no_show_follows_the_phone_desks_rule(self):
        self.enrol()
        early = self.sync(self.event("no_show", self.first, local(self.day, 10, 1))).json()["results"][0]
        self.assertEqual(early["status"], "rejected")
        self.assertEqual(early["error"], "status: 無断キャンセルは迎車時間帯が過ぎてから記録できます。")
        after = timezone.localtime(self.first.promised_pickup_until) + timedelta(minutes=1)
        late = self.sync(self.event("no_show", self.first, after)).json()["results"][0]
        self.assertEqual(late["status"], "applied")
        booking = Booking.objects.get(pk=self.first.pk)
        self.assertEqual(booking.status, Booking.Status.NO_SHOW)
        # As the desk's: off the plan, audited, and announced as a cancellation.
        stops = VehicleDay.objects.get(vehicle=self.vehicle, day=self.day).stops
        self.assertNotIn(booking.pk, {s["booking"] for s in stops})
        self.assertTrue(AuditEvent.objects.filter(action="rides.booking_no_show", object_id=str(booking.pk)).exists())
        self.assertTrue(Event.objects.filter(name="rides.booking_cancelled", ids={"booking_id": booking.pk}).exists())

    def test_a_batch_too_long_or_unreadable_is_refused_whole(self):
        self.enrol()
        too_many = [self.event("boarded", self.first) for _ in range(201)]
        self.assertEqual(self.sync(*too_many).status_code, 422)
        with freeze_time(local(self.day, 11)):
            response = self.client.post(reverse("rides:driver_events"), "{", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(DriverEvent.objects.count(), 0)

    # Positions --------------------------------------------------------------------------------------------------

    def post_position(self, at, **fields):
        body = {"lat": 38.081, "lon": 138.437, "measured_at": at.isoformat(), **fields}
        return self.client.post(reverse("rides:driver_position"), json.dumps(body), content_type="application/json")

    def test_positions_are_checked_and_kept_on_the_days_plan(self):
        self.enrol()
        now = local(self.day, 10)
        with freeze_time(now):
            self.assertEqual(self.post_position(now - timedelta(seconds=20)).status_code, 202)
            older = self.post_position(now - timedelta(seconds=40), lat=38.0)
            bad = [self.post_position(now, lat=95), self.post_position(now, lon="east"),
                   self.post_position(now + timedelta(minutes=10)), self.post_position(now - timedelta(hours=1)),
                   self.post_position(now, speed=3)]
        self.assertEqual(older.status_code, 202)
        self.assertEqual([r.status_code for r in bad], [400] * 5)
        self.assertEqual(bad[0].json()["detail"], "lat: must be between -90 and 90")
        self.assertEqual(bad[1].json()["detail"], "lon: a number is needed")
        self.assertIn("measured_at: more than 2 minutes ahead", bad[2].json()["detail"])
        self.assertIn("15 minutes behind", bad[3].json()["detail"])
        self.assertEqual(bad[4].json()["detail"], "speed: unknown field")
        plan = VehicleDay.objects.get(vehicle=self.vehicle, day=self.day)
        self.assertEqual((plan.last_lat, plan.last_lon), (38.081, 138.437))  # the older fix did not overwrite
        self.assertEqual(plan.last_seen_at, now - timedelta(seconds=20))

    def test_a_position_on_a_day_without_a_plan_is_refused(self):
        self.enrol()
        sunday = self.day + timedelta(days=(7 - self.day.isoweekday()) or 7)
        with freeze_time(local(sunday, 10)):
            response = self.post_position(local(sunday, 10))
        self.assertEqual(response.status_code, 409)

    # The operations board ---------------------------------------------------------------------------------------

    def test_the_board_shows_what_the_tablet_marked(self):
        self.enrol()
        self.sync(self.event("boarded", self.first, local(self.day, 10, 4)))
        self.login(self.bob)
        board = self.client.get(reverse("rides:board", args=["ryotsu"]) + f"?day={self.day.isoformat()}")
        self.assertContains(board, f'data-booking="{self.first.pk}" data-status="boarded"')
        self.assertContains(board, "10:04")


class ServiceWorkerTests(RidesTestCase):
    def test_every_worker_imports_the_shared_helpers(self):
        for url in ("/rides/driver/sw.js", "/shelter-ops/sw.js", "/tablet/sw.js", "/fares/checker/sw.js"):
            body = self.client.get(url).content.decode()
            with self.subTest(url=url):
                self.assertIn("const TOKI_SW_COMMON = \"/static/js/sw_common", body)
                self.assertIn("importScripts(TOKI_SW_COMMON)", body)
                self.assertNotIn("async function cacheFirst", body)  # the helper lives in sw_common.js only
