"""manage.py cap_import: one line per file, non-zero exit when any file is rejected."""

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from toki.accounts.models import AuditEvent
from toki.alerts.models import Alert, QuarantinedInput
from toki.alerts.tests.test_cap_support import FAR_AWAY_POLYGON, area_xml, ferry_notice, geocode_notice
from toki.test import BaseTestCase


class CapImportCommandTest(BaseTestCase):
    def setUp(self):
        self.tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def write(self, name: str, data: bytes) -> str:
        path = self.tmp / name
        path.write_bytes(data)
        return str(path)

    def run_command(self, *args) -> tuple[str, str]:
        out, err = StringIO(), StringIO()
        call_command("cap_import", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_it_reports_imported_and_not_concerning_files(self):
        ferry = self.write("a.xml", ferry_notice())
        tokyo = self.write("b.xml", ferry_notice("X-2", area=area_xml("東京", polygon=FAR_AWAY_POLYGON)))
        out, err = self.run_command(ferry, tokyo)
        alert = Alert.objects.get()
        self.assertEqual(out.splitlines(), [
            f"{ferry}\timported\talert {alert.pk} (info@ferry.example.jp,SKK-2026-0001)\tpolygon: 両津 (ryotsu)",
            f"{tokyo}\tnot concerning\tno area of the message concerns 佐渡市 (152242)",
        ])
        self.assertEqual(err, "")

    def test_it_fails_when_a_file_is_rejected_and_still_imports_the_others(self):
        good = self.write("a.xml", geocode_notice())
        bad = self.write("b.xml", b"<!DOCTYPE x><alert/>")
        out, err = StringIO(), StringIO()
        with self.assertRaisesMessage(CommandError, "1 of 2 file(s) rejected or unreadable"):
            call_command("cap_import", good, bad, stdout=out, stderr=err)
        self.assertIn(f"{bad}\trejected\t<!DOCTYPE found", err.getvalue())
        self.assertEqual(Alert.objects.count(), 1)
        self.assertEqual(QuarantinedInput.objects.get().url, bad)

    def test_it_reports_a_duplicate(self):
        path = self.write("a.xml", ferry_notice())
        self.run_command(path)
        out, _ = self.run_command(path)
        self.assertIn("\tduplicate\talert ", out)

    def test_it_reads_the_xml_files_of_a_directory(self):
        self.write("1.xml", ferry_notice())
        self.write("2.xml", geocode_notice())
        self.write("notes.txt", b"not a message")
        out, _ = self.run_command(str(self.tmp))
        self.assertEqual(out.count("\timported\t"), 2)

    def test_it_fails_for_an_unreadable_path(self):
        with self.assertRaises(CommandError):
            self.run_command(str(self.tmp / "missing.xml"))

    def test_it_records_the_user_given(self):
        self.run_command(self.write("a.xml", ferry_notice()), "--user", "alice")
        self.assertEqual(AuditEvent.objects.get(action="alerts.cap.imported").actor, self.alice)

    def test_it_refuses_an_unknown_user(self):
        with self.assertRaisesMessage(CommandError, "no such active user"):
            self.run_command(self.write("a.xml", ferry_notice()), "--user", "nobody")
        self.assertFalse(Alert.objects.exists())
