"""Every event type of LINE's webhook spec, built from its schemas (fixtures/line_webhook_events.json), signed with
a test secret and posted to the view: each is stored, handled without error, and answered (or not) as it should;
every reply request is valid against the Messaging API spec of the local LINE server."""

from toki.linebot.handlers import SPEC_EVENT_TYPES
from toki.linebot.models import LineWebhookEvent
from toki.linebot.tests.line_webhook_support import (
    WEBHOOK_FIXTURES,
    WEBHOOK_SPEC,
    LineWebhookTestCase,
    body_of,
    fixture_event,
)
from toki.notify.line.openapi_check import Spec
from toki.notify.models import Subscriber

USER = "U" + "1" * 32
# Fixtures answered with a reply; all others must not be (no reply token, nothing to say, or standby mode).
ANSWERED = {
    "follow", "follow_unblocked", "join", "postback_latest", "postback_with_params", "message_text_latest_ja",
    "message_text_shelter_en", "message_text_lifelines_ja", "message_text_settings_ja", "message_text_english",
    "message_text_help", "message_text_other_with_emoji_and_mention", "message_image", "message_video",
    "message_audio", "message_file", "message_location", "message_sticker", "message_text_in_room_keyword",
}


class WebhookFixtureTests(LineWebhookTestCase):
    def test_it_has_a_fixture_for_every_event_type_of_the_spec(self):
        spec = Spec.load(WEBHOOK_SPEC)
        mapped = set(spec.document["components"]["schemas"]["Event"]["discriminator"]["mapping"])
        self.assertEqual(mapped, set(SPEC_EVENT_TYPES))
        types = {event["type"] for event in WEBHOOK_FIXTURES["events"].values()}
        self.assertEqual(types, mapped)
        message_types = {e["message"]["type"] for e in WEBHOOK_FIXTURES["events"].values() if e["type"] == "message"}
        self.assertEqual(message_types,
                         set(spec.document["components"]["schemas"]["MessageContent"]["discriminator"]["mapping"]))

    def test_it_has_fixtures_valid_against_the_webhook_schema(self):
        spec = Spec.load(WEBHOOK_SPEC)
        payload = {"destination": WEBHOOK_FIXTURES["destination"], "events": list(WEBHOOK_FIXTURES["events"].values())}
        self.assertEqual([d.as_json() for d in spec.validate(payload, "CallbackRequest")], [])

    def test_it_handles_every_fixture_without_error(self):
        for name in WEBHOOK_FIXTURES["events"]:
            with self.subTest(name):
                self.line.reset()
                event = self.with_reply_token(fixture_event(name))
                response = self.post_webhook(body_of(event))
                self.assertEqual(response.status_code, 200, response.content)
                stored = LineWebhookEvent.objects.get(event_id=event["webhookEventId"])
                self.assertEqual(stored.event_type, event["type"])
                self.assertIsNotNone(stored.processed_at)
                self.assertEqual(stored.error, "")
                self.assertEqual(stored.body, {})
                replies = [r for r in self.line.requests if r.path == "/v2/bot/message/reply"]
                self.assertEqual(len(replies), 1 if name in ANSWERED else 0, [r.json for r in replies])
                self.assertEqual([r for r in replies if r.status != 200], [])
                self.assert_all_requests_valid()

    def test_it_handles_all_fixtures_in_one_request(self):
        events = [self.with_reply_token(fixture_event(name)) for name in WEBHOOK_FIXTURES["events"]]
        self.post_webhook(body_of(*events))
        self.assertEqual(LineWebhookEvent.objects.filter(error="").exclude(processed_at=None).count(), len(events))
        self.assert_all_requests_valid()
        self.assertFalse(Subscriber.objects.get(address=USER).is_active)  # the last fixture is the unfollow

    def test_it_answers_nothing_in_standby_mode(self):
        self.send_events(fixture_event("postback_standby"))
        self.assertEqual(self.replies_to(USER), [])
        self.assertEqual(LineWebhookEvent.objects.get().error, "")
