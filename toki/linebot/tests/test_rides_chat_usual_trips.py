"""A linked rider's usual trips in LINE: the trips the phone desk saved come first as one-tap buttons that fill in
from, to, how the time is given and the passengers; with the usual time bookable that day the next answer is the
summary. Signed webhook events through /line/webhook, every reply checked by the local LINE server."""

from datetime import time
from urllib.parse import parse_qs

from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.linebot.models import RideConversation
from toki.linebot.tests.test_rides_chat import HANAKO, TARO, RideChatTestCase
from toki.transport.rides import actions
from toki.transport.rides.actions_line import USUAL_TRIPS_MAX
from toki.transport.rides.models import Booking, UsualTrip, VehicleDay
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import local
from toki.transport.rides.wording import day_label

LONG_LABEL = "木曜日の両津病院リハビリテーション科の通院"  # 22 characters: more than a LINE button holds


class UsualTripChatTests(RideChatTestCase):
    def setUp(self):
        super().setUp()
        # The phone desk knows 佐渡 花子 and saved her trips; she then links LINE with the same name and phone.
        self.rider = actions.save_rider(acting_user=None, area=self.ryotsu, name="佐渡 花子", phone="0259-27-1234")
        self.hospital = actions.add_usual_trip(
            acting_user=None, rider=self.rider, label="病院へ", origin=self.point("ryotsu-office"),
            destination=self.point("ryotsu-hospital"), usual_time=time(10, 0), by_arrival=True, passengers=2)
        self.rehab = actions.add_usual_trip(
            acting_user=None, rider=self.rider, label=LONG_LABEL, origin=self.point("ryotsu-gym"),
            destination=self.point("ryotsu-hospital"))

    def test_a_usual_trip_is_booked_with_one_tap_a_day_and_book(self):
        reply = self.link(HANAKO)
        self.assertIn("いつもの乗り方です", self.text(reply))
        self.assertIn("・病院へ: 市役所両津支所 → 両津病院 (10:00までに到着)", self.text(reply))
        buttons = self.buttons(reply)
        self.assertIn("ほかの行き先", buttons)
        self.assertIn(LONG_LABEL[:19] + "…", buttons)  # cut to LINE's 20 characters; the text says it in full
        reply = self.press(HANAKO, reply, "病院へ")
        reply = self.press(HANAKO, reply, day_label(self.day))
        self.assertIn("この内容で予約しますか", self.text(reply))  # the usual time: straight to the summary
        self.assertIn("到着希望：10:00まで", self.text(reply))
        self.assertIn("人数：2人", self.text(reply))
        answer = self.press(HANAKO, reply, "予約する")

        booking = Booking.objects.get(channel=Booking.Channel.LINE)
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        self.assertEqual(booking.rider, self.rider)  # the phone desk's rider, now linked
        self.assertEqual((booking.origin, booking.destination),
                         (self.hospital.origin, self.hospital.destination))
        self.assertEqual(booking.latest_arrival, local(self.day, 10))
        self.assertEqual(booking.passengers, 2)
        self.assertIn(f"到着予定：{booking.planned_dropoff.astimezone():%H:%M}ごろ 両津病院", self.text(answer))
        plan = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day)
        self.assertIn(booking.pk, {s["booking"] for s in plan.stops})
        self.assert_all_requests_valid()

    def test_a_usual_trip_without_a_usual_time_asks_the_time_and_can_be_changed(self):
        reply = self.link(HANAKO)
        reply = self.press(HANAKO, reply, LONG_LABEL[:19] + "…")
        reply = self.press(HANAKO, reply, day_label(self.day))
        self.assertIn("何時から乗れますか", self.text(reply))  # the trip is by pickup time
        reply = self.press(HANAKO, reply, "11:00")
        reply = self.press(HANAKO, reply, "1人")
        reply = self.press(HANAKO, reply, "いいえ")
        reply = self.press(HANAKO, reply, "時刻・人数を変える")
        reply = self.press(HANAKO, reply, "11:30")
        reply = self.press(HANAKO, reply, "1人")
        reply = self.press(HANAKO, reply, "いいえ")
        self.assertIn("乗車希望：11:30以降", self.text(reply))
        self.press(HANAKO, reply, "予約する")
        booking = Booking.objects.get(channel=Booking.Channel.LINE)
        self.assertEqual((booking.origin, booking.earliest_pickup), (self.rehab.origin, local(self.day, 11, 30)))
        self.assert_all_requests_valid()

    def test_another_trip_asks_where_from(self):
        reply = self.press(HANAKO, self.link(HANAKO), "ほかの行き先")
        self.assertIn("どこから乗りますか", self.text(reply))

    def test_someone_elses_usual_trip_is_refused(self):
        other = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎", phone="090-1234-5678")
        theirs = actions.add_usual_trip(acting_user=None, rider=other, label="太郎の通院",
                                        origin=self.point("aiport"), destination=self.point("ryotsu-hospital"))
        reply = self.link(HANAKO)
        token = parse_qs(self.buttons(reply)["病院へ"]["data"])["t"][0]
        forged = self.tap(HANAKO, f"ride=usual&t={token}&v={theirs.pk}")
        self.assertIn("このボタンはもう使えません", self.text(forged))
        self.assertFalse(Booking.objects.exists())

    def test_a_rider_with_no_usual_trips_is_asked_where_from(self):
        UsualTrip.objects.all().delete()
        reply = self.link(TARO, name="両津 太郎", phone="090-1234-5678")
        self.assertIn("どこから乗りますか", self.text(reply))
        self.assertNotIn("ほかの行き先", self.buttons(reply))

    def test_the_rider_removes_a_usual_trip_in_line(self):
        self.link(HANAKO)
        reply = self.say(HANAKO, "予約の確認")
        self.assertIn("LINEで予約した乗車はありません", self.text(reply))
        reply = self.press(HANAKO, reply, "いつもの行き先を消す")
        self.assertIn("・病院へ: 市役所両津支所 → 両津病院", self.text(reply))
        reply = self.press(HANAKO, self.press(HANAKO, reply, "病院へ"), "消さない")
        self.assertIn("そのままにしました", self.text(reply))
        self.assertEqual(UsualTrip.objects.count(), 2)
        reply = self.press(HANAKO, self.say(HANAKO, "予約の確認"), "いつもの行き先を消す")
        reply = self.press(HANAKO, self.press(HANAKO, reply, "病院へ"), "消す")
        self.assertIn("「病院へ」をいつもの行き先から消しました", self.text(reply))
        self.assertEqual(list(UsualTrip.objects.values_list("pk", flat=True)), [self.rehab.pk])
        event = AuditEvent.objects.get(action="rides.usual_trip_remove")
        self.assertEqual((event.changes["channel"], event.changes["label"]), ("line", "病院へ"))
        reply = self.press(HANAKO, self.say(HANAKO, "予約"), self.ryotsu.name)
        self.assertNotIn("病院へ", self.buttons(reply))
        self.assert_all_requests_valid()

    def test_another_friends_usual_trip_cannot_be_removed(self):
        other = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎", phone="090-1234-5678")
        theirs = actions.add_usual_trip(acting_user=None, rider=other, label="太郎の通院",
                                        origin=self.point("aiport"), destination=self.point("ryotsu-hospital"))
        self.link(HANAKO)
        reply = self.press(HANAKO, self.say(HANAKO, "予約の確認"), "いつもの行き先を消す")
        self.assertNotIn("太郎の通院", self.text(reply))
        token = parse_qs(self.buttons(reply)["病院へ"]["data"])["t"][0]
        forged = self.tap(HANAKO, f"ride=forget_pick&t={token}&v={theirs.pk}")
        self.assertIn("このボタンはもう使えません", self.text(forged))
        self.assertEqual(UsualTrip.objects.count(), 3)


SAVE = "いつもの行き先に登録"


class SaveUsualTripInLineTests(RideChatTestCase):
    """「いつもの行き先に登録」 under a ride just booked in LINE: next time the trip is one tap."""

    def booked(self, **choices) -> list[dict]:
        return self.book_in_line(HANAKO, self.link(HANAKO), **choices)

    def test_a_ride_just_booked_is_saved_and_next_time_booked_with_one_tap(self):
        answer = self.booked(mode="到着時刻で", hhmm="10:00", passengers="2人")
        booking = Booking.objects.get(channel=Booking.Channel.LINE)
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        saved = self.press(HANAKO, answer, SAVE)
        self.assertIn("いつもの行き先に登録しました：市役所両津支所 → 両津病院（10:00までに到着）", self.text(saved))
        trip = UsualTrip.objects.get(rider=booking.rider)
        self.assertEqual((trip.origin, trip.destination, trip.usual_time, trip.by_arrival, trip.passengers),
                         (booking.origin, booking.destination, time(10, 0), True, 2))
        event = AuditEvent.objects.get(action="rides.usual_trip_create")
        self.assertEqual(event.changes, {"channel": "line", "booking": booking.pk})
        self.assertFalse(RideConversation.objects.exists())
        # The next 「予約」 lists it first; one tap and the day give the summary.
        reply = self.say(HANAKO, "予約")
        reply = self.press(HANAKO, reply, self.ryotsu.name)
        self.assertIn("・市役所両津支所 → 両津病院: 市役所両津支所 → 両津病院 (10:00までに到着)", self.text(reply))
        reply = self.press(HANAKO, reply, "市役所両津支所 → 両津病院")
        reply = self.press(HANAKO, reply, day_label(self.day))
        self.assertIn("この内容で予約しますか", self.text(reply))
        self.assertIn("人数：2人", self.text(reply))
        self.assert_all_requests_valid()

    def test_a_trip_already_saved_is_not_offered_again_and_a_second_tap_saves_nothing(self):
        answer = self.booked()
        self.press(HANAKO, answer, SAVE)
        again = self.press(HANAKO, answer, SAVE)  # the same button tapped twice
        self.assertIn("このボタンはもう使えません", self.text(again))
        self.assertEqual(UsualTrip.objects.count(), 1)
        # The same trip booked again (its button now among the usual trips): no save offered.
        reply = self.say(HANAKO, "予約")
        reply = self.press(HANAKO, reply, self.ryotsu.name)
        reply = self.press(HANAKO, reply, "ほかの行き先")
        answer = self.book_in_line(HANAKO, reply, hhmm="10:00")
        self.assertIn("ご予約を承りました", self.text(answer))
        self.assertNotIn(SAVE, self.buttons(answer))
        self.assertEqual(UsualTrip.objects.count(), 1)

    def test_no_more_than_a_page_of_usual_trips_is_saved(self):
        rider = actions.save_rider(acting_user=None, area=self.ryotsu, name="佐渡 花子", phone="0259-27-1234")
        for n in range(USUAL_TRIPS_MAX):
            actions.add_usual_trip(acting_user=None, rider=rider, label=f"行き先{n}", origin=self.point("ryotsu-gym"),
                                   destination=self.point("ryotsu-hospital"), usual_time=time(8, n))
        reply = self.press(HANAKO, self.link(HANAKO), "ほかの行き先")
        answer = self.book_in_line(HANAKO, reply)
        self.assertIn("ご予約を承りました", self.text(answer))
        self.assertNotIn(SAVE, self.buttons(answer))

    def test_a_forged_save_of_another_booking_saves_nothing(self):
        other = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎", phone="090-1234-5678")
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-gym")),
                              destination=Place.of(self.point("ryotsu-hospital")), earliest_pickup=local(self.day, 11),
                              latest_arrival=None)
        theirs = actions.book_ride(acting_user=None, channel=Booking.Channel.WEB, rider=other, request=request).booking
        answer = self.booked()
        token = parse_qs(self.buttons(answer)[SAVE]["data"])["t"][0]
        forged = self.tap(HANAKO, f"ride=save_usual&t={token}&v={theirs.pk}")
        self.assertIn("このボタンはもう使えません", self.text(forged))
        self.assertFalse(UsualTrip.objects.exists())


class DeskRemovesUsualTripTests(RideChatTestCase):
    def test_the_phone_desk_removes_a_usual_trip_and_only_its_own_areas(self):
        rider = actions.save_rider(acting_user=None, area=self.ryotsu, name="佐渡 花子", phone="0259-27-1234")
        trip = actions.add_usual_trip(acting_user=None, rider=rider, label="病院へ", origin=self.point("ryotsu-gym"),
                                      destination=self.point("ryotsu-hospital"))
        url = reverse("rides:usual_trip_remove", args=["ryotsu", rider.pk, trip.pk])
        self.login(self.eve)  # logged in, no membership
        self.assertEqual(self.client.post(url).status_code, 404)
        self.login(self.bob)
        page = self.client.get(reverse("rides:rider", args=["ryotsu", rider.pk]))
        self.assertContains(page, f'action="{url}"')
        self.assertEqual(self.client.get(url).status_code, 405)
        response = self.client.post(url, follow=True)
        self.assertContains(response, "いつもの行き先「病院へ」を削除しました。")
        self.assertFalse(UsualTrip.objects.exists())
        self.assertEqual(AuditEvent.objects.get(action="rides.usual_trip_remove").changes["label"], "病院へ")
        # The LINE conversation no longer offers it.
        reply = self.link(HANAKO)
        self.assertIn("どこから乗りますか", self.text(reply))
