"""受信設定: in LINE (postbacks and quick replies) and on the one-time web page."""

import time
from unittest import mock

from toki.accounts.models import AuditEvent
from toki.linebot.settings_link import make_token, read_token
from toki.linebot.tests.line_webhook_support import LineWebhookTestCase, fixture_event
from toki.notify.models import Category, Subscriber
from toki.notify.tests.helpers import subscriber as make_subscriber

USER = "U" + "1" * 32


def postback(data: str) -> dict:
    return fixture_event("postback_latest", postback={"data": data},
                         webhookEventId=f"01JTOKISETTINGS{time.monotonic_ns() % 10**11:011d}")


class LineSettingsTests(LineWebhookTestCase):
    def setUp(self):
        super().setUp()
        self.send_events(fixture_event("follow"))
        self.subscriber = Subscriber.objects.get(address=USER)
        self.line.reset()

    def last_reply(self) -> dict:
        return self.replies_to(USER)[-1]

    def test_it_shows_the_settings_with_a_button_for_each_thing(self):
        self.send_events(postback("action=settings"))
        message = self.last_reply()
        self.assertEqual(message["type"], "flex")
        buttons = [c["action"] for c in message["contents"]["footer"]["contents"]]
        self.assertEqual([b["data"] for b in buttons if b["type"] == "postback"],
                         ["action=settings&step=language", "action=settings&step=audience",
                          "action=settings&step=districts", "action=settings&step=categories"])
        self.assertTrue(buttons[-1]["uri"].startswith("https://bousai.example.jp/line/settings/"))
        self.assert_all_requests_valid()

    def test_it_changes_the_language_and_answers_in_it(self):
        self.send_events(postback("action=set&language=en"))
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.language, "en")
        self.assertIn("Saved", self.last_reply()["text"])
        self.assertTrue(AuditEvent.objects.filter(action="notify.subscription_updated",
                                                  changes={"fields": ["language"], "via": "line"}).exists())

    def test_it_switches_to_english_with_the_keyword(self):
        self.send_events(fixture_event("message_text_english"))
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.language, "en")

    def test_it_toggles_up_to_three_districts_then_refuses_a_fourth(self):
        codes = list(self.municipality.districts.order_by("sort_order").values_list("code", flat=True))[:4]
        for code in codes:
            self.send_events(postback(f"action=district&code={code}"))
        self.subscriber.refresh_from_db()
        self.assertFalse(self.subscriber.all_districts)
        self.assertEqual(sorted(self.subscriber.districts.values_list("code", flat=True)), sorted(codes[:3]))
        self.assertIn("3", self.last_reply()["text"])
        items = self.last_reply()["quickReply"]["items"]
        self.assertLessEqual(len(items), 13)
        self.assertEqual(sum(i["action"]["label"].startswith("✓") for i in items), 3)
        self.assert_all_requests_valid()

    def test_it_goes_back_to_all_of_the_city_when_the_last_district_is_removed(self):
        code = self.municipality.districts.first().code
        self.send_events(postback(f"action=district&code={code}"))
        self.send_events(postback(f"action=district&code={code}"))
        self.subscriber.refresh_from_db()
        self.assertTrue(self.subscriber.all_districts)
        self.assertFalse(self.subscriber.districts.exists())

    def test_it_toggles_categories_but_keeps_at_least_one(self):
        self.send_events(postback("action=category&code=notices"))
        self.subscriber.refresh_from_db()
        self.assertNotIn("notices", self.subscriber.categories)
        Subscriber.objects.filter(pk=self.subscriber.pk).update(categories=["shelters"])
        self.send_events(postback("action=category&code=shelters"))
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.categories, ["shelters"])

    def test_it_sets_a_tourist_to_english(self):
        self.send_events(postback("action=tourist"))
        self.subscriber.refresh_from_db()
        self.assertEqual((self.subscriber.audience, self.subscriber.language), ("tourist", "en"))


class KeywordTests(LineWebhookTestCase):
    def test_it_answers_the_latest_keyword_with_what_is_in_force_and_the_warnings_link(self):
        self.send_events(fixture_event("message_text_latest_ja"))
        text = self.reply_texts(USER)
        self.assertIn("発令中の避難情報はありません", text)
        self.assertIn("https://bousai.example.jp/warnings/", text)

    def test_it_asks_for_a_location_on_the_shelter_keyword(self):
        self.send_events(fixture_event("message_text_shelter_en"))
        actions = [i["action"]["type"] for i in self.replies_to(USER)[0]["quickReply"]["items"]]
        self.assertEqual(actions[0], "location")

    def test_it_answers_a_location_with_the_three_nearest_shelters_and_map_links(self):
        from toki.shelters.models import Shelter

        for i, (lat, lon) in enumerate([(38.02, 138.37), (38.03, 138.37), (38.10, 138.40), (38.30, 138.50)]):
            Shelter.objects.create(common_id=f"152242-T{i}", municipality=self.municipality, name=f"避難所{i}",
                                   lat=lat, lon=lon, is_designated_shelter=True)
        with mock.patch("toki.linebot.handlers.places_for_location",
                        wraps=__import__("toki.linebot.handlers", fromlist=["x"]).places_for_location) as spy:
            self.send_events(fixture_event("message_location"))
        self.assertEqual(spy.call_args.args[2], 3)
        carousel = self.replies_to(USER)[0]
        self.assertEqual(carousel["type"], "flex")
        bubbles = carousel["contents"]["contents"]
        self.assertEqual([b["body"]["contents"][0]["text"] for b in bubbles], ["避難所0", "避難所1", "避難所2"])
        self.assertIn("約", bubbles[0]["body"]["contents"][1]["text"])
        self.assertIn("destination=38.020000,138.370000", bubbles[0]["footer"]["contents"][0]["action"]["uri"])
        self.assert_all_requests_valid()

    def test_it_answers_a_location_with_open_shelters_first_and_their_crowding(self):
        from toki.hq.actions import open_incident
        from toki.shelters.actions.openings import open_shelter
        from toki.shelters.models import Shelter

        near, far = (Shelter.objects.create(common_id=f"152242-O{i}", municipality=self.municipality,
                                            name=name, lat=lat, lon=138.37, is_designated_shelter=True, capacity=100)
                     for i, (name, lat) in enumerate([("近い避難所", 38.02), ("開設中の避難所", 38.20)]))
        incident = open_incident(acting_user=self.alice, municipality=self.municipality, name="大雨",
                                 kind="heavy_rain")
        open_shelter(acting_user=self.alice, shelter=far, incident=incident)
        self.send_events(fixture_event("message_location"))
        carousel = self.replies_to(USER)[0]
        bubbles = carousel["contents"]["contents"]
        self.assertEqual([b["body"]["contents"][0]["text"] for b in bubbles], ["開設中の避難所"])
        self.assertIn("開設", bubbles[0]["body"]["contents"][1]["text"])
        self.assertNotIn(near.name, carousel["altText"])
        self.assert_all_requests_valid()

    def test_it_says_what_is_in_force_before_the_nearest_shelters(self):
        from toki.alerts.actions.orders import issue_evacuation_order
        from toki.shelters.models import Shelter

        Shelter.objects.create(common_id="152242-F0", municipality=self.municipality, name="避難所F",
                               lat=38.02, lon=138.37, is_designated_shelter=True)
        with self.captureOnCommitCallbacks(execute=False):
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                                   hazard="landslide", reason="崖崩れの危険")
        self.line.reset()
        self.send_events(fixture_event("message_location"))
        first, carousel = self.replies_to(USER)[:2]
        self.assertEqual(first["type"], "text")
        self.assertTrue(first["text"].startswith("⚠ 現在発令中"))
        self.assertIn("両津", first["text"])
        self.assertEqual(carousel["type"], "flex")
        self.assert_all_requests_valid()

    def test_it_sends_no_in_force_message_when_nothing_is_in_force(self):
        from toki.shelters.models import Shelter

        Shelter.objects.create(common_id="152242-F1", municipality=self.municipality, name="避難所F",
                               lat=38.02, lon=138.37, is_designated_shelter=True)
        self.send_events(fixture_event("message_location"))
        self.assertEqual(self.replies_to(USER)[0]["type"], "flex")

    def test_it_says_when_no_shelter_is_open_yet(self):
        from toki.shelters.models import Shelter

        Shelter.objects.create(common_id="152242-N0", municipality=self.municipality, name="避難所N",
                               lat=38.02, lon=138.37, is_designated_shelter=True)
        self.send_events(fixture_event("message_location"))
        self.assertIn("開設している避難所はまだありません", self.replies_to(USER)[0]["altText"])

    def test_it_answers_in_english_for_an_english_subscriber(self):
        self.send_events(fixture_event("follow"))
        Subscriber.objects.filter(address=USER).update(language="en")
        self.send_events(fixture_event("message_text_help"))
        self.assertIn("Send one of these words", self.reply_texts(USER))

    def test_it_does_not_answer_small_talk_in_a_group(self):
        self.send_events(fixture_event("message_text_in_group_not_keyword"))
        self.assertEqual(self.line.by_operation.get("replyMessage", {}), {})


class SettingsPageTests(LineWebhookTestCase):
    def setUp(self):
        super().setUp()
        self.subscriber = make_subscriber(self.municipality)
        self.token = make_token(self.subscriber.pk)
        self.url = f"/line/settings/{self.token}/"

    def form_data(self, **changes) -> dict:
        data = {"language": "en", "audience": "tourist", "area": "chosen",
                "districts": [d.code for d in self.municipality.districts.all()[:2]],
                "categories": ["evacuation_orders", "shelters"]}
        data.update(changes)
        return data

    def test_it_shows_the_form_in_japanese_with_the_current_settings(self):
        response = self.client.get(self.url)
        self.assertContains(response, "受信設定")
        self.assertEqual(response.context["form"].initial["language"], "ja")
        self.assertNotIn(self.subscriber.address, response.content.decode())

    def test_it_saves_the_choices_at_once_and_uses_up_the_link(self):
        response = self.client.post(self.url, self.form_data())
        self.assertEqual(response.status_code, 200)
        self.subscriber.refresh_from_db()
        self.assertEqual((self.subscriber.language, self.subscriber.audience), ("en", "tourist"))
        self.assertFalse(self.subscriber.all_districts)
        self.assertEqual(self.subscriber.districts.count(), 2)
        self.assertEqual(self.subscriber.categories, ["evacuation_orders", "shelters"])
        self.assertContains(response, "Settings saved")
        again = self.client.get(self.url)  # a reload after saving: it was saved, and the link works no more
        self.assertEqual(again.status_code, 410)
        self.assertContains(again, "Your settings were saved with this link", status_code=410)
        self.assertContains(again, "Language: English", status_code=410)
        self.assertNotContains(again, "Nothing was changed", status_code=410)

    def test_it_refuses_a_second_submission(self):
        self.client.post(self.url, self.form_data())
        response = self.client.post(self.url, self.form_data(language="ko"))
        self.assertEqual(response.status_code, 410)
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.language, "en")

    def test_it_refuses_more_than_three_districts(self):
        codes = [d.code for d in self.municipality.districts.all()[:4]]
        response = self.client.post(self.url, self.form_data(districts=codes))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["districts"])
        self.subscriber.refresh_from_db()
        self.assertTrue(self.subscriber.all_districts)
        self.assertEqual(self.client.get(self.url).status_code, 200)  # an invalid form does not use the link

    def test_it_refuses_no_category(self):
        response = self.client.post(self.url, self.form_data(categories=[]))
        self.assertTrue(response.context["form"].errors["categories"])

    def test_it_refuses_an_expired_link(self):
        with mock.patch("toki.linebot.settings_page.read_token",
                        side_effect=lambda token: read_token(token, max_age=-1)):
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 410)
        self.assertContains(response, "期限", status_code=410)

    def test_it_refuses_a_tampered_link(self):
        other = make_subscriber(self.municipality)
        forged = self.token.replace(f"{self.subscriber.pk}.", f"{other.pk}.", 1)
        self.assertEqual(self.client.get(f"/line/settings/{forged}/").status_code, 404)

    def test_it_refuses_the_link_of_a_subscriber_who_unfollowed(self):
        Subscriber.objects.filter(pk=self.subscriber.pk).update(is_active=False)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_records_no_personal_data_in_the_audit_trail(self):
        self.client.post(self.url, self.form_data())
        for event in AuditEvent.objects.filter(object_type="notify.subscriber"):
            self.assertNotIn(self.subscriber.address, str(event.changes))
            self.assertNotIn("tourist", str(event.changes))

    def test_it_keeps_all_categories_valid(self):
        self.assertEqual(set(self.subscriber.categories), set(Category.values))

    def test_it_shows_the_page_in_the_subscribers_language_unless_the_browser_chose_one(self):
        Subscriber.objects.filter(pk=self.subscriber.pk).update(language="en")
        self.assertContains(self.client.get(self.url), "Save these settings")
        self.client.cookies["toki_language"] = "ja"
        self.assertContains(self.client.get(self.url), "この設定で保存する")

    def test_it_names_the_districts_in_english_on_an_english_page(self):
        Subscriber.objects.filter(pk=self.subscriber.pk).update(language="en")
        self.assertContains(self.client.get(self.url), "Ryotsu")
