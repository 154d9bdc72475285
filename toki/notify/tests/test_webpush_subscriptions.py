"""register_subscription / unregister_subscription / webpush_public_key: the contract the household app calls
(docs/webpush.md)."""

from django.core.exceptions import ValidationError
from django.test import override_settings

from toki.accounts.models import AuditEvent
from toki.areas.models import District
from toki.notify.actions.webpush import register_subscription, unregister_subscription
from toki.notify.models import Channel, Subscriber
from toki.notify.selectors import webpush_public_key
from toki.notify.webpush import vapid
from toki.notify.webpush.ece import BrowserKeys, subscription_json
from toki.notify.webpush.subscription import from_address
from toki.test import ProfileTestCase

FCM = "https://fcm.googleapis.com/fcm/send/"


def browser_subscription(endpoint: str = FCM + "dXNlcjE:APA91bH" + "x" * 140) -> dict:
    return subscription_json(endpoint, BrowserKeys.generate())


class RegisterTests(ProfileTestCase):
    def register(self, subscription, codes=("ryotsu",), language="ja"):
        return register_subscription(municipality=self.municipality, subscription=subscription,
                                     district_codes=list(codes), language=language)

    def assertRefused(self, subscription, field, codes=("ryotsu",), language="ja"):
        with self.assertRaises(ValidationError) as raised:
            self.register(subscription, codes, language)
        self.assertIn(field, raised.exception.message_dict)
        self.assertFalse(Subscriber.objects.filter(channel=Channel.WEBPUSH).exists())
        return raised.exception.message_dict[field]

    def test_it_registers_a_resident_subscriber_of_the_districts(self):
        subscription = browser_subscription()
        subscriber = self.register(subscription, codes=["ryotsu", "aikawa"], language="en")
        self.assertEqual(subscriber.channel, Channel.WEBPUSH)
        self.assertEqual(subscriber.audience, Subscriber.Audience.RESIDENT)
        self.assertFalse(subscriber.all_districts)
        self.assertEqual(set(subscriber.districts.values_list("code", flat=True)), {"ryotsu", "aikawa"})
        self.assertEqual(subscriber.language, "en")
        stored = from_address(subscriber.address)
        self.assertEqual((stored.endpoint, stored.p256dh, stored.auth),
                         (subscription["endpoint"], subscription["keys"]["p256dh"], subscription["keys"]["auth"]))
        event = AuditEvent.objects.get(action="notify.webpush_registered")
        self.assertNotIn(subscription["endpoint"], str(event.changes))

    def test_it_is_idempotent_on_the_endpoint(self):
        first = self.register(browser_subscription(), codes=["ryotsu"])
        again = self.register(browser_subscription(), codes=["aikawa"], language="ko")
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(Subscriber.objects.filter(channel=Channel.WEBPUSH).count(), 1)
        again.refresh_from_db()
        self.assertEqual((list(again.districts.values_list("code", flat=True)), again.language), (["aikawa"], "ko"))

    def test_it_subscribes_to_the_whole_municipality_without_codes(self):
        self.assertTrue(self.register(browser_subscription(), codes=[]).all_districts)

    def test_it_keeps_a_mozilla_endpoint_longer_than_500_characters(self):
        endpoint = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAAB" + "k" * 420
        subscriber = self.register(browser_subscription(endpoint))
        self.assertGreater(len(subscriber.address), 500)
        self.assertEqual(from_address(Subscriber.objects.get().address).endpoint, endpoint)

    def test_it_refuses_a_plain_http_endpoint(self):
        self.assertRefused(browser_subscription("http://fcm.googleapis.com/fcm/send/x"), "subscription.endpoint")

    def test_it_refuses_an_endpoint_that_is_not_a_push_service(self):
        message = self.assertRefused(browser_subscription("https://intranet.example.jp/admin"),
                                     "subscription.endpoint")
        self.assertIn("push service", message[0])

    def test_it_refuses_a_missing_endpoint(self):
        subscription = browser_subscription()
        del subscription["endpoint"]
        self.assertRefused(subscription, "subscription.endpoint")

    def test_it_refuses_a_p256dh_that_is_not_a_point(self):
        subscription = browser_subscription()
        subscription["keys"]["p256dh"] = "BA" + "A" * 85
        self.assertIn("P-256", self.assertRefused(subscription, "subscription.keys.p256dh")[0])

    def test_it_refuses_an_auth_secret_of_the_wrong_length(self):
        subscription = browser_subscription()
        subscription["keys"]["auth"] = "AAAA"
        self.assertIn("16 bytes", self.assertRefused(subscription, "subscription.keys.auth")[0])

    def test_it_refuses_keys_that_are_not_base64url(self):
        subscription = browser_subscription()
        subscription["keys"]["auth"] = "a+b/c"
        self.assertRefused(subscription, "subscription.keys.auth")

    def test_it_refuses_missing_keys(self):
        subscription = browser_subscription()
        del subscription["keys"]
        self.assertRefused(subscription, "subscription.keys")

    def test_it_refuses_a_subscription_that_is_not_an_object(self):
        self.assertRefused("https://fcm.googleapis.com/x", "subscription")

    def test_it_refuses_an_unknown_district(self):
        self.assertRefused(browser_subscription(), "districts", codes=["atlantis"])

    def test_it_refuses_an_unknown_language(self):
        self.assertRefused(browser_subscription(), "language", language="xx")

    def test_it_unregisters_by_endpoint(self):
        subscription = browser_subscription()
        self.register(subscription)
        self.assertTrue(unregister_subscription(endpoint=subscription["endpoint"]))
        self.assertFalse(Subscriber.objects.get().is_active)
        self.assertFalse(unregister_subscription(endpoint=subscription["endpoint"]))

    def test_it_does_not_unregister_an_unknown_endpoint(self):
        self.register(browser_subscription())
        self.assertFalse(unregister_subscription(endpoint=FCM + "someone-else"))
        self.assertTrue(Subscriber.objects.get().is_active)

    def test_it_reactivates_an_unregistered_endpoint(self):
        subscription = browser_subscription()
        self.register(subscription)
        unregister_subscription(endpoint=subscription["endpoint"])
        self.assertTrue(self.register(subscription).is_active)

    def test_a_district_code_of_another_municipality_is_unknown(self):
        self.assertTrue(District.objects.filter(municipality=self.municipality, code="ryotsu").exists())
        self.assertRefused(browser_subscription(), "districts", codes=["ryotsu", "nowhere"])


class PublicKeyTests(ProfileTestCase):
    def test_it_is_empty_without_a_key(self):
        with override_settings(TOKI_WEBPUSH_VAPID_PRIVATE_KEY="", TOKI_WEBPUSH_VAPID_SUBJECT="mailto:a@example.jp"):
            self.assertEqual(webpush_public_key(), "")

    def test_it_is_the_uncompressed_point_of_the_configured_key(self):
        keys = vapid.generate()
        with override_settings(TOKI_WEBPUSH_VAPID_PRIVATE_KEY=vapid.private_key_b64(keys),
                               TOKI_WEBPUSH_VAPID_SUBJECT="mailto:bousai@example.jp"):
            key = webpush_public_key()
        self.assertEqual(key, vapid.public_key(keys))
        self.assertEqual(len(key), 87)
        self.assertTrue(key.startswith("B"))
