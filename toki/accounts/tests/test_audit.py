from django.db import DatabaseError, connection, transaction

from toki.accounts import audit
from toki.accounts.models import AuditEvent
from toki.test import BaseTestCase


class AuditAppendOnlyTests(BaseTestCase):
    def setUp(self):
        self.event = audit.record(actor=self.alice, action="test.something", obj=self.bob, changes={"k": 1})

    def test_it_records_actor_object_and_changes(self):
        self.assertEqual(self.event.actor, self.alice)
        self.assertEqual(self.event.object_type, "accounts.user")
        self.assertEqual(self.event.object_id, str(self.bob.pk))
        self.assertEqual(self.event.changes, {"k": 1})

    def test_it_refuses_update_through_the_orm(self):
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=self.event.pk).update(action="tampered")
        self.event.refresh_from_db()
        self.assertEqual(self.event.action, "test.something")

    def test_it_refuses_delete_through_the_orm(self):
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=self.event.pk).delete()
        self.assertTrue(AuditEvent.objects.filter(pk=self.event.pk).exists())

    def test_it_refuses_raw_sql_update_and_delete(self):
        for statement in (
            "UPDATE accounts_auditevent SET action = 'x' WHERE id = %s",
            "DELETE FROM accounts_auditevent WHERE id = %s",
        ):
            with (self.subTest(statement=statement), self.assertRaises(DatabaseError), transaction.atomic(),
                  connection.cursor() as cursor):
                cursor.execute(statement, [self.event.pk])
        self.assertTrue(AuditEvent.objects.filter(pk=self.event.pk, action="test.something").exists())

    def test_it_records_system_actions_without_actor(self):
        event = audit.record(actor=None, action="test.system")
        self.assertIsNone(event.actor)
