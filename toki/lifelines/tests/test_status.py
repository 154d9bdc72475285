from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.events.models import Event
from toki.lifelines.actions import save_lifeline
from toki.lifelines.models import StatusReport
from toki.lifelines.tests.helpers import LifelinesMixin
from toki.test import BaseTestCase


class ReportStatusTests(LifelinesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()

    def test_it_makes_the_newest_report_current_and_keeps_the_history(self):
        self.report(self.ferry, "normal", minutes_ago=60)
        self.report(self.ferry, "suspended", detail="欠航（高波のため）", minutes_ago=5,
                    expected_restoration_at=timezone.now() + timedelta(hours=6))
        self.ferry.refresh_from_db()
        self.assertEqual((self.ferry.status, self.ferry.detail), ("suspended", "欠航（高波のため）"))
        self.assertIsNotNone(self.ferry.expected_restoration_at)
        self.assertEqual(self.ferry.reports.count(), 2)

    def test_it_keeps_a_late_older_report_out_of_the_current_status(self):
        self.report(self.ferry, "suspended", minutes_ago=5)
        self.report(self.ferry, "normal", minutes_ago=60)
        self.ferry.refresh_from_db()
        self.assertEqual(self.ferry.status, "suspended")
        self.assertEqual(self.ferry.reports.count(), 2)

    def test_it_remembers_the_status_before_each_report(self):
        self.report(self.ferry, "normal", minutes_ago=60)
        report = self.report(self.ferry, "partly_disrupted", minutes_ago=5)
        self.assertEqual(report.previous_status, "normal")

    def test_it_records_an_audit_event_without_personal_data(self):
        report = self.report(self.ferry, "suspended", user=self.pat)
        event = AuditEvent.objects.get(action="lifelines.report_status")
        self.assertEqual((event.actor, event.object_id), (self.pat, str(self.ferry.pk)))
        self.assertEqual(event.changes["report"], report.pk)
        self.assertEqual(report.entered_by, self.pat)

    def test_it_lets_a_partner_editor_update_their_own_lifeline(self):
        self.report(self.ferry, "suspended", user=self.pat)
        self.report(self.power, "partly_disrupted", user=self.ola, source="東北電力ネットワーク")
        self.assertEqual(StatusReport.objects.count(), 2)

    def test_it_refuses_a_partner_another_partners_or_hq_lifeline(self):
        for user, lifeline in ((self.pat, self.power), (self.pat, self.road), (self.ola, self.ferry)):
            with self.subTest(user=user.username, lifeline=lifeline.code), self.assertRaises(PermissionDenied):
                self.report(lifeline, "suspended", user=user)
        self.assertFalse(StatusReport.objects.exists())

    def test_it_refuses_partner_viewers_and_other_staff(self):
        for user in (self.vic, self.bob, self.carol, self.dave, self.eve):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                self.report(self.ferry, "suspended", user=user)
        self.assertFalse(StatusReport.objects.exists())

    def test_it_refuses_a_bad_report_and_writes_nothing(self):
        cases = {
            "status": {"status": "closed"},
            "source": {"source": " "},
            "source_url": {"source_url": "javascript:alert(1)"},
            "as_of": {"minutes_ago": -120},
            "expected_restoration_at": {"status": "normal", "expected_restoration_at": timezone.now()},
        }
        for field, kwargs in cases.items():
            with self.subTest(field=field), self.assertRaises(ValidationError) as caught:
                self.report(self.ferry, **{"status": "suspended", **kwargs})
            self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(StatusReport.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="lifelines.report_status").exists())

    def test_it_announces_the_change_in_its_transaction(self):
        before = Event.objects.count()  # the lifelines' creation announced them too
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.report(self.ferry, "suspended")
        event = Event.objects.order_by("pk")[before:].get()
        self.assertEqual((event.municipality_id, event.ids), (self.municipality.pk, {"lifeline_ids": [self.ferry.pk]}))
        self.assertEqual(len(callbacks), 2)  # its deliveries to the portal and to lifelines' own push, on commit


class SaveLifelineTests(LifelinesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()

    def test_it_lets_hq_add_a_lifeline_with_an_audit_event(self):
        lifeline = save_lifeline(acting_user=self.alice, municipality=self.municipality, code="ogi-naoetsu",
                                 kind="ferry", name="佐渡汽船 小木–直江津", org_unit=self.kisen)
        self.assertEqual((lifeline.status, lifeline.org_unit), ("unknown", self.kisen))
        self.assertTrue(AuditEvent.objects.filter(action="lifelines.create", actor=self.alice,
                                                  object_id=str(lifeline.pk)).exists())

    def test_it_refuses_partners_adding_lifelines(self):
        for user in (self.pat, self.bob, self.eve):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                save_lifeline(acting_user=user, municipality=self.municipality, code="x", kind="ferry", name="x")

    def test_it_refuses_a_duplicate_code_or_a_non_partner_org_unit(self):
        shelter_team = self.carol.memberships.get().org_unit
        for field, values in (("code", {"code": "power"}), ("org_unit", {"code": "new", "org_unit": shelter_team}),
                              ("kind", {"code": "new2", "kind": "boat"})):
            with self.subTest(field=field), self.assertRaises(ValidationError) as caught:
                save_lifeline(acting_user=self.alice, municipality=self.municipality,
                              **{"kind": "ferry", "name": "x", **values})
            self.assertIn(field, caught.exception.message_dict)
