"""No registry value in logs, audit changes, the access log, events or task arguments (ids and counts only)."""

import json
import logging
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from toki.accounts.models import AuditEvent, OrgUnit
from toki.areas.models import District
from toki.events.models import Event
from toki.registry import actions
from toki.registry.models import AccessLog, Consent, Person, RecipientClass, Scope
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.test import BaseTestCase

SENTINELS = ("ゼンチネル", "センチネル", "1933-03-03", "0259-99-9999", "歩行困難センチネル", "センチネル町",
             "人工呼吸器X")


@override_settings(**KEYS_V1)
class NoLeakTests(RegistryLoginMixin, BaseTestCase):
    def test_import_consent_pages_and_search_leave_no_value_behind(self):
        handler_stream = StringIO()
        handler = logging.StreamHandler(handler_stream)
        root = logging.getLogger()
        root.addHandler(handler)
        previous = root.level
        root.setLevel(logging.DEBUG)
        try:
            row = person_row("S1", name="ゼンチネル 太郎", name_kana="センチネル タロウ", birth_date="1933-03-03",
                             phone="0259-99-9999", support_reason="歩行困難センチネル", address="センチネル町1",
                             medical_devices="人工呼吸器X")
            out = StringIO()
            call_command("registry_import", str(write_csv(csv_bytes([row]))), "--by", "alice", stdout=out)
            person = Person.objects.get()
            unit = OrgUnit.objects.get(name="佐渡市社会福祉協議会")
            actions.register_recipient(actor=self.alice, org_unit=unit, recipient_class=RecipientClass.MINSEI,
                                       agreement_on=person.created_at.date(), pledge_on=person.created_at.date(),
                                       training_on=person.created_at.date())
            actions.record_consent(actor=self.alice, person=person, recipient_class=RecipientClass.MINSEI,
                                   scope=Scope.ROSTER, state=Consent.State.CONSENTED, text_version="2026-1",
                                   method=Consent.Method.MAIL)
            self.login(self.dave)
            url = reverse("registry:district", args=[District.objects.get(code="aikawa").pk])
            page = self.client.get(url + "?purpose=support_planning")
            self.assertContains(page, "ゼンチネル 太郎")
        finally:
            root.removeHandler(handler)
            root.setLevel(previous)
        traces = {
            "log": handler_stream.getvalue(),
            "command output": out.getvalue(),
            "audit": json.dumps(list(AuditEvent.objects.values("action", "object_id", "changes")),
                                ensure_ascii=False, default=str),
            "access log": json.dumps(list(AccessLog.objects.values("fields", "purpose", "recipient_class")),
                                     ensure_ascii=False),
            "events": json.dumps(list(Event.objects.values()), ensure_ascii=False, default=str),
            "url": url,
        }
        for where, text in traces.items():
            for sentinel in SENTINELS:
                self.assertNotIn(sentinel, text, f"{sentinel} in the {where}")
        self.assertTrue(AccessLog.objects.exists())
