"""Possible calls for help (救助要請の可能性): stored with a pseudonymous sender, forgotten after 30 days."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from toki.accounts.models import AuditEvent
from toki.hq.actions.distress import record_distress_message, sender_ref
from toki.hq.models import DistressMessage
from toki.test import BaseTestCase

LINE_USER = "U" + "5" * 32


class DistressMessageTests(BaseTestCase):
    def test_it_keeps_the_text_and_a_keyed_hash_of_the_sender_only(self):
        message = record_distress_message(municipality=self.municipality, channel="line", address=LINE_USER,
                                          text="  助けて " + "x" * 2000)
        self.assertTrue(message.text.startswith("助けて"))
        self.assertEqual(len(message.text), 1000)
        self.assertEqual(message.sender_ref, sender_ref("line", LINE_USER))
        self.assertNotIn(LINE_USER, message.sender_ref)
        audit = AuditEvent.objects.get(action="hq.distress_message_received")
        self.assertEqual(audit.changes, {"channel": "line"})

    def test_the_scheduled_command_forgets_them_after_30_days(self):
        old = record_distress_message(municipality=self.municipality, channel="line", address=LINE_USER,
                                      text="助けて", received_at=timezone.now() - timedelta(days=31))
        recent = record_distress_message(municipality=self.municipality, channel="line", address=LINE_USER,
                                         text="助けて", received_at=timezone.now() - timedelta(days=29))
        out = StringIO()
        call_command("purge_distress_messages", stdout=out)
        self.assertIn("purged 1 message(s)", out.getvalue())
        self.assertEqual(list(DistressMessage.objects.values_list("pk", flat=True)), [recent.pk])
        self.assertFalse(DistressMessage.objects.filter(pk=old.pk).exists())
