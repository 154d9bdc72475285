from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from toki.lib.metrics import Period
from toki.test import BaseTestCase
from toki.transport.fares import actions, metrics
from toki.transport.fares.models import Credential, Holder, Purchase, UseEvent
from toki.transport.fares.testing.keys import TEST_KEYS


@override_settings(**TEST_KEYS)
class MetricTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.holder = Holder.objects.create(pseudonym="b" * 64, is_resident=True,
                                            expires_at=timezone.now() + timedelta(days=30))
        self.today = Period(timezone.localdate(), timezone.localdate())

    def use(self, kind, place="bus", double=False, status=UseEvent.Status.APPLIED):
        credential, _ = actions.issue_credential(holder=self.holder, kind=kind)
        import uuid

        UseEvent.objects.create(event_id=uuid.uuid4(), device_id="d", jti=credential.jti, kind=kind, place=place,
                                occurred_at=timezone.now(), status=status, double_use=double)

    def test_it_counts_boardings_by_product_without_double_uses_or_rejections(self):
        self.use("sub30")
        self.use("sub30")
        self.use("single")
        self.use("single", double=True)
        self.use("day", status=UseEvent.Status.REJECTED)
        self.use("card", place="ferry")
        result = metrics.boardings(self.municipality, self.today)
        self.assertEqual((result.value, result.note), (3, "day 0, sub30 2, single 1"))

    def test_it_counts_discount_uses_by_place(self):
        self.use("card", place="ferry")
        self.use("card", place="ferry")
        self.use("card", place="bus")
        result = metrics.discount_uses(self.municipality, self.today)
        self.assertEqual((result.value, result.note), (3, "bus 1, ferry 2"))

    def test_it_sums_revenue_without_refunds(self):
        now = timezone.now()
        for status, key in (("paid", "a"), ("paid", "b"), ("refunded", "c"), ("pending", "d")):
            Purchase.objects.create(holder=self.holder, product="sub30", amount_yen=5000, status=status,
                                    provider="stripe", idempotency_key=key,
                                    paid_at=None if status == "pending" else now)
        result = metrics.revenue(self.municipality, self.today)
        self.assertEqual((result.value, result.note), (10000, "2 purchases, 1 refunded"))

    def test_it_is_found_by_the_kpi_module(self):
        from toki.lib.metrics import Metric

        self.assertTrue(all(isinstance(m, Metric) for m in metrics.METRICS))
        self.assertEqual(metrics.uses_since(self.municipality), None)
        self.use("card")
        self.assertEqual(metrics.uses_since(self.municipality), timezone.localdate())
        self.assertEqual(Credential.objects.count(), 1)
