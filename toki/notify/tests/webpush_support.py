"""A local push service for a test class, settings pointing Toki at it with a fresh VAPID key, and browsers
registered through the contract (toki.notify.actions.webpush)."""

from django.test import override_settings

from toki.linebot.tests.line_webhook_support import IMMEDIATE_TASKS
from toki.notify.actions.webpush import register_subscription
from toki.notify.webpush import vapid
from toki.notify.webpush.localpush import LocalPushService
from toki.test import BaseTestCase

SUBJECT = "mailto:bousai@example.jp"


class LocalPushMixin:
    """A local push service (reset before each test) and a fresh VAPID key pair for the test class."""

    push: LocalPushService
    vapid: vapid.Vapid

    @classmethod
    def start_push_service(cls) -> None:
        cls.push = LocalPushService().start()
        cls.addClassCleanup(cls.push.stop)  # type: ignore[attr-defined]
        cls.vapid = vapid.generate()

    def setUp(self):
        super().setUp()  # type: ignore[misc]
        self.push.reset()


class WebPushTestCase(LocalPushMixin, BaseTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_push_service()
        cls.push_settings = override_settings(
            TOKI_WEBPUSH_VAPID_PRIVATE_KEY=vapid.private_key_b64(cls.vapid), TOKI_WEBPUSH_VAPID_SUBJECT=SUBJECT,
            TOKI_WEBPUSH_ENDPOINT_HOSTS=[cls.push.base_url], TOKI_WEBPUSH_TTL=3600, TOKI_WEBPUSH_THREADS=4,
            TASKS=IMMEDIATE_TASKS, NOTIFY_SEND_THREADS=1, SITE_URL="https://bousai.example.jp")
        cls.push_settings.enable()
        cls.addClassCleanup(cls.push_settings.disable)

    def browser(self, codes=("ryotsu",), language="ja"):
        """A browser subscribed on the local push service (with Toki's key) and registered with Toki: returns
        (subscription JSON, Subscriber)."""
        subscription = self.push.subscribe(vapid.public_key(self.vapid))
        subscriber = register_subscription(municipality=self.municipality, subscription=subscription,
                                           district_codes=list(codes), language=language)
        return subscription, subscriber

    def received(self, subscription) -> list[dict]:
        return self.push.json_messages(subscription["endpoint"])
