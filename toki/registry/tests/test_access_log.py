"""The access log: each look chained by a keyed hash; `registry_verify_access_log` finds a changed, removed or
inserted row; the page lists the looks for officers with filters; everyone else gets 404."""

from contextlib import contextmanager
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from toki.accounts.migrations import _append_only
from toki.registry.models import AccessLog, Person
from toki.registry.tests.helpers import KEYS_V1, RegistryLoginMixin, csv_bytes, person_row, write_csv
from toki.test import BaseTestCase

TABLE = "registry_accesslog"


@contextmanager
def guard_lifted():
    """Inside the test's transaction: the append-only triggers dropped, then put back (tampering as the database
    owner could)."""
    with connection.cursor() as cursor:
        for statement in _append_only._sql(connection.vendor, "drop", TABLE):
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in _append_only._sql(connection.vendor, "create", TABLE):
                cursor.execute(statement)


@override_settings(**KEYS_V1)
class AccessLogTests(RegistryLoginMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rows = [person_row(f"L{i}", name=f"記録 {i}") for i in range(3)]
        with override_settings(**KEYS_V1):
            call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())

    def look(self, times=2):
        self.login(self.alice)
        district = Person.objects.first().district_id
        for _ in range(times):
            self.client.get(reverse("registry:district", args=[district]) + "?purpose=drill")

    def verify(self) -> str:
        out = StringIO()
        call_command("registry_verify_access_log", stdout=out)
        return out.getvalue()

    def test_the_chain_holds_for_what_the_pages_logged(self):
        self.look()
        self.assertEqual(6, AccessLog.objects.count())
        self.assertIn("6 rows verified", self.verify())

    def test_a_changed_row_is_found(self):
        self.look()
        victim = AccessLog.objects.order_by("id")[2]
        with guard_lifted():
            AccessLog.objects.filter(pk=victim.pk).update(purpose="support_planning")
        with self.assertRaisesMessage(CommandError, f"broken at row {victim.pk}: its content"):
            self.verify()

    def test_a_removed_row_is_found(self):
        self.look()
        victim = AccessLog.objects.order_by("id")[2]
        with guard_lifted():
            AccessLog.objects.filter(pk=victim.pk).delete()
        with self.assertRaisesMessage(CommandError, "does not follow the previous row"):
            self.verify()

    def test_a_removed_last_row_is_found(self):
        self.look()
        with guard_lifted():
            AccessLog.objects.filter(pk=AccessLog.objects.order_by("-id")[0].pk).delete()
        with self.assertRaisesMessage(CommandError, "does not end where the head says"):
            self.verify()

    def test_the_officer_reads_and_filters_the_log(self):
        self.look(times=1)
        person = Person.objects.order_by("id").first()
        page = self.client.get(reverse("registry:access_log"))
        self.assertEqual(3, page.content.decode().count("data-log="))
        self.assertContains(page, "49-11-1")
        one = self.client.get(reverse("registry:access_log"), {"person": person.pk})
        self.assertEqual(1, one.content.decode().count("data-log="))
        self.assertEqual(400, self.client.get(reverse("registry:access_log"), {"person": "x"}).status_code)
        self.assertNotContains(page, "記録 0")  # ids and codes only

    def test_outsiders_and_recipients_get_404(self):
        for persona in (self.dave, self.bob, self.eve):
            self.login(persona)
            self.assertEqual(404, self.client.get(reverse("registry:access_log")).status_code)
