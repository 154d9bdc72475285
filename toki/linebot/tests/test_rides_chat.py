"""Booking a shared ride in LINE (issue 19): signed webhook events to /line/webhook, the replies read back from the
local LINE server (which checks every request against the Messaging API spec), the bookings from the database.

The 'Done when' of the issue: a phone-desk booking, a web booking and a LINE booking land on one vehicle plan."""

import itertools
import time
from datetime import timedelta
from urllib.parse import parse_qs

from django.urls import reverse
from django.utils import timezone

from toki.areas.models import Municipality
from toki.linebot.models import RideConversation
from toki.linebot.tests.line_webhook_support import LineWebhookTestCase, body_of
from toki.notify.line.localserver import LocalLineServer
from toki.notify.models import Subscriber
from toki.transport.rides import actions
from toki.transport.rides.models import Booking, MeetingPoint, Rider, RiderLink, VehicleDay
from toki.transport.rides.tests.base import RidesTestCase
from toki.transport.rides.wording import day_label

_IDS = itertools.count(1)
HANAKO = "U" + "a1" * 16
TARO = "U" + "b2" * 16


class RideChatTestCase(LineWebhookTestCase, RidesTestCase):
    line: LocalLineServer  # LineWebhookTestCase.setUpClass
    municipality: Municipality  # BaseTestCase.setUpTestData

    def event(self, user_id: str, kind: str, **fields) -> dict:
        return {"type": kind, "timestamp": int(time.time() * 1000), "mode": "active",
                "webhookEventId": f"01JTOKIRIDECHAT{next(_IDS):011d}", "deliveryContext": {"isRedelivery": False},
                "source": {"type": "user", "userId": user_id}, "replyToken": self.line.issue_reply_token(user_id),
                **fields}

    def say(self, user_id: str, text: str) -> list[dict]:
        self.send_events(self.event(user_id, "message", message={"type": "text", "id": str(next(_IDS)),
                                                                  "quoteToken": "q", "text": text}))
        return self.last_reply(user_id)

    def tap(self, user_id: str, data: str, **params) -> list[dict]:
        postback = {"data": data, **({"params": params} if params else {})}
        self.send_events(self.event(user_id, "postback", postback=postback))
        return self.last_reply(user_id)

    def send_location(self, user_id: str, lat: float, lon: float, address: str | None = None) -> list[dict]:
        """A location message, as LINE sends one from the chat's location button (a place picked on the map)."""
        message = {"type": "location", "id": str(next(_IDS)), "latitude": lat, "longitude": lon}
        if address is not None:
            message.update(title="位置情報", address=address)
        self.send_events(self.event(user_id, "message", message=message))
        return self.last_reply(user_id)

    def last_reply(self, user_id: str) -> list[dict]:
        replies = [d for d in self.line.received.get(user_id, []) if d.operation == "replyMessage"]
        return list(replies[-1].messages or ()) if replies else []

    def text(self, messages: list[dict]) -> str:
        return "\n".join(m.get("text", "") for m in messages)

    def buttons(self, messages: list[dict]) -> dict[str, dict]:
        """label → action of the quick-reply items of the last message that has them."""
        for message in reversed(messages):
            items = (message.get("quickReply") or {}).get("items")
            if items:
                return {item["action"]["label"]: item["action"] for item in items}
        return {}

    def press(self, user_id: str, messages: list[dict], label: str, **params) -> list[dict]:
        buttons = self.buttons(messages)
        self.assertIn(label, buttons, f"no button {label!r} in {list(buttons)}")
        return self.tap(user_id, buttons[label]["data"], **params)

    def link(self, user_id: str, name: str = "佐渡 花子", phone: str = "0259-27-1234") -> list[dict]:
        """「予約」 → area → consent → name → phone: answers the 'from' question."""
        reply = self.say(user_id, "予約")
        reply = self.press(user_id, reply, self.ryotsu.name)
        self.assertIn("同意", self.text(reply))
        reply = self.press(user_id, reply, "同意する")
        reply = self.say(user_id, name)
        return self.say(user_id, phone)

    def book_in_line(self, user_id: str, reply: list[dict], *, origin="市役所両津支所", destination="両津病院",
                     mode="出発時刻で", hhmm="10:00", passengers="1人", wheelchair="いいえ") -> list[dict]:
        """From the 'from' question to the answer (origin/destination None: already chosen)."""
        if origin is not None:
            reply = self.press(user_id, reply, origin)
        if destination is not None:
            reply = self.press(user_id, reply, destination)
        reply = self.press(user_id, reply, mode)
        reply = self.press(user_id, reply, day_label(self.day))
        labels = self.buttons(reply)
        if hhmm in labels:
            reply = self.press(user_id, reply, hhmm)
        else:  # on a later page, or through the time picker
            reply = self.press(user_id, reply, "他の時刻", time=hhmm)
        reply = self.press(user_id, reply, passengers)
        reply = self.press(user_id, reply, wheelchair)
        self.assertIn("予約しますか", self.text(reply))
        return self.press(user_id, reply, "予約する")


class RideChatTests(RideChatTestCase):
    def test_a_resident_links_and_books_and_is_answered_with_the_promise_at_once(self):
        reply = self.link(HANAKO)
        self.assertIn("どこから乗りますか", self.text(reply))
        answer = self.book_in_line(HANAKO, reply)
        booking = Booking.objects.get(channel=Booking.Channel.LINE)
        self.assertEqual(booking.status, Booking.Status.ACCEPTED)
        rider = Rider.objects.get(name="佐渡 花子", phone="0259-27-1234", area=self.ryotsu)
        self.assertEqual(booking.rider, rider)
        subscriber = Subscriber.objects.get(address=HANAKO)
        link = RiderLink.objects.get(rider=rider)
        self.assertEqual(link.subscriber, subscriber)
        window = (f"{booking.promised_pickup_from.astimezone():%H:%M}から"
                  f"{booking.promised_pickup_until.astimezone():%H:%M}")
        self.assertIn(window, self.text(answer))
        self.assertIn(f"{booking.planned_dropoff.astimezone():%H:%M}", self.text(answer))
        self.assertIn(reverse("rides:booking", args=[booking.reference]), self.text(answer))
        # Done: what is left is the offer to save the trip as a usual one (its booking only), no name kept.
        self.assertEqual(list(RideConversation.objects.values_list("step", "data")),
                         [("booked", {"booking": booking.pk})])
        self.assert_all_requests_valid()

    def test_a_meeting_point_out_of_service_is_not_offered(self):
        MeetingPoint.objects.filter(area=self.ryotsu, name="両津病院").update(active=False)  # as a service file does
        reply = self.press(HANAKO, self.link(HANAKO), "市役所両津支所")
        self.assertIn("どこで降りますか", self.text(reply))
        self.assertNotIn("両津病院", self.buttons(reply))
        self.assertIn("あいぽーと佐渡", self.buttons(reply))

    def test_a_stale_or_forged_postback_books_nothing(self):
        reply = self.link(HANAKO)
        from_buttons = self.buttons(reply)
        reply = self.press(HANAKO, reply, "市役所両津支所")
        # An old button (the previous answer's token):
        stale = self.tap(HANAKO, from_buttons["両津病院"]["data"])
        self.assertIn("このボタンはもう使えません", self.text(stale))
        # A forged postback with no token, and one with a made-up token:
        self.assertIn("このボタンはもう使えません", self.text(self.tap(HANAKO, "ride=book")))
        self.assertIn("このボタンはもう使えません", self.text(self.tap(HANAKO, "ride=book&t=forged")))
        self.assertFalse(Booking.objects.exists())
        self.assert_all_requests_valid()

    def test_a_conversation_that_expired_books_nothing(self):
        reply = self.link(HANAKO)
        RideConversation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))  # 30 minutes later
        self.assertIn("このボタンはもう使えません", self.text(self.press(HANAKO, reply, "市役所両津支所")))
        self.assertFalse(Booking.objects.exists())
        self.say(HANAKO, "予約")  # starting again clears what expired
        self.assertEqual(RideConversation.objects.count(), 1)

    def test_a_double_tap_on_book_books_once_and_a_value_never_offered_is_refused(self):
        reply = self.link(HANAKO)
        reply = self.press(HANAKO, reply, "市役所両津支所")
        to_buttons = self.buttons(reply)
        # A point of the other area, under the current token: refused, nothing changes.
        aikawa_point = self.point("aikawa-gym", self.aikawa)
        data = parse_qs(to_buttons["両津病院"]["data"])
        forged = f"ride=to&t={data['t'][0]}&v={aikawa_point.pk}"
        self.assertIn("このボタンはもう使えません", self.text(self.tap(HANAKO, forged)))
        self.assertFalse(Booking.objects.exists())

    def test_the_confirm_button_works_once(self):
        reply = self.link(HANAKO)
        reply = self.press(HANAKO, reply, "市役所両津支所")
        reply = self.press(HANAKO, reply, "両津病院")
        reply = self.press(HANAKO, reply, "出発時刻で")
        reply = self.press(HANAKO, reply, day_label(self.day))
        reply = self.press(HANAKO, reply, "10:00")
        reply = self.press(HANAKO, reply, "1人")
        confirm = self.press(HANAKO, reply, "いいえ")
        book = self.buttons(confirm)["予約する"]["data"]
        # Two copies of the same tap in one webhook request (a double tap): one booking.
        self.send_events(self.event(HANAKO, "postback", postback={"data": book}),
                         self.event(HANAKO, "postback", postback={"data": book}))
        self.assertEqual(Booking.objects.filter(channel="line").count(), 1)

    def test_the_times_of_a_day_are_paged_within_thirteen_quick_replies(self):
        reply = self.link(HANAKO)
        reply = self.press(HANAKO, reply, "市役所両津支所")
        reply = self.press(HANAKO, reply, "両津病院")
        reply = self.press(HANAKO, reply, "出発時刻で")
        reply = self.press(HANAKO, reply, day_label(self.day))
        seen = []
        for _page in range(5):
            buttons = self.buttons(reply)
            self.assertLessEqual(len(buttons), 13)
            self.assertEqual(buttons["他の時刻"]["type"], "datetimepicker")
            seen += [text for text in buttons if text[:2].isdigit()]
            if "もっと見る ▶" not in buttons:
                break
            reply = self.press(HANAKO, reply, "もっと見る ▶")
        # 08:00–18:00 in half hours (the two vehicles' shifts of the demo) over more than one page:
        self.assertEqual(seen[0], "08:00")
        self.assertIn("16:30", seen)
        reply = self.press(HANAKO, reply, "◀ 戻る")
        self.assertLessEqual(len(self.buttons(reply)), 13)
        self.assert_all_requests_valid()

    def test_my_bookings_cancels_a_ride_and_frees_its_seats(self):
        self.book_in_line(HANAKO, self.link(HANAKO))
        booking = Booking.objects.get(channel="line")
        reply = self.say(HANAKO, "予約の確認")
        self.assertIn(f"{booking.promised_pickup_from.astimezone():%H:%M}", self.text(reply))
        reply = self.press(HANAKO, self.press(HANAKO, reply, "取り消す [1]"), "取り消さない")
        self.assertIn("ご予約はそのままです", self.text(reply))
        booking.refresh_from_db()
        self.assertEqual(booking.status, Booking.Status.ACCEPTED)
        reply = self.say(HANAKO, "予約の確認")
        reply = self.press(HANAKO, reply, "取り消す [1]")
        reply = self.press(HANAKO, reply, "取り消す")
        booking.refresh_from_db()
        self.assertEqual(booking.status, Booking.Status.CANCELLED)
        self.assertIn("取り消しました", self.text(reply))
        plan = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day)
        self.assertNotIn(booking.pk, {stop["booking"] for stop in plan.stops})
        self.assert_all_requests_valid()

    def test_nobody_sees_or_cancels_another_friends_booking(self):
        self.book_in_line(HANAKO, self.link(HANAKO))
        hanako_booking = Booking.objects.get(channel="line")
        self.book_in_line(TARO, self.link(TARO, name="両津 太郎", phone="090-1234-5678"), hhmm="11:00")
        reply = self.say(TARO, "予約の確認")
        self.assertNotIn("[2]", self.text(reply))  # only his own ride: Hanako's is not listed to Taro
        data = parse_qs(self.buttons(reply)["取り消す [1]"]["data"])
        forged = f"ride=cancel&t={data['t'][0]}&v={hanako_booking.pk}"
        self.assertIn("このボタンはもう使えません", self.text(self.tap(TARO, forged)))
        hanako_booking.refresh_from_db()
        self.assertEqual(hanako_booking.status, Booking.Status.ACCEPTED)

    def test_an_english_reader_books_in_english(self):
        reply = self.say(TARO, "English")
        reply = self.say(TARO, "book a ride")
        reply = self.press(TARO, reply, self.ryotsu.name)
        self.assertIn("Do you agree?", self.text(reply))
        reply = self.press(TARO, reply, "I agree")
        self.say(TARO, "Taro Ryotsu")
        reply = self.say(TARO, "090-1234-5678")
        self.assertIn("Where do you get on?", self.text(reply))
        self.assert_all_requests_valid()


class OnePlanTests(RideChatTestCase):
    def test_a_phone_a_web_and_a_line_booking_land_on_one_vehicle_plan(self):
        # The web page
        self.client.post(reverse("rides:book_area", args=["ryotsu"]), self.web_form(hh=10))
        # The phone desk (両津支所)
        rider = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎", phone="0259-23-0000")
        self.login(self.bob)
        form = self.web_form(hh=10)
        form.pop("name"), form.pop("phone")
        self.client.post(reverse("rides:rider", args=["ryotsu", rider.pk]), form)
        self.client.logout()
        # LINE
        self.book_in_line(HANAKO, self.link(HANAKO))
        bookings = list(Booking.objects.order_by("pk"))
        self.assertEqual([b.channel for b in bookings], ["web", "phone", "line"])
        self.assertEqual({b.status for b in bookings}, {Booking.Status.ACCEPTED})
        self.assertEqual(len({b.vehicle_id for b in bookings}), 1)
        plan = VehicleDay.objects.get(vehicle=bookings[0].vehicle, day=self.day)
        self.assertEqual({s["booking"] for s in plan.stops}, {b.pk for b in bookings})
        self.assert_all_requests_valid()


class GroupChatTests(RideChatTestCase):
    def test_a_group_chat_cannot_book(self):
        event = self.event(HANAKO, "postback", postback={"data": "action=ride"})
        event["source"] = {"type": "group", "groupId": "C" + "1" * 32, "userId": HANAKO}
        response = self.post_webhook(body_of(event))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(RideConversation.objects.exists())
