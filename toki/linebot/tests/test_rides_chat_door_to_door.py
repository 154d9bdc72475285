"""Door to door in LINE: where the area allows it, the rider sends a place with LINE's location button (a location
message) or taps their saved home; a place outside the area's polygon is refused with a message a person
understands. Signed webhook events through /line/webhook, every reply checked by the local LINE server."""

from datetime import timedelta
from urllib.parse import parse_qs

from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.linebot.models import RideConversation
from toki.linebot.tests.test_rides_chat import HANAKO, RideChatTestCase
from toki.transport.rides import actions
from toki.transport.rides.models import Booking, Rider, UsualTrip, VehicleDay
from toki.transport.rides.rules import Place, RideRequest
from toki.transport.rides.tests.base import local
from toki.transport.rides.wording import day_label

HOME = (38.0702, 138.4205)  # a house between 吉井 and 両津, inside the 両津 area
OUTSIDE = (38.0184, 138.3682)  # 佐和田, outside it
ADDRESS = "新潟県佐渡市両津夷新"
SAVE_HOME = "乗る場所を自宅に登録"


class DoorToDoorChatTests(RideChatTestCase):
    def setUp(self):
        super().setUp()
        self.ryotsu.door_to_door = True
        self.ryotsu.save()

    def test_the_from_question_offers_lines_location_button(self):
        reply = self.link(HANAKO)
        self.assertIn("「場所を送る」を押して、地図で場所を選んでください", self.text(reply))
        buttons = self.buttons(reply)
        self.assertEqual(buttons["場所を送る"], {"type": "location", "label": "場所を送る"})
        self.assertLessEqual(len(buttons), 13)
        self.assert_all_requests_valid()

    def test_a_rider_is_picked_up_at_a_place_sent_from_the_map_and_it_is_on_the_plan(self):
        reply = self.link(HANAKO)
        reply = self.send_location(HANAKO, *HOME, address=ADDRESS)
        self.assertIn(f"送った場所（{ADDRESS}）から乗ります。どこで降りますか？", self.text(reply))
        answer = self.book_in_line(HANAKO, reply, origin=None, destination="両津病院")
        booking = Booking.objects.get(channel=Booking.Channel.LINE)
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        self.assertIsNone(booking.origin)
        self.assertEqual((booking.origin_lat, booking.origin_lon), HOME)
        self.assertEqual(booking.destination.name, "両津病院")
        stops = VehicleDay.objects.get(vehicle=booking.vehicle, day=self.day).stops
        pickup = next(s for s in stops if s["booking"] == booking.pk and s["kind"] == "pickup")
        self.assertEqual((pickup["lat"], pickup["lon"]), HOME)
        text = self.text(answer)
        self.assertIn("の間に ご指定の場所", text)
        self.assertNotIn(f"{HOME[0]:.4f}", text)  # the answer does not repeat where someone lives
        # The place and address are not kept in the chat: what waits for 「乗る場所を自宅に登録」 is the booking's id.
        kept = {k: v for k, v in RideConversation.objects.get().data.items() if v is not None}
        self.assertEqual(kept, {"booking": booking.pk, "home_end": "origin"})
        self.assert_all_requests_valid()

    def test_a_place_outside_the_area_is_refused_with_a_message_and_the_question_again(self):
        reply = self.link(HANAKO)
        refused = self.send_location(HANAKO, *OUTSIDE, address="新潟県佐渡市河原田本町")
        self.assertIn("送られた場所は運行区域（両津地区）の外です。区域の中の場所を送るか、下のボタンから選んでください。",
                      self.text(refused))
        self.assertIn("どこから乗りますか？（両津地区）", self.text(refused))
        self.assertEqual(RideConversation.objects.get().step, "from")
        # The buttons of the question asked before still work: nothing was changed.
        reply = self.press(HANAKO, reply, "市役所両津支所")
        self.assertIn("市役所両津支所から乗ります", self.text(reply))
        refused = self.send_location(HANAKO, *OUTSIDE)
        self.assertIn("運行区域（両津地区）の外です", self.text(refused))
        self.assertIn("市役所両津支所から乗ります。どこで降りますか？", self.text(refused))
        self.assertFalse(Booking.objects.exists())
        self.assert_all_requests_valid()

    def test_the_place_of_the_pickup_cannot_be_sent_again_as_the_drop_off(self):
        self.link(HANAKO)
        self.send_location(HANAKO, *HOME)
        reply = self.send_location(HANAKO, *HOME)
        self.assertIn("そこは乗る場所と同じです", self.text(reply))
        self.assertEqual(RideConversation.objects.get().step, "to")

    def test_a_saved_home_is_one_tap_and_a_place_sent_can_be_the_drop_off(self):
        reply = self.link(HANAKO)
        Rider.objects.filter(name="佐渡 花子").update(home_lat=HOME[0], home_lon=HOME[1])  # the phone desk saved it
        reply = self.say(HANAKO, "予約")
        reply = self.press(HANAKO, reply, self.ryotsu.name)
        reply = self.press(HANAKO, reply, "自宅")
        self.assertIn("自宅から乗ります", self.text(reply))
        self.assertNotIn("自宅", self.buttons(reply))  # not offered again as the drop-off
        hospital = self.point("ryotsu-hospital")
        reply = self.send_location(HANAKO, hospital.lat + 0.001, hospital.lon)  # next to the hospital
        self.assertIn("自宅 → 送った場所", self.text(reply))
        self.book_in_line(HANAKO, reply, origin=None, destination=None)
        booking = Booking.objects.get(channel=Booking.Channel.LINE)
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        self.assertEqual((booking.origin_lat, booking.origin_lon), HOME)
        self.assertEqual((booking.destination_lat, booking.destination_lon), (hospital.lat + 0.001, hospital.lon))
        self.assertIn(booking.pk, {s["booking"] for s in VehicleDay.objects.get(vehicle=booking.vehicle,
                                                                                 day=self.day).stops})
        self.assert_all_requests_valid()


class MeetingPointAreaTests(RideChatTestCase):
    def test_a_location_in_an_area_of_meeting_points_is_answered_with_shelters_and_books_nothing(self):
        reply = self.link(HANAKO)
        self.assertNotIn("場所を送る", self.buttons(reply))
        answer = self.send_location(HANAKO, *HOME)
        self.assertNotIn("どこで降りますか", self.text(answer))
        self.assertEqual(RideConversation.objects.get().step, "from")  # the booking waits for a meeting point
        self.assertFalse(Booking.objects.exists())
        self.assert_all_requests_valid()


class HomeChatCase(RideChatTestCase):
    """佐渡 花子 links LINE in the door-to-door 両津 area and books from her house, sent from the map."""

    def setUp(self):
        super().setUp()
        self.ryotsu.door_to_door = True
        self.ryotsu.save()

    def book_from_home(self) -> list[dict]:
        self.link(HANAKO)
        reply = self.send_location(HANAKO, *HOME, address=ADDRESS)
        return self.book_in_line(HANAKO, reply, origin=None, destination="両津病院")


class SaveHomeFromLineTests(HomeChatCase):
    """A place sent from the map for a ride just booked, kept as the rider's home with one tap: next time 「自宅」."""

    def test_the_pickup_place_sent_is_saved_as_home_and_offered_next_time(self):
        answer = self.book_from_home()
        self.assertIn(SAVE_HOME, self.buttons(answer))
        saved = self.press(HANAKO, answer, SAVE_HOME)
        self.assertIn("自宅として登録しました", self.text(saved))
        self.assertNotIn(f"{HOME[0]:.4f}", self.text(saved))  # the reply does not repeat where someone lives
        rider = Rider.objects.get(name="佐渡 花子")
        self.assertEqual((rider.home_lat, rider.home_lon), HOME)
        record = AuditEvent.objects.filter(action="rides.rider_update").latest("pk")
        self.assertEqual(record.changes["channel"], "line")
        self.assertNotIn(str(HOME[0]), str(record.changes))
        # Next time: 「自宅」 is one tap; a ride from a sent place no longer offers to save it (the desk changes it).
        reply = self.say(HANAKO, "予約")
        reply = self.press(HANAKO, reply, self.ryotsu.name)
        reply = self.press(HANAKO, reply, "自宅")
        self.assertIn("自宅から乗ります", self.text(reply))
        self.assertNotIn(SAVE_HOME, self.buttons(self.book_in_line(HANAKO, reply, origin=None,
                                                                              destination="両津総合体育館")))
        self.assert_all_requests_valid()

    def test_a_second_tap_or_a_forged_booking_saves_nothing_more(self):
        answer = self.book_from_home()
        token = parse_qs(self.buttons(answer)[SAVE_HOME]["data"])["t"][0]
        other = actions.save_rider(acting_user=None, area=self.ryotsu, name="両津 太郎", phone="090-1234-5678")
        request = RideRequest(area=self.ryotsu, origin=Place.of(self.point("ryotsu-gym")),
                              destination=Place.of(self.point("ryotsu-hospital")), earliest_pickup=local(self.day, 11),
                              latest_arrival=None)
        theirs = actions.book_ride(acting_user=None, channel=Booking.Channel.WEB, rider=other, request=request).booking
        forged = self.tap(HANAKO, f"ride=save_home&t={token}&v={theirs.pk}")
        self.assertIn("このボタンはもう使えません", self.text(forged))
        self.assertIsNone(Rider.objects.get(name="佐渡 花子").home_lat)
        self.assertIsNone(Rider.objects.get(pk=other.pk).home_lat)
        # The button itself after the conversation ended on the forged tap: stale too, nothing saved.
        again = self.press(HANAKO, answer, SAVE_HOME)
        self.assertIn("このボタンはもう使えません", self.text(again))
        self.assertIsNone(Rider.objects.get(name="佐渡 花子").home_lat)

    def test_a_ride_between_meeting_points_offers_the_usual_trip_not_a_home(self):
        reply = self.link(HANAKO)
        answer = self.book_in_line(HANAKO, reply, origin="市役所両津支所", destination="両津病院")
        self.assertNotIn(SAVE_HOME, self.buttons(answer))
        self.assertNotIn("降りる場所を自宅に登録", self.buttons(answer))


class HomeUsualTripTests(HomeChatCase):
    """A usual trip from (or to) home: saved under a ride booked from 「自宅」, one tap next time, booked at the home
    saved then; not offered while no home is saved."""

    def home_to_hospital(self) -> list[dict]:
        answer = self.book_from_home()
        self.press(HANAKO, answer, SAVE_HOME)
        reply = self.say(HANAKO, "予約")
        reply = self.press(HANAKO, reply, self.ryotsu.name)
        reply = self.press(HANAKO, reply, "自宅")
        return self.book_in_line(HANAKO, reply, origin=None, destination="両津病院", hhmm="11:00")

    def test_a_ride_from_home_is_saved_as_a_usual_trip_and_booked_from_home_next_time(self):
        answer = self.home_to_hospital()
        saved = self.press(HANAKO, answer, "いつもの行き先に登録")
        self.assertIn("いつもの行き先に登録しました：自宅 → 両津病院（11:00から乗る）", self.text(saved))
        trip = UsualTrip.objects.get()
        self.assertEqual((trip.origin, trip.origin_home, trip.destination.name), (None, True, "両津病院"))
        # Next time: one tap, booked at the home as saved.
        reply = self.say(HANAKO, "予約")
        reply = self.press(HANAKO, reply, self.ryotsu.name)
        self.assertIn("・自宅 → 両津病院: 自宅 → 両津病院 (11:00から乗る)", self.text(reply))
        reply = self.press(HANAKO, reply, "自宅 → 両津病院")
        reply = self.press(HANAKO, reply, day_label(self.day + timedelta(days=1)))
        self.assertIn("この内容で予約しますか", self.text(reply))
        self.press(HANAKO, reply, "予約する")
        booking = Booking.objects.latest("pk")
        self.assertEqual(booking.status, Booking.Status.ACCEPTED, booking.reason)
        self.assertEqual(((booking.origin_lat, booking.origin_lon), booking.destination.name), (HOME, "両津病院"))
        # The phone desk sees it on the rider's card; its link fills the booking form's map with the home.
        self.login(self.bob)
        card = reverse("rides:rider", args=["ryotsu", booking.rider_id])
        self.assertContains(self.client.get(card), "自宅 → 両津病院")
        form = self.client.get(card, {"trip": trip.pk}).context["form"]
        self.assertEqual((form.initial["origin_lat"], form.initial["origin_lon"]), HOME)
        self.assert_all_requests_valid()

    def test_without_a_saved_home_the_trip_from_home_is_not_offered(self):
        self.press(HANAKO, self.home_to_hospital(), "いつもの行き先に登録")
        Rider.objects.filter(name="佐渡 花子").update(home_lat=None, home_lon=None)  # the desk removed it
        reply = self.say(HANAKO, "予約")
        reply = self.press(HANAKO, reply, self.ryotsu.name)
        self.assertNotIn("自宅 → 両津病院", self.buttons(reply))
        self.assertIn("どこから乗りますか", self.text(reply))

    def test_a_place_sent_that_is_not_home_is_no_usual_trip(self):
        answer = self.book_from_home()  # no home saved yet: the place is only a place sent
        self.assertNotIn("いつもの行き先に登録", self.buttons(answer))
