"""Planning an alert's deliveries: who is targeted, in which language, batches, idempotence."""

from datetime import timedelta
from unittest.mock import patch

from django.test import override_settings
from django.utils import timezone

from toki.alerts.actions.orders import issue_evacuation_order, lift_evacuation_orders
from toki.alerts.announce import announce_alert as plan_alert
from toki.alerts.models import Alert
from toki.alerts.rendering import facts_for_evacuation
from toki.events.tasks import deliver_event
from toki.notify.actions.planning import fill_batches
from toki.notify.actions.sending import claim
from toki.notify.actions.sweep import requeue_batches, sweep
from toki.notify.models import Category, Channel, Delivery, DeliveryBatch, DeliveryState, Notification, Subscriber
from toki.notify.tasks import send_batches
from toki.notify.tests.helpers import line_user_id, subscriber
from toki.test import BaseTestCase, enqueued_on_commit


def recipients(notification) -> set[int]:
    return set(Delivery.objects.filter(notification=notification).values_list("subscriber_id", flat=True))


@override_settings(SITE_URL="https://bousai.example.jp")
class PlanningTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        m, d = cls.municipality, cls.districts
        cls.everywhere = subscriber(m)
        cls.ryotsu_en = subscriber(m, districts=[d["ryotsu"]], language="en")
        cls.ryotsu_easy = subscriber(m, districts=[d["ryotsu"], d["ogi"]], language="ja-easy")
        cls.aikawa = subscriber(m, districts=[d["aikawa"]])
        cls.no_orders = subscriber(m, categories=[Category.WARNINGS])
        cls.staff_tester = subscriber(m, test_audience=True)
        cls.gone = subscriber(m, active=False)
        cls.tablet = subscriber(m, channel=Channel.TABLET)

    def order(self, districts=("ryotsu",), *, is_drill=False):
        with self.captureOnCommitCallbacks(execute=False):
            orders = issue_evacuation_order(acting_user=self.alice, districts=[self.districts[c] for c in districts],
                                            level=4, hazard="landslide", reason="土砂災害の危険", is_drill=is_drill)
        return orders[0].issue_alert

    def test_it_targets_subscribers_of_the_alerts_districts_and_category(self):
        notification = plan_alert(self.order().pk)
        self.assertEqual(recipients(notification),
                         {self.everywhere.pk, self.ryotsu_en.pk, self.ryotsu_easy.pk, self.staff_tester.pk})
        self.assertEqual(notification.category, Category.EVACUATION_ORDERS)
        self.assertEqual(notification.recipients, 4)

    def test_it_sends_a_drill_only_to_the_test_audience(self):
        notification = plan_alert(self.order(is_drill=True).pk)
        self.assertTrue(notification.is_drill)
        self.assertEqual(recipients(notification), {self.staff_tester.pk})
        text = DeliveryBatch.objects.get(notification=notification).messages[0]["text"]
        self.assertIn("訓練", text.splitlines()[0])

    def test_it_sends_a_test_alert_to_nobody_of_the_public(self):
        alert = Alert.objects.create(
            municipality=self.municipality, source=Alert.Source.CITY, identifier="city:test:1",
            category=Alert.Category.EVACUATION, title="試験", status=Alert.Status.TEST, msg_type=Alert.MsgType.ALERT,
            sender="佐渡市", sent_at=timezone.now(),
            facts=facts_for_evacuation(level=3, hazard="flood", district_codes=["ryotsu"],
                                       district_names={"ryotsu": {"ja": "両津"}}, reason="試験", lifted=False),
        )
        self.assertEqual(recipients(plan_alert(alert.pk)), {self.staff_tester.pk})

    def test_it_renders_each_subscribers_language_with_a_portal_link(self):
        notification = plan_alert(self.order().pk)
        texts = {b.language: b.messages[0]["text"] for b in DeliveryBatch.objects.filter(notification=notification)}
        self.assertEqual(set(texts), {"ja", "en", "ja-easy"})
        self.assertIn("Evacuation", texts["en"])
        self.assertIn("https://bousai.example.jp/language/en/?next=/warnings/", texts["en"])
        self.assertTrue(texts["ja"].rstrip().endswith("https://bousai.example.jp/warnings/"))
        self.assertNotEqual(texts["ja"], texts["ja-easy"])

    def test_it_says_an_update_is_an_update_and_delivers_a_cancellation(self):
        first = self.order()
        with self.captureOnCommitCallbacks(execute=False):
            raised = issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=5,
                                            hazard="landslide", reason="さらに危険")
        update = plan_alert(raised[0].issue_alert.pk)
        self.assertEqual(update.kind, Notification.Kind.UPDATE)
        ja = DeliveryBatch.objects.get(notification=update, language="ja").messages[0]["text"]
        # A raise says so first (not 訂正: the first order was no mistake).
        self.assertEqual(ja.splitlines()[:2], ["【引き上げ】両津に緊急安全確保（警戒レベル５）",
                                               "警戒レベル４から警戒レベル５に引き上げました。"])
        with self.captureOnCommitCallbacks(execute=False):
            lifted = lift_evacuation_orders(acting_user=self.alice, orders=raised, reason="危険がなくなりました")
        cancel = plan_alert(lifted.pk)
        self.assertEqual(recipients(cancel), recipients(update))
        self.assertNotEqual(first.pk, lifted.pk)

    def test_it_plans_an_alert_once(self):
        alert = self.order()
        first = plan_alert(alert.pk)
        counts = (Delivery.objects.count(), DeliveryBatch.objects.count())
        again = plan_alert(alert.pk)
        self.assertEqual(first.pk, again.pk)
        self.assertEqual((Delivery.objects.count(), DeliveryBatch.objects.count()), counts)
        self.assertEqual(Notification.objects.filter(source_key=f"alert:{alert.pk}").count(), 1)

    def test_it_plans_an_order_when_its_event_is_delivered_after_commit(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            orders = issue_evacuation_order(acting_user=self.alice, districts=[self.districts["aikawa"]], level=3,
                                            hazard="flood", reason="増水")
        self.assertFalse(Notification.objects.exists())  # nothing before the commit
        # alerts' own delivery of "alerts.alert_published" (toki/alerts/subscribers.py) announces it to notify
        ours = [args for args in enqueued_on_commit(callbacks, deliver_event)
                if args[1] == "alerts.announce_published_alert"]
        self.assertEqual(len(ours), 1)
        with self.captureOnCommitCallbacks(execute=False):
            self.assertEqual(deliver_event.call(*ours[0]), "delivered")
        self.assertEqual(Notification.objects.get().source_key, f"alert:{orders[0].issue_alert_id}")

    def test_it_plans_nothing_for_an_alert_older_than_the_delivery_window(self):
        alert = self.order()
        Alert.objects.filter(pk=alert.pk).update(sent_at=timezone.now() - timedelta(days=1))
        self.assertIsNone(plan_alert(alert.pk))
        self.assertFalse(Notification.objects.exists())

    def test_it_fixes_the_retry_key_and_enqueues_each_batch_on_commit(self):
        alert = self.order()
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            notification = plan_alert(alert.pk)
        batches = list(DeliveryBatch.objects.filter(notification=notification))
        self.assertTrue(all(b.retry_key and b.state == DeliveryState.PLANNED for b in batches))
        sent = enqueued_on_commit(callbacks, send_batches)
        self.assertEqual(sorted(pk for args in sent for pk in args[0]), sorted(b.pk for b in batches))
        self.assertTrue(all(b.ready and b.enqueued_at for b in batches))


class BatchingTests(BaseTestCase):
    def many(self, count=1203):
        Subscriber.objects.bulk_create(
            Subscriber(municipality=self.municipality, channel=Channel.LINE, address=line_user_id(),
                       language="en" if i % 4 == 0 else "ja")
            for i in range(count))

    def order(self):
        with self.captureOnCommitCallbacks(execute=False):
            return issue_evacuation_order(acting_user=self.alice, districts=[self.districts["mano"]], level=3,
                                          hazard="flood", reason="増水")[0].issue_alert

    def test_it_splits_recipients_into_batches_of_at_most_500(self):
        self.many()
        alert = self.order()
        with self.captureOnCommitCallbacks(execute=False):
            notification = plan_alert(alert.pk)
        sizes = {}
        for batch in DeliveryBatch.objects.filter(notification=notification):
            sizes.setdefault(batch.language, []).append(batch.size)
            self.assertEqual(batch.deliveries.count(), batch.size)
        self.assertEqual(sorted(sizes["ja"]), [402, 500])  # 902 in Japanese
        self.assertEqual(sizes["en"], [301])  # 301 in English
        self.assertEqual(len({b.retry_key for b in DeliveryBatch.objects.all()}), 3)

    def test_it_writes_the_deliveries_in_steps_each_enqueued_as_it_commits(self):
        self.many(2600)  # 1950 ja (4 batches) + 650 en (2 batches)
        alert = self.order()
        with patch("toki.notify.actions.planning.FIRST_FILL_STEP", 2), \
                patch("toki.notify.actions.planning.FILL_STEP", 3), \
                self.captureOnCommitCallbacks(execute=False) as callbacks:
            notification = plan_alert(alert.pk)
        groups = [args[0] for args in enqueued_on_commit(callbacks, send_batches)]
        self.assertEqual([len(g) for g in groups], [2, 3, 1])
        first = DeliveryBatch.objects.filter(pk__in=groups[0])
        self.assertEqual({b.language for b in first}, {"ja", "en"})  # every language's first batch goes first
        self.assertEqual(Delivery.objects.filter(notification=notification).count(), 2600)
        notification.refresh_from_db()
        self.assertIsNone(notification.planning_until)
        for batch in DeliveryBatch.objects.filter(notification=notification):
            self.assertEqual(sorted(batch.deliveries.values_list("subscriber_id", flat=True)), batch.subscriber_ids)

    def test_it_resumes_a_planning_whose_planner_died_half_way(self):
        self.many()
        alert = self.order()
        # The planner decides (batches, keys, recipients), then dies before writing the Delivery rows.
        with patch("toki.notify.actions.planning.fill_batches"):
            notification = plan_alert(alert.pk)
        keys = dict(DeliveryBatch.objects.values_list("pk", "retry_key"))
        self.assertFalse(DeliveryBatch.objects.filter(ready=True).exists())
        self.assertIsNone(claim(next(iter(keys))))  # a batch without its Delivery rows is never sent
        self.assertEqual(requeue_batches(), 0)
        self.assertEqual(sweep()["planned"], 0)  # its lease has not run out: the planner may be alive
        Notification.objects.filter(pk=notification.pk).update(planning_until=timezone.now() - timedelta(seconds=1))
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.assertEqual(sweep()["planned"], 1)
        sent = [pk for args in enqueued_on_commit(callbacks, send_batches) for pk in args[0]]
        self.assertEqual(sorted(sent), sorted(keys))
        self.assertEqual(dict(DeliveryBatch.objects.values_list("pk", "retry_key")), keys)  # same keys
        self.assertEqual(Delivery.objects.filter(notification=notification).count(), 1203)
        self.assertEqual(plan_alert(alert.pk), notification)  # and again: nothing more
        self.assertEqual(Delivery.objects.count(), 1203)
        self.assertEqual(fill_batches(notification.pk), 0)
