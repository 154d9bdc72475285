"""Issue 13 finding 12: the append-only logs stay append-only whoever writes SQL against them.

Each log gets a row through its real entry point, then raw SQL tries what an insider would: UPDATE, DELETE,
TRUNCATE (PostgreSQL), `INSERT OR REPLACE` (SQLite, which replaces a row without firing DELETE triggers).
On PostgreSQL the app runs as a role that does not own the tables (docs/operations.md): that role can write
rows, but cannot switch the guards off with `ALTER TABLE … DISABLE TRIGGER`.
"""

import uuid
from unittest import skipUnless

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from toki.accounts import audit
from toki.hq.actions import chronology
from toki.hq.damage.tests.support import DamageTestCase
from toki.notices import actions as notice_actions
from toki.shelters.tests.world import ShelterWorldMixin, register_and_check_in
from toki.test import BaseTransactionTestCase

API = "/api/v1/hq/damage"


class AppendOnlyTests(ShelterWorldMixin, DamageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()

    def rows(self) -> dict[str, int]:
        """One row of every append-only table, each written the way the app writes it; {table: id}."""
        event = audit.record(actor=self.alice, action="test.guarded", obj=self.bob)
        entry = chronology.write_entry(acting_user=self.alice, incident=self.incident, content="原文")
        note = chronology.annotate_entry(acting_user=self.alice, entry=entry, text="注記")
        register_and_check_in(self.carol, self.opening)
        self.login(self.bob)
        report = self.client.post(f"{API}/incidents/{self.incident.pk}/reports", {
            "category": "roads", "district": "ryotsu", "counts": {"sites_roads": 1}}, content_type="application/json")
        self.assertEqual(report.status_code, 201, report.content)
        notice = notice_actions.create_notice(acting_user=self.alice, municipality=self.municipality,
                                              category="life", versions={"ja": ("お知らせ", "本文")})
        from toki.hq.damage.models import DamageReportVersion
        from toki.shelters.models import CheckinEvent

        return {"accounts_auditevent": event.pk, "hq_chronologyentry": entry.pk,
                "hq_chronologyannotation": note.pk, "shelters_checkinevent": CheckinEvent.objects.last().pk,
                "damage_damagereportversion": DamageReportVersion.objects.get().pk,
                "notices_noticerevision": notice.revisions.get().pk}

    def assert_refused(self, sql: str, params=()):
        with self.assertRaises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    def test_it_refuses_update_and_delete_on_every_append_only_table(self):
        for table, pk in self.rows().items():
            with self.subTest(table=table):
                self.assert_refused(f"UPDATE {table} SET id = id WHERE id = %s", [pk])  # noqa: S608
                self.assert_refused(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608

    @skipUnless(connection.vendor == "sqlite", "REPLACE is SQLite's")
    def test_it_refuses_insert_or_replace_on_sqlite(self):
        for table, pk in self.rows().items():
            with self.subTest(table=table):
                self.assert_refused(f"INSERT OR REPLACE INTO {table} SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
                self.assert_refused(f"REPLACE INTO {table} SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608

    @skipUnless(connection.vendor == "sqlite", "REPLACE is SQLite's")
    def test_it_keeps_an_audit_row_that_replace_tried_to_rewrite(self):
        event = audit.record(actor=self.alice, action="test.original", obj=self.bob)
        self.assert_refused(
            "INSERT OR REPLACE INTO accounts_auditevent (id, at, actor_id, action, object_type, object_id, changes) "
            "SELECT id, at, actor_id, 'tampered', object_type, object_id, changes FROM accounts_auditevent "
            "WHERE id = %s", [event.pk])
        event.refresh_from_db()
        self.assertEqual(event.action, "test.original")

    @skipUnless(connection.vendor == "postgresql", "TRUNCATE triggers are PostgreSQL's")
    def test_it_refuses_truncate_on_postgresql(self):
        for table in self.rows():
            with self.subTest(table=table):
                self.assert_refused(f"TRUNCATE {table} CASCADE")


@skipUnless(connection.vendor == "postgresql", "the app role is PostgreSQL's")
class AppRoleTests(BaseTransactionTestCase):
    """The grants of `manage.py grant_app_role` on the test database, and a connection as that role."""

    def setUp(self):
        super().setUp()
        self.role = f"toki_app_{uuid.uuid4().hex[:10]}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {self.role} LOGIN")
        self.addCleanup(self.drop_role)
        call_command("grant_app_role", self.role, verbosity=0)
        audit.record(actor=None, action="test.app_role")

    def drop_role(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {self.role}")
            cursor.execute(f"DROP ROLE {self.role}")

    def as_app_role(self):
        import psycopg

        settings = connection.settings_dict
        return psycopg.connect(dbname=settings["NAME"], user=self.role, host=settings["HOST"] or "127.0.0.1",
                               port=settings["PORT"] or 5432, autocommit=True)

    def test_it_lets_the_app_role_write_rows_but_not_disable_the_guards(self):
        import psycopg

        with self.as_app_role() as app:
            app.execute("INSERT INTO accounts_auditevent (at, action, object_type, object_id, changes) "
                        "VALUES (now(), 'test.as_app', '', '', '{}')")
            with self.assertRaises(psycopg.errors.InsufficientPrivilege):
                app.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER ALL")
            with self.assertRaises(psycopg.errors.InsufficientPrivilege):
                app.execute("ALTER TABLE shelters_checkinevent DISABLE TRIGGER shelters_checkinevent_append_only")
            with self.assertRaises(psycopg.errors.RaiseException):
                app.execute("UPDATE accounts_auditevent SET action = 'tampered'")
            with self.assertRaises(psycopg.errors.InsufficientPrivilege):
                app.execute("DROP TRIGGER auditevent_append_only ON accounts_auditevent")
