"""Sending batches to the local LINE server (real HTTP, requests checked against LINE's OpenAPI document):
acceptance, the fixed retry key, 409, 429/5xx/connection retries with backoff, failures, death, the sweep."""

from datetime import timedelta

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from toki.alerts.actions.orders import issue_evacuation_order
from toki.alerts.announce import announce_alert as plan_alert
from toki.notify.actions.sending import Held, claim, send_batch, send_batches
from toki.notify.actions.sweep import requeue_batches
from toki.notify.line.localserver import LocalLineServer
from toki.notify.models import Delivery, DeliveryBatch, DeliveryState
from toki.notify.tests.helpers import subscriber
from toki.test import BaseTestCase

TOKEN = "test-token"


class SendingTests(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        import linebot.v3.messaging  # noqa: F401 - the SDK's slow first import, outside the timed sends

        cls.line = LocalLineServer(TOKEN).start()
        cls.settings_override = override_settings(
            LINE_API_BASE_URL=cls.line.base_url, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, NOTIFY_MAX_ATTEMPTS=3,
            NOTIFY_RETRY_BASE_SECONDS=2, NOTIFY_RETRY_MAX_SECONDS=600, NOTIFY_LEASE_SECONDS=60)
        cls.settings_override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.settings_override.disable()
        cls.line.stop()

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.subscribers = [subscriber(cls.municipality) for _ in range(3)]
        with cls.captureOnCommitCallbacks(execute=False):
            alert = issue_evacuation_order(acting_user=cls.alice, districts=[cls.districts["ryotsu"]], level=4,
                                           hazard="flood", reason="増水")[0].issue_alert
            cls.notification = plan_alert(alert.pk)
        cls.batch = DeliveryBatch.objects.get(notification=cls.notification)

    def setUp(self):
        super().setUp()
        self.line.reset()

    def reload(self) -> DeliveryBatch:
        return DeliveryBatch.objects.get(pk=self.batch.pk)

    def make_due(self):
        DeliveryBatch.objects.filter(pk=self.batch.pk).update(next_attempt_at=timezone.now())

    def states(self) -> set[str]:
        return set(Delivery.objects.filter(batch=self.batch).values_list("state", flat=True))

    def assert_each_received_once(self):
        counts = self.line.delivery_counts()
        self.assertEqual(counts, {s.address: 1 for s in self.subscribers})

    def sent_retry_keys(self) -> list[str]:
        return [r.headers.get("x-line-retry-key") for r in self.line.requests if r.operation == "multicast"]

    def test_it_marks_deliveries_accepted_when_line_accepts(self):
        self.assertEqual(send_batch(self.batch.pk), DeliveryState.ACCEPTED)
        batch = self.reload()
        self.assertEqual((batch.state, batch.attempts, batch.response_status), (DeliveryState.ACCEPTED, 1, 200))
        self.assertTrue(batch.request_id)
        self.assertEqual(len(batch.body_sha256), 64)
        self.assertEqual(self.states(), {DeliveryState.ACCEPTED})
        self.assert_each_received_once()
        self.assertEqual(self.line.invalid_requests, [])

    def test_it_sends_a_group_of_batches_and_counts_the_outcomes(self):
        with override_settings(NOTIFY_SEND_THREADS=1):  # threads need their own connections: not in a TestCase
            self.assertEqual(send_batches([self.batch.pk, self.batch.pk]), {DeliveryState.ACCEPTED: 1, "not due": 1})
        self.assert_each_received_once()

    def test_it_sends_the_same_retry_key_on_every_attempt(self):
        self.line.fail_next(1, status=500)
        self.assertEqual(send_batch(self.batch.pk), "retry")
        self.make_due()
        self.assertEqual(send_batch(self.batch.pk), DeliveryState.ACCEPTED)
        self.assertEqual(self.sent_retry_keys(), [str(self.batch.retry_key)] * 2)

    def test_it_counts_409_as_accepted_and_delivers_once(self):
        self.line.fail_next(1, status=500, deliver=True)  # LINE carried it out but the answer was lost
        self.assertEqual(send_batch(self.batch.pk), "retry")
        self.make_due()
        self.assertEqual(send_batch(self.batch.pk), DeliveryState.ACCEPTED)
        batch = self.reload()
        self.assertEqual(batch.response_status, 409)
        self.assertTrue(batch.request_id)  # X-Line-Accepted-Request-Id
        self.assert_each_received_once()

    def test_it_retries_a_dropped_connection_without_sending_twice(self):
        self.line.drop_next(1, deliver=True)
        self.assertEqual(send_batch(self.batch.pk), "retry")
        self.assertIsNone(self.reload().response_status)
        self.make_due()
        self.assertEqual(send_batch(self.batch.pk), DeliveryState.ACCEPTED)
        self.assert_each_received_once()

    def test_it_backs_off_exponentially_on_429(self):
        windows = []
        for _ in range(2):
            self.line.fail_next(1, status=429)
            before = timezone.now()
            self.assertEqual(send_batch(self.batch.pk), "retry")
            after = timezone.now()
            batch = self.reload()
            self.assertEqual((batch.state, batch.response_status), (DeliveryState.PLANNED, 429))
            # The delay counts from the answer, somewhere between `before` and `after`.
            windows.append(((batch.next_attempt_at - after).total_seconds(),
                            (batch.next_attempt_at - before).total_seconds()))
            self.make_due()
        self.assertTrue(windows[0][0] <= 2.4 and windows[0][1] >= 1.6, windows)  # base 2 s ± 20%
        self.assertTrue(windows[1][0] <= 4.8 and windows[1][1] >= 3.2, windows)  # doubled
        self.assertEqual(self.states(), {DeliveryState.PLANNED})

    def test_it_does_not_send_a_planned_retry_before_it_is_due(self):
        self.line.fail_next(1, status=503)
        send_batch(self.batch.pk)
        self.assertEqual(send_batch(self.batch.pk), "not due")
        self.assertEqual(len(self.sent_retry_keys()), 1)

    def test_it_fails_at_once_on_a_bad_request(self):
        self.line.fail_next(1, status=400)
        self.assertEqual(send_batch(self.batch.pk), DeliveryState.FAILED)
        self.assertEqual(self.states(), {DeliveryState.FAILED})
        self.make_due()
        self.assertEqual(send_batch(self.batch.pk), "not due")  # a failed batch is never sent again by itself

    def test_it_fails_when_the_monthly_quota_is_reached(self):
        self.line.monthly_limit_reached = True
        try:
            self.assertEqual(send_batch(self.batch.pk), DeliveryState.FAILED)
        finally:
            self.line.monthly_limit_reached = False
        self.assertIn("quota", self.reload().last_error)

    def test_it_gives_up_after_the_maximum_attempts(self):
        self.line.fail_next(3, status=503)
        outcomes = []
        for _ in range(3):
            outcomes.append(send_batch(self.batch.pk))
            self.make_due()
        self.assertEqual(outcomes, ["retry", "retry", DeliveryState.DEAD])
        self.assertEqual(self.states(), {DeliveryState.DEAD})
        self.assertEqual(self.line.delivery_counts(), {})

    def test_it_lets_one_worker_claim_a_batch(self):
        self.assertIsNotNone(claim(self.batch.pk))
        self.assertIsNone(claim(self.batch.pk))
        self.assertEqual(self.reload().state, DeliveryState.SENDING)
        self.assertEqual(self.states(), {DeliveryState.PLANNED})  # deliveries change once, with the outcome

    def test_it_takes_over_a_batch_whose_lease_expired(self):
        claim(self.batch.pk)  # a worker claimed it and died
        later = timezone.now() + timedelta(seconds=61)
        taken = claim(self.batch.pk, now=later)
        self.assertEqual(taken.attempts, 2)

    def test_it_sweeps_a_stuck_batch_once(self):
        claim(self.batch.pk)
        DeliveryBatch.objects.filter(pk=self.batch.pk).update(
            lease_until=timezone.now() - timedelta(seconds=1), enqueued_at=timezone.now() - timedelta(minutes=5))
        self.assertEqual(requeue_batches(), 1)
        self.assertEqual(requeue_batches(), 0)
        self.assertEqual(send_batch(self.batch.pk), DeliveryState.ACCEPTED)
        self.assert_each_received_once()

    def test_it_enqueues_again_a_planned_batch_whose_job_was_lost_after_a_few_seconds(self):
        # Its job went with a Redis restart, or with a worker killed before it started the group (issue 22).
        ago = lambda seconds: timezone.now() - timedelta(seconds=seconds)  # noqa: E731
        DeliveryBatch.objects.filter(pk=self.batch.pk).update(enqueued_at=ago(1))
        self.assertEqual(requeue_batches(), 0)  # its job may still be queued
        DeliveryBatch.objects.filter(pk=self.batch.pk).update(enqueued_at=ago(settings.NOTIFY_REQUEUE_SECONDS + 1))
        self.assertEqual(requeue_batches(), 1)
        DeliveryBatch.objects.filter(pk=self.batch.pk).update(enqueued_at=None)  # its enqueue failed
        self.assertEqual(requeue_batches(), 1)

    def test_a_batch_stays_due_when_the_queue_is_unreachable(self):
        from toki.tests.test_redis_down import redis_down

        DeliveryBatch.objects.filter(pk=self.batch.pk).update(enqueued_at=None)
        with redis_down(), self.assertLogs("toki.lib.tasks", "WARNING"):
            self.assertEqual(requeue_batches(), 0)
        self.assertIsNone(self.reload().enqueued_at)  # the next round tries again at once
        self.assertEqual(requeue_batches(), 1)

    def test_a_live_worker_renews_its_lease_and_only_for_the_attempt_it_claimed(self):
        held = Held()
        held.add(claim(self.batch.pk))
        DeliveryBatch.objects.filter(pk=self.batch.pk).update(lease_until=timezone.now())
        self.assertEqual(held.renew(), 1)
        self.assertGreater(self.reload().lease_until, timezone.now() + timedelta(seconds=50))
        # Its lease ran out and another worker took the batch: the slow one's heartbeat must not renew that.
        later = timezone.now() + timedelta(seconds=61)
        self.assertEqual(claim(self.batch.pk, now=later).attempts, 2)
        self.assertEqual(held.renew(), 0)
        held.discard(self.batch.pk)
        self.assertEqual(held.renew(), 0)

    def test_it_leaves_batches_planned_without_an_access_token(self):
        with override_settings(LINE_CHANNEL_ACCESS_TOKEN=""):
            self.assertEqual(send_batch(self.batch.pk), "channel not configured")
        self.assertEqual(self.reload().state, DeliveryState.PLANNED)
