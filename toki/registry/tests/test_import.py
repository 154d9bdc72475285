"""The CSV import through its real entry point, the registry_import command."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from toki.accounts.models import AuditEvent
from toki.registry.models import Person
from toki.registry.tests.helpers import KEYS_V1, csv_bytes, person_row, write_csv
from toki.test import BaseTestCase


@override_settings(**KEYS_V1)
class RegistryImportTests(BaseTestCase):
    def run_import(self, data: bytes, *extra, name="welfare.csv") -> str:
        out, err = StringIO(), StringIO()
        try:
            call_command("registry_import", str(write_csv(data, name)), "--by", "alice", *extra,
                         stdout=out, stderr=err)
        except CommandError as error:
            raise AssertionError(err.getvalue()) from error
        return out.getvalue()

    def import_errors(self, data: bytes, name="welfare.csv") -> str:
        err = StringIO()
        with self.assertRaises(CommandError) as caught:
            call_command("registry_import", str(write_csv(data, name)), "--by", "alice", stderr=err)
        return err.getvalue() + str(caught.exception)

    def test_it_imports_the_people_who_meet_the_criteria_and_counts_the_rest(self):
        rows = [
            person_row("A1"),
            person_row("A2", care_level="要介護1", name_kana="サド タロウ"),  # below 要介護3
            person_row("A3", care_level="", physical_grade="2"),
            person_row("A4", care_level="", intellectual_grade="A"),
            person_row("A5", in_facility="1"),
            person_row("A6", care_level="", intractable_disease="1", district="ryotsu"),
        ]
        out = self.run_import(csv_bytes(rows))
        self.assertIn("created 4, updated 0, not meeting the criteria 1, in a facility 1", out)
        self.assertEqual(4, Person.objects.count())
        person = Person.objects.get(district__code="ryotsu")
        self.assertEqual(["intractable_disease"], person.inclusion_reasons)
        self.assertEqual("佐渡 花子", person.name)
        self.assertEqual([{"name": "佐渡 一郎", "relation": "長男", "phone": "090-0000-0001"}],
                         person.emergency_contacts)

    def test_the_database_holds_no_plaintext_and_the_audit_only_counts(self):
        self.run_import(csv_bytes([person_row("A1", medical_devices="人工呼吸器;吸引器")]))
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM registry_person")
            dump = repr(cursor.fetchall())
        for sentinel in ("佐渡 花子", "サド", "1938", "0259", "歩行困難", "人工呼吸器", "佐渡市相川", "要介護"):
            self.assertNotIn(sentinel, dump)
        event = AuditEvent.objects.get(action="registry.imported")
        self.assertEqual({"created": 1, "updated": 0, "not_meeting_criteria": 0, "in_facility": 0}, event.changes)

    def test_a_reimport_updates_the_same_person(self):
        self.run_import(csv_bytes([person_row("A1")]))
        out = self.run_import(csv_bytes([person_row("A1", address="佐渡市相川二町目2")]))
        self.assertIn("created 0, updated 1", out)
        self.assertEqual("佐渡市相川二町目2", Person.objects.get().address)

    def test_bad_rows_are_reported_by_file_row_field_and_reason_and_nothing_is_written(self):
        rows = [person_row("A1"), person_row("A2", birth_date="1938/04/01", district="nowhere"),
                person_row("A3", name_kana="佐渡", phone="abc"), person_row("A1")]
        errors = self.import_errors(csv_bytes(rows), name="bad.csv")
        self.assertIn("bad.csv:3: birth_date: is not a date (YYYY-MM-DD)", errors)
        self.assertIn("bad.csv:3: district: is not a district code", errors)
        self.assertIn("bad.csv:4: name_kana: is not written in kana", errors)
        self.assertIn("bad.csv:4: phone: is not a phone number", errors)
        self.assertIn("bad.csv:5: source_id: repeats line 2", errors)
        self.assertIn("nothing was imported", errors)
        self.assertNotIn("1938/04/01", errors)  # reasons never repeat a value
        self.assertEqual(0, Person.objects.count())
        self.assertFalse(AuditEvent.objects.filter(action="registry.imported").exists())

    def test_a_file_with_a_my_number_column_is_refused(self):
        header = ["個人番号", *csv_bytes([]).decode("utf-8-sig").strip().split(",")]
        rows = [{**person_row("A1"), "個人番号": "123456789012"}]
        errors = self.import_errors(csv_bytes(rows, header=header))
        self.assertIn("welfare.csv:1: 個人番号: 個人番号 is never imported", errors)
        self.assertEqual(0, Person.objects.count())

    def test_missing_and_unknown_columns_are_refused(self):
        errors = self.import_errors(b"source_id,name,colour\r\nA1,x,red\r\n")
        self.assertIn("colour: is not a column of the layout", errors)
        self.assertIn("birth_date: column is missing", errors)

    def test_it_reads_cp932_when_told(self):
        out = self.run_import(csv_bytes([person_row("A1")], encoding="cp932"), "--encoding", "cp932")
        self.assertIn("created 1", out)
        self.assertEqual("佐渡 花子", Person.objects.get().name)
        errors = self.import_errors(csv_bytes([person_row("A1")], encoding="cp932"))
        self.assertIn("cannot be read as utf-8", errors)

    @override_settings(TOKI_REGISTRY_CRITERIA={"care_level_min": 1})
    def test_the_criteria_are_the_municipalitys(self):
        out = self.run_import(csv_bytes([person_row("A1", care_level="要介護1")]))
        self.assertIn("created 1", out)

    def test_only_registry_officers_import(self):
        with self.assertRaisesMessage(CommandError, "'dave' is not an active registry officer"):
            call_command("registry_import", str(write_csv(csv_bytes([person_row("A1")]))), "--by", "dave")
        self.assertEqual(0, Person.objects.count())
