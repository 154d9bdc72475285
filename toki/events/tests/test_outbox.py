"""Domain events through the real actions (ADR 0007): the event row is written in the action's transaction and
only if it commits; each subscriber runs once, however often it is delivered; a crash after the commit loses no
side effect (events_sweep); events carry ids only."""

import shutil
import tempfile
from io import StringIO

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from toki.accounts.models import AuditEvent
from toki.alerts.actions.orders import issue_evacuation_order
from toki.events import registry
from toki.events.models import Delivery, Event
from toki.events.outbox import deliver, publish
from toki.hq.models import ChronologyEntry, Incident
from toki.hq.tests.helpers import HqTestCase
from toki.notify.models import Notification
from toki.test import DATABASE_TASKS, QueueMixin

PUBLISH_TASK = "toki.portal.tasks.publish_static_site"
ORDER_EVENTS = ["alerts.alert_recorded", "alerts.public_situation_changed", "alerts.alert_published"]


@override_settings(TASKS=DATABASE_TASKS)
class OutboxTests(QueueMixin, HqTestCase):
    incident: Incident

    def setUp(self):
        super().setUp()
        root = tempfile.mkdtemp(prefix="toki-events-static-")
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        static = override_settings(TOKI_STATIC_SITE_DIR=root)
        static.enable()
        self.addCleanup(static.disable)

    def issue(self, **kwargs):
        return issue_evacuation_order(acting_user=self.alice, districts=[self.ryotsu], level=4, hazard="landslide",
                                      reason="土砂災害の危険", **kwargs)

    def side_effects(self, alert_id: int) -> dict:
        return {
            "republishes": DBTaskResult.objects.filter(task_path=PUBLISH_TASK).count(),
            "plans": AuditEvent.objects.filter(action="notify.planned", changes__alert=alert_id).count(),
            "notifications": Notification.objects.filter(source_key=f"alert:{alert_id}").count(),
            "chronology": ChronologyEntry.objects.filter(incident=self.incident, category="evacuation").count(),
        }

    def sweep(self) -> str:
        out = StringIO()
        call_command("events_sweep", "--grace", "0", stdout=out)
        return out.getvalue()

    def test_it_writes_the_events_in_the_actions_transaction_and_none_when_it_rolls_back(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks, self.assertRaises(RuntimeError), \
                transaction.atomic():
            self.issue()
            self.assertEqual(Event.objects.count(), 3)  # inside the transaction, beside the order
            raise RuntimeError("the action failed after publishing")
        self.assertEqual((Event.objects.count(), len(callbacks), DBTaskResult.objects.count()), (0, 0, 0))
        self.assertEqual(self.sweep(), "")  # and nothing for the sweep either

        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            orders = self.issue()
        events = list(Event.objects.order_by("pk").values_list("name", "municipality_id", "ids"))
        alert_id = orders[0].issue_alert_id
        self.assertEqual(events, [("alerts.alert_recorded", self.municipality.pk, {"alert_id": alert_id}),
                                  ("alerts.public_situation_changed", self.municipality.pk, {}),
                                  ("alerts.alert_published", self.municipality.pk, {"alert_id": alert_id})])
        # One delivery task per subscriber, enqueued only on commit: HQ, the portal, alerts (announcing to notify),
        # transit (route suspensions, issue 20), the registry (a 安否確認 round for the order) and rides (the areas'
        # evacuation state, issue 19).
        self.assertEqual(len([c for c in callbacks if "deliver_event" in repr(c)]), 6)

    def test_it_runs_each_subscriber_once_however_often_it_is_delivered(self):
        with self.captureOnCommitCallbacks(execute=True):
            alert_id = self.issue()[0].issue_alert_id
        self.run_queued_tasks()
        once = {"republishes": 1, "plans": 1, "notifications": 1, "chronology": 1}
        self.assertEqual(self.side_effects(alert_id), once)
        self.assertEqual(Delivery.objects.filter(done_at__isnull=False).count(), 6)
        self.assertFalse(Event.objects.filter(done_at__isnull=True).exists())
        # Delivered again: by hand, by the queue (a task run twice), by the sweep.
        from toki.events.tasks import deliver_event

        for delivery in Delivery.objects.all():
            self.assertEqual(deliver(delivery.event_id, delivery.subscriber), "skipped")
            deliver_event.enqueue(delivery.event_id, delivery.subscriber)
        self.sweep()
        self.run_queued_tasks()
        self.assertEqual(self.side_effects(alert_id), once)
        self.assertEqual(set(Delivery.objects.values_list("attempts", flat=True)), {1})

    def test_it_loses_no_side_effect_when_the_process_dies_after_the_commit(self):
        # The order commits; the process dies before any on-commit hook runs (the callbacks are dropped).
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            alert_id = self.issue()[0].issue_alert_id
        self.assertEqual(len(callbacks), 6)
        self.run_queued_tasks()
        nothing = {"republishes": 0, "plans": 0, "notifications": 0, "chronology": 0}
        self.assertEqual(self.side_effects(alert_id), nothing)
        # A restarted scheduler runs the sweep: every side effect happens, once.
        self.assertIn("redelivered 6", self.sweep())
        self.run_queued_tasks()
        once = {"republishes": 1, "plans": 1, "notifications": 1, "chronology": 1}
        self.assertEqual(self.side_effects(alert_id), once)
        self.assertTrue(DBTaskResult.objects.get(task_path=PUBLISH_TASK).status == "SUCCESSFUL")
        self.assertEqual(self.sweep(), "")
        self.run_queued_tasks()
        self.assertEqual(self.side_effects(alert_id), once)

    def test_it_redelivers_a_subscriber_that_failed(self):
        calls = []

        @registry.subscriber("alerts.alert_recorded", app="eventstest")
        def flaky(event):
            calls.append(event.pk)
            if len(calls) == 1:
                raise ConnectionError("the first try fails")

        self.addCleanup(registry._SUBSCRIBERS.pop, ("alerts.alert_recorded", "eventstest.flaky"))
        with self.captureOnCommitCallbacks(execute=True):
            self.issue()
        self.run_queued_tasks()
        delivery = Delivery.objects.get(subscriber="eventstest.flaky")
        self.assertEqual((delivery.done_at, delivery.attempts, delivery.last_error), (None, 1, "ConnectionError"))
        self.assertTrue(Event.objects.filter(name="alerts.alert_recorded", done_at__isnull=True).exists())
        self.assertIn("redelivered 1", self.sweep())  # only the failed one
        self.run_queued_tasks()
        delivery.refresh_from_db()
        self.assertEqual((delivery.attempts, delivery.last_error, len(calls)), (2, "", 2))
        self.assertIsNotNone(delivery.done_at)
        self.assertFalse(Event.objects.filter(done_at__isnull=True).exists())

    def test_it_refuses_anything_but_ids(self):
        with transaction.atomic():
            for ids in ({"alert_id": 1, "title": "大雨"}, {"alert_id": "1"}, {"alert_id": True}, {}):
                with self.subTest(ids=ids), self.assertRaises(ValueError):
                    publish("alerts.alert_recorded", municipality_id=self.municipality.pk, **ids)
            with self.assertRaises(ValueError):
                publish("alerts.no_such_event", municipality_id=self.municipality.pk)
        for ids in (("name",), ("address_ids", "phone"), ("municipality_id",)):
            with self.subTest(declared=ids), self.assertRaises(ImproperlyConfigured):
                registry.declare("eventstest.bad", ids=ids)
        self.assertEqual(Event.objects.count(), 0)
