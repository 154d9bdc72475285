from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.hq import actions, selectors
from toki.hq.models import HqStatus, Incident
from toki.test import BaseTestCase


class IncidentActionTests(BaseTestCase):
    def open(self, **kwargs):
        params = {"acting_user": self.alice, "municipality": self.municipality, "name": "令和8年大雪",
                  "kind": "heavy_snow"}
        params.update(kwargs)
        return actions.open_incident(**params)

    def test_it_opens_an_incident_with_districts_and_an_audit_event(self):
        district = next(iter(self.districts.values()))
        incident = self.open(districts=[district], hq_level=HqStatus.Level.ALERT_HQ)
        self.assertEqual(list(incident.districts.all()), [district])
        self.assertEqual(incident.hq_statuses.get().level, "alert_hq")
        event = AuditEvent.objects.get(action="hq.incident_opened")
        self.assertEqual(event.object_id, str(incident.pk))

    def test_it_refuses_a_branch_reporter(self):
        with self.assertRaises(PermissionDenied):
            self.open(acting_user=self.bob)
        self.assertFalse(Incident.objects.exists())

    def test_it_says_which_field_is_wrong(self):
        with self.assertRaises(ValidationError) as caught:
            self.open(name=" ", kind="meteor")
        self.assertEqual(set(caught.exception.message_dict), {"name", "kind"})

    def test_it_raises_alert_hq_to_disaster_hq_keeping_the_history(self):
        start = timezone.now() - timedelta(hours=3)
        incident = self.open(started_at=start, hq_level=HqStatus.Level.ALERT_HQ)
        raised_at = start + timedelta(hours=1)
        actions.set_hq_status(acting_user=self.alice, incident=incident, level=HqStatus.Level.DISASTER_HQ,
                              at=raised_at)
        first, second = incident.hq_statuses.all()
        self.assertEqual((first.level, first.dissolved_at), ("alert_hq", raised_at))
        self.assertEqual((second.level, second.dissolved_at), ("disaster_hq", None))

    def test_it_closes_an_incident_and_dissolves_its_hq(self):
        incident = self.open(hq_level=HqStatus.Level.DISASTER_HQ)
        actions.close_incident(acting_user=self.alice, incident=incident)
        incident.refresh_from_db()
        self.assertFalse(incident.is_active)
        self.assertIsNotNone(incident.hq_statuses.get().dissolved_at)
        self.assertFalse(selectors.active_incidents(self.municipality).exists())

    def test_it_marks_a_drill_in_its_name(self):
        incident = self.open(is_drill=True)
        self.assertTrue(str(incident).startswith("[訓練]"))


class IncidentSelectorTests(BaseTestCase):
    def test_it_hides_incidents_from_an_outsider(self):
        incident = actions.open_incident(acting_user=self.alice, municipality=self.municipality, name="地震",
                                         kind="earthquake")
        self.assertEqual(list(selectors.incidents_for(self.bob)), [incident])
        self.assertFalse(selectors.incidents_for(self.eve).exists())
        with self.assertRaises(Http404):
            selectors.get_incident_for_user(self.eve, incident.pk)
