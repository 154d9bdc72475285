"""The LINE webhook view: signature, body checks, deduplication, and the events that change subscribers."""

import json
import logging
from unittest import mock

from django.test import override_settings

from toki.accounts.models import AuditEvent
from toki.linebot.models import LineWebhookEvent
from toki.linebot.tests.line_webhook_support import (
    TEST_SECRET,
    LineWebhookTestCase,
    body_of,
    fixture_event,
)
from toki.linebot.webhook import MAX_BODY_BYTES, signature_for
from toki.notify.models import Channel, Subscriber

USER = "U" + "1" * 32  # the user of the fixtures' user-source events


class WebhookRequestTests(LineWebhookTestCase):
    def test_it_answers_200_and_stores_a_signed_event_once(self):
        response = self.send_events(fixture_event("postback_latest"))
        self.assertEqual(response.content, b"1 new of 1")
        self.assertEqual(LineWebhookEvent.objects.count(), 1)

    def test_it_refuses_a_bad_signature_with_400_and_stores_nothing(self):
        body = body_of(fixture_event("follow"))
        response = self.post_webhook(body, secret="another-secret")
        self.assertEqual(response.status_code, 400)
        self.assertIn("does not match", response.json()["error"])
        self.assertFalse(LineWebhookEvent.objects.exists())
        self.assertFalse(Subscriber.objects.exists())
        self.assertEqual(list(self.line.requests), [])

    def test_it_refuses_a_body_changed_after_signing(self):
        body = body_of(fixture_event("follow"))
        signature = signature_for(body, TEST_SECRET)
        changed = body.replace(b'"isUnblocked": false', b'"isUnblocked": true ')
        response = self.post_webhook(changed, signature=signature)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(LineWebhookEvent.objects.exists())

    def test_it_refuses_a_missing_signature_with_400(self):
        response = self.post_webhook(body_of(fixture_event("follow")), signature="")
        self.assertEqual(response.status_code, 400)
        self.assertIn("X-Line-Signature", response.json()["error"])
        self.assertFalse(LineWebhookEvent.objects.exists())

    def test_it_refuses_malformed_json_with_the_reason(self):
        response = self.post_webhook(b'{"destination": "U", "events": [')
        self.assertEqual(response.status_code, 400)
        self.assertIn("not JSON", response.json()["error"])
        self.assertFalse(LineWebhookEvent.objects.exists())

    def test_it_refuses_an_event_without_webhook_event_id(self):
        event = fixture_event("follow")
        del event["webhookEventId"]
        response = self.post_webhook(body_of(event))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"], "events[0].webhookEventId is missing, not a string or longer "
                                                   "than 64 characters")

    def test_it_refuses_a_body_that_is_not_an_envelope(self):
        response = self.post_webhook(json.dumps([1, 2]).encode())
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"], "the body must be a JSON object")

    def test_it_refuses_a_too_large_body_before_reading_it(self):
        response = self.post_webhook(b"{}", CONTENT_LENGTH=str(MAX_BODY_BYTES + 1))
        self.assertEqual(response.status_code, 413)

    def test_it_accepts_the_empty_verification_request(self):
        response = self.post_webhook(body_of())
        self.assertEqual(response.status_code, 200)
        self.assertFalse(LineWebhookEvent.objects.exists())

    def test_it_allows_post_only(self):
        self.assertEqual(self.client.get("/line/webhook").status_code, 405)

    def test_it_needs_no_csrf_token(self):
        self.client = self.client_class(enforce_csrf_checks=True)
        self.assertEqual(self.send_events(fixture_event("unfollow")).status_code, 200)

    @override_settings(LINE_CHANNEL_SECRET="")
    def test_it_refuses_everything_when_no_channel_secret_is_configured(self):
        response = self.post_webhook(body_of(fixture_event("follow")), secret="")
        self.assertEqual(response.status_code, 503)
        self.assertFalse(LineWebhookEvent.objects.exists())


class DeduplicationTests(LineWebhookTestCase):
    def test_it_handles_a_redelivered_event_once(self):
        event = fixture_event("follow")
        self.send_events(event)
        redelivered = {**event, "deliveryContext": {"isRedelivery": True}}
        response = self.send_events(redelivered)
        self.assertEqual(response.content, b"0 new of 1")
        self.assertEqual(LineWebhookEvent.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="notify.subscriber_followed").count(), 1)
        self.assertEqual(len([d for d in self.line.received[USER] if d.operation == "replyMessage"]), 1)

    def test_it_handles_a_first_delivery_marked_as_redelivery(self):
        event = fixture_event("postback_latest", deliveryContext={"isRedelivery": True})
        self.send_events(event)
        stored = LineWebhookEvent.objects.get()
        self.assertTrue(stored.is_redelivery)
        self.assertIsNotNone(stored.processed_at)
        self.assertEqual(len(self.replies_to(USER)), 1)

    def test_it_keeps_the_first_of_two_copies_in_one_request(self):
        event = fixture_event("postback_latest")
        self.send_events(event, event)
        self.assertEqual(LineWebhookEvent.objects.count(), 1)
        self.assertEqual(len(self.replies_to(USER)), 1)

    def test_it_forgets_the_event_body_once_handled(self):
        self.send_events(fixture_event("message_location"))
        stored = LineWebhookEvent.objects.get()
        self.assertEqual(stored.body, {})
        self.assertEqual(stored.error, "")

    def test_it_processes_a_stored_event_only_once_even_if_the_task_runs_twice(self):
        from toki.linebot.tasks import process_line_webhook_event

        self.send_events(fixture_event("postback_latest"))
        process_line_webhook_event.call(LineWebhookEvent.objects.get().pk)
        self.assertEqual(len(self.replies_to(USER)), 1)


class FollowTests(LineWebhookTestCase):
    def test_it_creates_an_active_subscriber_on_follow_and_welcomes_them(self):
        self.send_events(fixture_event("follow"))
        subscriber = Subscriber.objects.get(channel=Channel.LINE, address=USER)
        self.assertTrue(subscriber.is_active)
        self.assertIsNotNone(subscriber.followed_at)
        self.assertEqual(subscriber.municipality, self.municipality)
        texts = self.reply_texts(USER)
        self.assertIn("https://bousai.example.jp/line/settings/", texts)
        self.assert_all_requests_valid()

    def test_it_deactivates_on_unfollow_and_reactivates_on_follow(self):
        self.send_events(fixture_event("follow"))
        self.send_events(fixture_event("unfollow"))
        subscriber = Subscriber.objects.get(address=USER)
        self.assertFalse(subscriber.is_active)
        self.assertIsNotNone(subscriber.unfollowed_at)
        self.send_events(fixture_event("follow_unblocked"))
        subscriber.refresh_from_db()
        self.assertTrue(subscriber.is_active)
        self.assertIsNone(subscriber.unfollowed_at)

    def test_it_reactivates_a_friend_marked_as_blocked_who_writes(self):
        self.send_events(fixture_event("follow"), fixture_event("unfollow"))
        self.send_events(fixture_event("message_text_help"))  # the follow event in between was lost
        self.assertTrue(Subscriber.objects.get(address=USER).is_active)

    def test_it_keeps_the_settings_of_a_returning_friend(self):
        self.send_events(fixture_event("follow"))
        Subscriber.objects.filter(address=USER).update(language="en")
        self.send_events(fixture_event("unfollow"), fixture_event("follow_unblocked"))
        self.assertEqual(Subscriber.objects.get(address=USER).language, "en")
        welcome_back = self.replies_to(USER)[-2]["text"]  # told what they kept, not "all of the city" by default
        self.assertTrue(welcome_back.startswith("Welcome back to the disaster information account of Sado City"))
        self.assertIn("Language: English", welcome_back)

    def test_it_writes_audit_events_without_the_line_user_id(self):
        self.send_events(fixture_event("follow"), fixture_event("unfollow"))
        events = AuditEvent.objects.filter(action__startswith="notify.subscriber_")
        self.assertEqual(events.count(), 2)
        for event in events:
            self.assertIsNone(event.actor_id)
            self.assertNotIn(USER, json.dumps(event.changes))

    def test_it_never_logs_user_ids_or_texts(self):
        with self.assertLogs("toki", level="DEBUG") as logs:  # the conversation and the subscriber actions
            self.send_events(fixture_event("message_text_other_with_emoji_and_mention"), fixture_event("beacon"),
                             fixture_event("message_sticker"))
            logging.getLogger("toki.linebot").info("end")
        joined = "\n".join(logs.output)
        self.assertNotIn(USER, joined)
        self.assertNotIn("こんにちは", joined)


class FailureTests(LineWebhookTestCase):
    def test_it_records_a_failing_handler_without_the_event_content_and_goes_on(self):
        with mock.patch("toki.linebot.handlers.subscriptions.follow_line_user",
                        side_effect=RuntimeError(f"boom {USER}")), self.assertLogs("toki.linebot", "ERROR") as logs:
            self.send_events(fixture_event("follow"), fixture_event("message_text_in_room_keyword"))
        failed, answered = LineWebhookEvent.objects.order_by("pk")
        self.assertEqual(failed.error, "handler failed: RuntimeError")
        self.assertEqual(failed.body, {})
        self.assertEqual(answered.error, "")
        self.assertNotIn(USER, "\n".join(logs.output))
        self.assertTrue(all(record.exc_info is None for record in logs.records))  # no traceback with the message
        self.assertEqual(self.replies_to(USER), [])
        self.assertEqual(len(self.replies_to("U" + "3" * 32)), 1)  # the room's keyword was still answered

    def test_it_records_a_refused_reply(self):
        event = fixture_event("postback_latest", replyToken="expired-token")
        self.post_webhook(body_of(event))
        self.assertEqual(LineWebhookEvent.objects.get().error, "reply refused: HTTP 400")


class ForwardCompatibilityTests(LineWebhookTestCase):
    def test_it_handles_an_event_type_the_spec_does_not_list_yet(self):
        things = fixture_event("beacon", type="things", things={"deviceId": "t2", "type": "link"})
        del things["beacon"]
        self.send_events(things)
        stored = LineWebhookEvent.objects.get()
        self.assertEqual((stored.event_type, stored.error), ("things", ""))
        self.assertIsNotNone(stored.processed_at)

    def test_it_stores_a_request_with_a_query_count_that_grows_only_with_new_events(self):
        events = [fixture_event(name) for name in ("follow", "postback_latest", "beacon")]
        body = body_of(*events)
        with self.captureOnCommitCallbacks(execute=False), self.assertNumQueries(12):
            # the transaction, one look-up of known ids, then a savepoint, an insert and a release per new event
            self.client.post("/line/webhook", data=body, content_type="application/json",
                             HTTP_X_LINE_SIGNATURE=signature_for(body, TEST_SECRET))
        with self.captureOnCommitCallbacks(execute=False), self.assertNumQueries(3):
            self.client.post("/line/webhook", data=body, content_type="application/json",
                             HTTP_X_LINE_SIGNATURE=signature_for(body, TEST_SECRET))


class FollowLanguageTests(LineWebhookTestCase):
    def test_it_starts_a_new_friend_in_the_language_of_their_line_app(self):
        self.line.profiles[USER] = {"displayName": "Visitor", "language": "en-US"}
        self.send_events(fixture_event("follow"))
        self.assertEqual(Subscriber.objects.get(address=USER).language, "en")
        self.assertIn("Thank you for adding the disaster information account of Sado City (佐渡市)",
                      self.reply_texts(USER))
        self.assert_all_requests_valid()

    def test_it_keeps_japanese_when_line_does_not_tell_the_language(self):
        self.line.profiles[USER] = {"displayName": "住民"}
        self.send_events(fixture_event("follow"))
        self.assertEqual(Subscriber.objects.get(address=USER).language, "ja")

    def test_it_maps_app_languages_to_toki_languages(self):
        from toki.linebot.handlers import language_for_tag

        self.assertEqual([language_for_tag(t) for t in ("ja", "zh-Hant", "zh-Hans", "ko", "th", "")],
                         ["ja", "zh-hans", "zh-hans", "ko", "en", ""])
