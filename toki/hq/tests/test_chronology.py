from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.test import override_settings

from toki.accounts.models import AuditEvent
from toki.alerts.actions.orders import issue_evacuation_order, lift_evacuation_orders
from toki.hq import actions, selectors
from toki.hq.actions import chronology
from toki.hq.actions.feeds import chronicle_alert, chronicle_shelter_opening
from toki.hq.models import ChronologyAnnotation, ChronologyEntry
from toki.hq.tests.helpers import HqTestCase
from toki.shelters.actions.openings import close_opening, open_shelter
from toki.shelters.models import Shelter
from toki.test import DATABASE_TASKS, QueueMixin


class ChronologyTests(HqTestCase):
    def test_it_writes_a_hand_entry_with_an_audit_event(self):
        entry = chronology.write_entry(acting_user=self.alice, incident=self.incident, content="県へ第1報 電話",
                                       category="hq", sender="防災課", recipient="新潟県", district=self.ryotsu)
        self.assertFalse(entry.is_automatic)
        self.assertTrue(AuditEvent.objects.filter(action="hq.chronology_written", object_id=str(entry.pk)))

    def test_it_refuses_branch_staff_and_outsiders_writing(self):
        for user in (self.bob, self.victor, self.eve):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                chronology.write_entry(acting_user=user, incident=self.incident, content="x")

    def test_it_says_which_field_is_wrong(self):
        with self.assertRaises(ValidationError) as caught:
            chronology.write_entry(acting_user=self.alice, incident=self.incident, content=" ", category="gossip")
        self.assertEqual(set(caught.exception.message_dict), {"content", "category"})

    def test_it_refuses_update_and_delete_in_the_database(self):
        entry = chronology.write_entry(acting_user=self.alice, incident=self.incident, content="原文")
        for operation in (lambda: ChronologyEntry.objects.filter(pk=entry.pk).update(content="改ざん"),
                          lambda: ChronologyEntry.objects.filter(pk=entry.pk).delete()):
            with self.subTest(), self.assertRaises((IntegrityError, DatabaseError)), transaction.atomic():
                operation()
        self.assertEqual(ChronologyEntry.objects.get(pk=entry.pk).content, "原文")

    def test_it_refuses_to_change_an_annotation(self):
        entry = chronology.write_entry(acting_user=self.alice, incident=self.incident, content="原文")
        note = chronology.annotate_entry(acting_user=self.alice, entry=entry, text="時刻は 10:05 が正しい")
        with self.assertRaises((IntegrityError, DatabaseError)), transaction.atomic():
            ChronologyAnnotation.objects.filter(pk=note.pk).update(text="x")
        self.assertEqual(list(entry.annotations.values_list("text", flat=True)), ["時刻は 10:05 が正しい"])

    def test_it_writes_an_event_once_per_dedup_key(self):
        first = chronology.record_event(incident=self.incident, content="避難所開設", category="shelter",
                                        dedup_key="opening:1")
        again = chronology.record_event(incident=self.incident, content="避難所開設", category="shelter",
                                        dedup_key="opening:1")
        self.assertEqual(first.pk, again.pk)

    def test_it_records_hq_status_changes(self):
        actions.set_hq_status(acting_user=self.alice, incident=self.incident, level=None)
        self.assertTrue(self.incident.chronology.filter(category="hq", content__contains="解散").exists())

    def test_it_filters_by_category_and_district(self):
        chronology.write_entry(acting_user=self.alice, incident=self.incident, content="両津", district=self.ryotsu,
                               category="damage")
        chronology.write_entry(acting_user=self.alice, incident=self.incident, content="相川", district=self.aikawa,
                               category="damage")
        by_district = selectors.chronology_for(self.alice, self.incident, district=self.aikawa)
        self.assertEqual([e.content for e in by_district], ["相川"])
        self.assertEqual(selectors.chronology_for(self.alice, self.incident, category="damage").count(), 2)
        self.assertFalse(selectors.chronology_for(self.eve, self.incident).exists())


@override_settings(TASKS=DATABASE_TASKS)
class ChronologyFeedTests(QueueMixin, HqTestCase):
    def test_it_chronicles_an_evacuation_order_and_its_lifting_per_district(self):
        with self.committed():
            orders = issue_evacuation_order(acting_user=self.alice, districts=[self.ryotsu, self.aikawa], level=4,
                                            hazard="landslide", reason="土砂災害警戒情報")
        entries = self.incident.chronology.filter(category="evacuation")
        self.assertEqual(sorted(e.district.code for e in entries), ["aikawa", "ryotsu"])
        self.assertIn("避難指示 発令", entries[0].content)
        with self.committed():
            lift_evacuation_orders(acting_user=self.alice, orders=orders, reason="解除")
        self.assertEqual(self.incident.chronology.filter(category="evacuation", content__contains="解除").count(), 2)

    def test_it_keeps_drill_orders_out_of_a_real_incident(self):
        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=[self.ryotsu], level=3, hazard="flood",
                                   reason="訓練", is_drill=True)
        self.assertFalse(self.incident.chronology.filter(category="evacuation").exists())

    def test_it_writes_nothing_twice_when_the_hook_runs_again(self):
        with self.committed():
            orders = issue_evacuation_order(acting_user=self.alice, districts=[self.ryotsu], level=4,
                                            hazard="flood", reason="洪水")
        self.assertEqual(chronicle_alert(orders[0].issue_alert_id), 1)  # returns the entry it found
        self.assertEqual(self.incident.chronology.filter(category="evacuation").count(), 1)

    def test_it_writes_nothing_without_an_active_incident(self):
        actions.close_incident(acting_user=self.alice, incident=self.incident)
        with self.committed():
            issue_evacuation_order(acting_user=self.alice, districts=[self.ryotsu], level=4, hazard="flood",
                                   reason="洪水")
        self.assertFalse(self.incident.chronology.filter(category="evacuation").exists())


@override_settings(TASKS=DATABASE_TASKS)
class AlertFeedTests(QueueMixin, HqTestCase):
    def alert(self, status, n=1):
        """A JMA warning telegram of status 通常 / 訓練 / 試験, stored and applied as the poller and worker do."""
        from toki.alerts.actions.state import apply_telegram
        from toki.alerts.tests.telegram_fixtures import sado_warning, store

        return apply_telegram(store(sado_warning(status=status), f"t{n}_{status}_VPWW54.xml").pk)

    def test_it_chronicles_a_public_jma_alert_once_committed(self):
        with self.committed():
            alert = self.alert("通常")
        entry = self.incident.chronology.get(category="weather")
        self.assertEqual((entry.sender, entry.source_id), (alert.sender, str(alert.pk)))
        self.assertTrue(entry.content.startswith(alert.title))

    def test_it_skips_test_telegrams_and_keeps_drill_ones_for_drill_incidents(self):
        drill = actions.open_incident(acting_user=self.alice, municipality=self.municipality, name="訓練",
                                      kind="heavy_rain", is_drill=True)
        with self.committed():
            self.alert("試験")
        with self.committed():
            self.alert("訓練", n=2)
        self.assertFalse(self.incident.chronology.filter(category="weather").exists())
        self.assertEqual(drill.chronology.filter(category="weather").count(), 1)


IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE_TASKS)
class ShelterOpeningChronologyTests(HqTestCase):
    def setUp(self):
        super().setUp()
        self.shelter = Shelter.objects.create(common_id="t-chrono", municipality=self.municipality,
                                              district=self.ryotsu, name="両津小", lat=38.08, lon=138.44,
                                              is_designated_shelter=True, source="gsi", capacity=50)

    def shelter_entries(self):
        return list(ChronologyEntry.objects.filter(incident=self.incident, category="shelter")
                    .values_list("content", flat=True).order_by("pk"))

    def test_it_records_a_shelter_opening_and_closing_once_each(self):
        with self.captureOnCommitCallbacks(execute=True):
            opening = open_shelter(acting_user=self.alice, shelter=self.shelter, incident=self.incident)
        with self.captureOnCommitCallbacks(execute=True):
            close_opening(acting_user=self.alice, opening=opening)
        chronicle_shelter_opening(opening.pk, "closed")  # a task run twice writes once
        self.assertEqual(self.shelter_entries(), ["避難所開設: 両津小", "避難所閉鎖: 両津小"])
        self.assertEqual(ChronologyEntry.objects.filter(category="shelter").first().district, self.ryotsu)
