"""An evacuation order issued through the staff pages reaches the browsers subscribed for its districts through
the outbox, the transport (pywebpush) and the local push service, which decrypts each message with the browser's
keys; drills go to the test audience only; 410 deactivates; a retry sends nothing twice."""

from datetime import timedelta

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.alerts.tests.order_pages import issue_through_pages
from toki.notify.actions.sending import claim, record
from toki.notify.actions.test_audience import join_code, join_with_code
from toki.notify.channels import Outcome, SendResult
from toki.notify.models import Channel, Delivery, DeliveryBatch, DeliveryState, Notification, Subscriber
from toki.notify.tests.webpush_support import WebPushTestCase
from toki.notify.webpush.transport import topic


class OrderPushTests(WebPushTestCase):
    def issue(self, codes=("ryotsu",), *, drill=False):
        self.login(self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            response = issue_through_pages(self.client, districts=[self.districts[c].pk for c in codes], level=4,
                                           hazard="landslide", reason="土砂災害の危険が高まっています", drill=drill)
        self.assertEqual(response.status_code, 302, response.content[:300])
        return Notification.objects.get()

    def test_it_pushes_the_order_to_the_browsers_of_its_district(self):
        ryotsu, _ = self.browser(["ryotsu"])
        ryotsu_en, _ = self.browser(["ryotsu", "ogi"], language="en")
        aikawa, _ = self.browser(["aikawa"])
        notification = self.issue(["ryotsu"])
        [message] = self.received(ryotsu)
        self.assertIn("避難指示", message["title"])
        self.assertIn("両津", message["body"])
        self.assertEqual((message["category"], message["key"], message["kind"]),
                         ("evacuation_orders", notification.source_key, "new"))
        self.assertTrue(message["url"].startswith("https://bousai.example.jp/"))
        [english] = self.received(ryotsu_en)
        self.assertIn("Evacuation", english["title"])
        self.assertEqual(self.received(aikawa), [])
        self.assertEqual(self.push.refused, [])

    def test_it_sends_orders_with_high_urgency_and_the_configured_ttl(self):
        ryotsu, _ = self.browser(["ryotsu"])
        self.issue(["ryotsu"])
        [held] = self.push.messages(ryotsu["endpoint"])
        batch = DeliveryBatch.objects.get(channel=Channel.WEBPUSH)
        self.assertEqual((held.urgency, held.ttl, held.topic), ("high", 3600, topic(str(batch.retry_key))))

    def test_it_marks_every_delivery_accepted(self):
        for _ in range(3):
            self.browser(["ryotsu"])
        self.issue(["ryotsu"])
        self.assertEqual(list(Delivery.objects.values_list("state", flat=True)), [DeliveryState.ACCEPTED] * 3)

    def test_a_drill_goes_to_the_test_audience_only(self):
        resident, _ = self.browser(["ryotsu"])
        staff, subscriber = self.browser(["ryotsu"])
        self.assertTrue(join_with_code(subscriber=subscriber, code=join_code(self.municipality)))
        self.issue(["ryotsu"], drill=True)
        self.assertEqual(self.received(resident), [])
        [message] = self.received(staff)
        self.assertIn("訓練", message["title"] + message["body"])

    def test_a_gone_subscription_is_deactivated_and_the_others_delivered(self):
        stays, _ = self.browser(["ryotsu"])
        leaves, leaver = self.browser(["ryotsu"])
        self.push.unsubscribe(leaves["endpoint"])
        self.issue(["ryotsu"])
        leaver.refresh_from_db()
        self.assertFalse(leaver.is_active)
        delivery = Delivery.objects.get(subscriber=leaver)
        self.assertEqual(delivery.state, DeliveryState.FAILED)
        self.assertIn("gone", delivery.last_error)
        self.assertTrue(AuditEvent.objects.filter(action="notify.subscriber_gone", object_id=str(leaver.pk)).exists())
        self.assertEqual(len(self.received(stays)), 1)
        self.assertEqual(DeliveryBatch.objects.get(channel=Channel.WEBPUSH).state, DeliveryState.ACCEPTED)

    def test_a_gone_subscriber_gets_nothing_planned_next_time(self):
        leaves, leaver = self.browser(["ryotsu"])
        self.push.unsubscribe(leaves["endpoint"])
        self.issue(["ryotsu"])
        self.assertFalse(Subscriber.objects.get(pk=leaver.pk).is_active)
        self.assertEqual(Delivery.objects.filter(subscriber=leaver).count(), 1)

    def test_a_retry_after_429_sends_only_to_the_ones_refused(self):
        browsers = [self.browser(["ryotsu"])[0] for _ in range(4)]
        self.push.fail_next(1, status=429, retry_after=0)  # Retry-After: 0, so the retry runs at once
        self.issue(["ryotsu"])
        self.assertEqual([len(self.received(b)) for b in browsers], [1, 1, 1, 1])
        self.assertEqual(self.push.stats()["posts"], 5)  # four, and the refused one again
        self.assertEqual(self.push.stats()["subscriptions_posted_more_than_once"], 1)
        batch = DeliveryBatch.objects.get(channel=Channel.WEBPUSH)
        self.assertEqual((batch.state, batch.attempts), (DeliveryState.ACCEPTED, 2))
        self.assertEqual(set(Delivery.objects.values_list("state", flat=True)), {DeliveryState.ACCEPTED})

    def test_a_refused_request_waits_for_retry_after(self):
        for _ in range(3):
            self.browser(["ryotsu"])
        self.push.fail_next(1, status=429, retry_after=120)
        before = timezone.now()
        self.issue(["ryotsu"])
        batch = DeliveryBatch.objects.get(channel=Channel.WEBPUSH)
        self.assertEqual(batch.state, DeliveryState.PLANNED)
        self.assertGreaterEqual(batch.next_attempt_at, before + timedelta(seconds=119))
        self.assertEqual(len(batch.subscriber_ids), 1)  # the two accepted are not sent again
        self.assertEqual(Delivery.objects.filter(state=DeliveryState.ACCEPTED).count(), 2)

    def test_a_server_error_is_retried(self):
        browser, _ = self.browser(["ryotsu"])
        self.push.fail_next(1, status=500, retry_after=0)
        self.issue(["ryotsu"])
        self.assertEqual(len(self.received(browser)), 1)
        self.assertEqual(DeliveryBatch.objects.get(channel=Channel.WEBPUSH).attempts, 2)

    def test_without_a_vapid_key_planning_leaves_web_push_out(self):
        self.browser(["ryotsu"])
        with override_settings(TOKI_WEBPUSH_VAPID_PRIVATE_KEY=""), \
                self.assertLogs("toki.notify.channels", "WARNING") as logs:
            notification = self.issue(["ryotsu"])
        self.assertIn("webpush is not configured", "\n".join(logs.output))
        self.assertFalse(DeliveryBatch.objects.filter(notification=notification, channel=Channel.WEBPUSH).exists())
        self.assertEqual(self.push.stats()["posts"], 0)


class StaleAttemptTests(WebPushTestCase):
    def test_an_expired_attempt_records_its_acceptances_but_does_not_narrow_the_batch(self):
        subscribers = [self.browser(["ryotsu"])[1] for _ in range(3)]
        self.push.fail_next(3, status=429, retry_after=120)
        self.login(self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            issue_through_pages(self.client, districts=[self.districts["ryotsu"].pk], level=4, hazard="flood",
                                reason="川が増水しています")
        batch = DeliveryBatch.objects.get(channel=Channel.WEBPUSH)
        later = timezone.now() + timedelta(seconds=121)
        stale = claim(batch.pk, now=later)  # a worker takes it, then stalls past its lease
        newer = claim(batch.pk, now=later + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS + 1))
        self.assertEqual((stale.attempts, newer.attempts), (2, 3))
        first = subscribers[0]
        result = SendResult(Outcome.RETRY, status=429, error="429", accepted=(first.address,))
        self.assertEqual(record(stale, result, ids={s.address: s.pk for s in subscribers}), "superseded")
        self.assertEqual(Delivery.objects.get(subscriber=first).state, DeliveryState.ACCEPTED)
        self.assertEqual(DeliveryBatch.objects.get(pk=batch.pk).subscriber_ids, [s.pk for s in subscribers])
