"""Booking by arrival time in LINE (「病院に10時までに着きたい」): signed webhook events to /line/webhook, the replies
read back from the local LINE server (every request checked against the Messaging API spec), the booking and the
vehicle plan from the database."""

from datetime import time

from toki.linebot.tests.test_rides_chat import HANAKO, TARO, RideChatTestCase
from toki.transport.rides.models import Booking, Shift, VehicleDay
from toki.transport.rides.tests.base import local
from toki.transport.rides.wording import day_label


class ArrivalTests(RideChatTestCase):
    def test_a_rider_books_to_arrive_by_ten_and_is_answered_with_the_window_and_the_arrival(self):
        reply = self.link(HANAKO)
        reply = self.press(HANAKO, reply, "市役所両津支所")
        reply = self.press(HANAKO, reply, "両津病院")
        self.assertIn("時刻はどちらで決めますか", self.text(reply))
        self.assertEqual(set(self.buttons(reply)), {"出発時刻で", "到着時刻で", "やめる"})
        reply = self.press(HANAKO, reply, "到着時刻で")
        reply = self.press(HANAKO, reply, day_label(self.day))
        self.assertIn("何時までに着きたいですか", self.text(reply))
        times = [label for label in self.buttons(reply) if label[:2].isdigit()]
        self.assertEqual(times[0], "08:30")  # no arrival at the minute the first shift leaves its depot
        reply = self.press(HANAKO, reply, "10:00")
        reply = self.press(HANAKO, reply, "1人")
        reply = self.press(HANAKO, reply, "いいえ")
        self.assertIn("到着希望：10:00まで", self.text(reply))
        answer = self.press(HANAKO, reply, "予約する")

        booking = Booking.objects.get(channel=Booking.Channel.LINE)
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        self.assertEqual(booking.latest_arrival, local(self.day, 10))
        self.assertIsNone(booking.earliest_pickup)
        self.assertLessEqual(booking.planned_dropoff, booking.latest_arrival)
        text = self.text(answer)
        self.assertIn("到着希望：10:00まで", text)
        self.assertIn(f"お迎え：{booking.promised_pickup_from.astimezone():%H:%M}から"
                      f"{booking.promised_pickup_until.astimezone():%H:%M}の間に 市役所両津支所", text)
        self.assertIn(f"到着予定：{booking.planned_dropoff.astimezone():%H:%M}ごろ 両津病院", text)
        plan = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day)
        self.assertEqual([s["kind"] for s in plan.stops if s["booking"] == booking.pk], ["pickup", "dropoff"])
        self.assert_all_requests_valid()

    def test_an_arrival_too_early_for_any_vehicle_is_offered_other_arrival_times(self):
        # Every vehicle leaves its depot (市役所両津支所) at 08:20: the rules allow an arrival at 08:30, but no
        # vehicle can drive to 金井 and back to the hospital by then.
        Shift.objects.filter(vehicle__area=self.ryotsu).update(start=time(8, 20))
        reply = self.link(HANAKO)
        reply = self.press(HANAKO, reply, "金井東部地区コミュニティセンター")
        reply = self.press(HANAKO, reply, "両津病院")
        reply = self.press(HANAKO, reply, "到着時刻で")
        reply = self.press(HANAKO, reply, day_label(self.day))
        reply = self.press(HANAKO, reply, "08:30")
        reply = self.press(HANAKO, reply, "1人")
        reply = self.press(HANAKO, reply, "いいえ")
        answer = self.press(HANAKO, reply, "予約する")
        refused = Booking.objects.get(channel=Booking.Channel.LINE)
        self.assertEqual(refused.status, Booking.Status.REJECTED)
        self.assertIn("申し訳ありません", self.text(answer))
        offered = [label for label in self.buttons(answer) if label.endswith("までに到着")]
        self.assertEqual(offered, ["09:00までに到着", "09:30までに到着"])
        reply = self.press(HANAKO, answer, offered[0])
        self.assertIn(f"到着希望：{offered[0][:5]}まで", self.text(reply))
        self.press(HANAKO, reply, "予約する")
        booked = Booking.objects.get(channel=Booking.Channel.LINE, status=Booking.Status.ACCEPTED)
        self.assertEqual(booked.latest_arrival, local(self.day, int(offered[0][:2]), int(offered[0][3:5])))
        self.assert_all_requests_valid()

    def test_an_english_reader_chooses_arrival_time_in_english(self):
        self.say(TARO, "English")
        reply = self.say(TARO, "book a ride")
        reply = self.press(TARO, reply, self.ryotsu.name)
        reply = self.press(TARO, reply, "I agree")
        self.say(TARO, "Taro Ryotsu")
        reply = self.say(TARO, "090-1234-5678")
        reply = self.press(TARO, reply, "市役所両津支所")
        reply = self.press(TARO, reply, "両津病院")
        self.assertIn("Which time do you want to give?", self.text(reply))
        reply = self.press(TARO, reply, "By arrival time")
        reply = self.press(TARO, reply, "Tomorrow" if day_label(self.day) == "明日" else self.day.strftime("%a %d %b"))
        self.assertIn("by what time do you want to arrive?", self.text(reply))
        self.assert_all_requests_valid()
