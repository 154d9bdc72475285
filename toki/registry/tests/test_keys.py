"""Key ring, failing loudly, and rotation through the registry_rotate_keys command."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from toki.accounts.models import AuditEvent, User
from toki.registry import actions
from toki.registry.crypto_errors import RegistryKeyError
from toki.registry.models import Consent, Person, RecipientClass, Scope
from toki.registry.tests.helpers import KEY_1, KEYS_V1, KEYS_V2, KEYS_V2_V1, csv_bytes, person_row, write_csv
from toki.test import BaseTestCase


def raw_values(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")  # noqa: S608 (test constants)
        return [row[0] for row in cursor.fetchall()]


class KeyRingTests(BaseTestCase):
    def load_people(self, count: int = 3):
        rows = [person_row(f"A{i}", name=f"佐渡 太郎{i}", phone=f"0259-00-000{i}") for i in range(count)]
        call_command("registry_import", str(write_csv(csv_bytes(rows))), "--by", "alice", stdout=StringIO())
        with override_settings(**KEYS_V1):
            actions.record_consent(actor=User.objects.get(username="alice"), person=Person.objects.earliest("id"),
                                   recipient_class=RecipientClass.MINSEI, scope=Scope.ROSTER,
                                   state=Consent.State.CONSENTED, text_version="2026-1", method=Consent.Method.PROXY,
                                   proxy_name="佐渡 一郎", proxy_relation="長男", proxy_takes_responsibility=True)

    def test_rotation_keeps_old_rows_readable_and_moves_every_value_to_the_primary_key(self):
        with override_settings(**KEYS_V1):
            self.load_people()
        self.assertTrue(all(v.startswith("v1:") for v in raw_values("registry_person", "name")))
        with override_settings(**KEYS_V2_V1):
            self.assertEqual("佐渡 太郎0", Person.objects.order_by("id").first().name)  # old key still reads
            out = StringIO()
            call_command("registry_rotate_keys", "--by", "alice", "--batch-size", "2", stdout=out)
            self.assertIn("in 4 row(s)", out.getvalue())  # three people and one consent (its proxy's name)
            again = StringIO()
            call_command("registry_rotate_keys", "--by", "alice", stdout=again)
            self.assertIn("re-encrypted 0 value(s)", again.getvalue())  # resumable: nothing left to do
        for table, column in (("registry_person", "name"), ("registry_person", "emergency_contacts"),
                              ("registry_consent", "proxy_name")):
            self.assertTrue(all(v.startswith("v2:") for v in raw_values(table, column) if v), (table, column))
        with override_settings(**KEYS_V2):  # the old key is gone: everything still reads
            self.assertEqual(["佐渡 太郎0", "佐渡 太郎1", "佐渡 太郎2"],
                             [p.name for p in Person.objects.order_by("id")])
            self.assertEqual("佐渡 一郎", Consent.objects.get().proxy_name)
        event = AuditEvent.objects.filter(action="registry.keys_rotated").order_by("id").first()
        self.assertEqual({"rows": 4, "values": 3 * 11 + 1, "primary": "v2", "reindexed": False}, event.changes)

    def test_a_value_under_a_key_not_in_the_ring_fails_loudly(self):
        with override_settings(**KEYS_V1):
            self.load_people(1)
        with override_settings(**KEYS_V2):
            with self.assertRaisesMessage(RegistryKeyError, "encrypted with key 'v1', which is not in the key ring"):
                Person.objects.get().name  # noqa: B018
            with self.assertRaisesMessage(CommandError, "key 'v1'"):
                call_command("registry_rotate_keys", "--by", "alice", stdout=StringIO())

    def test_a_wrong_key_under_the_right_id_fails_loudly(self):
        with override_settings(**KEYS_V1):
            self.load_people(1)
        wrong = {**KEYS_V2, "TOKI_REGISTRY_KEYS": "v1=" + KEYS_V2["TOKI_REGISTRY_KEYS"].split("=", 1)[1]}
        with override_settings(**wrong), self.assertRaisesMessage(RegistryKeyError, "does not decrypt"):
            Person.objects.get().name  # noqa: B018

    def test_a_missing_or_malformed_ring_fails_loudly(self):
        index = KEYS_V1["TOKI_REGISTRY_INDEX_KEY"]
        cases = ((("", index), "TOKI_REGISTRY_KEYS is not set"),
                 (("v1=not-a-key", index), "key 'v1' is not a Fernet key"),
                 ((f"v1={KEY_1}", "short"), "TOKI_REGISTRY_INDEX_KEY"))
        for (keys, index_key), message in cases:
            with self.subTest(message=message), override_settings(
                    TOKI_REGISTRY_KEYS=keys, TOKI_REGISTRY_INDEX_KEY=index_key), \
                    self.assertRaisesMessage(RegistryKeyError, message):
                call_command("registry_import", str(write_csv(csv_bytes([person_row("A1")]))), "--by", "alice")
        self.assertEqual(0, Person.objects.count())

    @override_settings(**KEYS_V1)
    def test_encrypted_columns_refuse_lookups(self):
        with self.assertRaisesMessage(TypeError, "search the blind index"):
            Person.objects.filter(name="佐渡 花子").exists()

    def test_reindex_follows_a_new_index_key(self):
        with override_settings(**KEYS_V1):
            self.load_people(1)
            before = Person.objects.get().kana_index
        with override_settings(**{**KEYS_V1, "TOKI_REGISTRY_INDEX_KEY": "another-index-key-" + "9" * 30}):
            call_command("registry_rotate_keys", "--by", "alice", "--reindex", stdout=StringIO())
            self.assertNotEqual(before, Person.objects.get().kana_index)
