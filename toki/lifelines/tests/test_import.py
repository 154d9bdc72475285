"""manage.py import_lifelines: validated first, all or nothing, idempotent, one AuditEvent per import."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from toki.accounts.models import AuditEvent
from toki.lifelines.actions import import_lifelines
from toki.lifelines.importing import read_rows, validate
from toki.lifelines.models import Lifeline, StatusReport
from toki.lifelines.tests.helpers import LifelinesMixin
from toki.test import BaseTestCase

HEADER = "code,status,as_of,source,detail,source_url,expected_restoration,kind,name,district\n"
GOOD_CSV = HEADER + (
    "ryotsu-ferry,suspended,2026-01-10T06:00+09:00,佐渡汽船,欠航（高波のため）,https://www.sadokisen.co.jp/,"
    "2026-01-10T15:00+09:00,,,\n"
    "power,partly_disrupted,2026-01-10 07:30,東北電力ネットワーク,両津地区の一部で停電,,,,,\n"
    "ogi-naoetsu,normal,2026-01-10T06:00+09:00,佐渡汽船,通常運航,,,ferry,佐渡汽船 小木–直江津,ogi\n"
)


class ImportCommandTests(LifelinesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()

    def setUp(self):
        super().setUp()
        self.tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def write(self, name: str, text: str) -> str:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    def run_import(self, *args) -> str:
        out = StringIO()
        call_command("import_lifelines", *args, stdout=out, stderr=StringIO())
        return out.getvalue()

    def assert_refused(self, text: str, message: str, name="feed.csv", *args):
        with self.assertRaises(CommandError) as caught:
            self.run_import(self.write(name, text), *args)
        self.assertIn(message, str(caught.exception))
        self.assertIn("nothing was imported", str(caught.exception))
        self.assertFalse(StatusReport.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="lifelines.import").exists())

    def test_it_imports_a_csv_feed(self):
        output = self.run_import(self.write("feed.csv", GOOD_CSV))
        self.assertIn("3 new report(s)", output)
        self.ferry.refresh_from_db()
        self.assertEqual((self.ferry.status, self.ferry.detail), ("suspended", "欠航（高波のため）"))
        self.assertEqual(self.ferry.expected_restoration_at.isoformat(), "2026-01-10T06:00:00+00:00")
        power_report = StatusReport.objects.get(lifeline=self.power)
        self.assertEqual(power_report.as_of.isoformat(), "2026-01-09T22:30:00+00:00")  # no offset: Japan time
        self.assertEqual((power_report.import_origin, power_report.entered_by), ("feed.csv", None))
        new = Lifeline.objects.get(code="ogi-naoetsu")
        self.assertEqual((new.kind, new.district, new.status), ("ferry", self.districts["ogi"], "normal"))

    def test_it_imports_a_json_feed(self):
        feed = {"lifelines": [{"code": "route-350", "status": "suspended", "as_of": "2026-01-10T06:00:00+09:00",
                               "source": "新潟県 佐渡地域振興局", "detail": "小木地区で通行止め", "source_url": None}]}
        self.run_import(self.write("feed.json", json.dumps(feed, ensure_ascii=False)))
        self.road.refresh_from_db()
        self.assertEqual((self.road.status, self.road.source), ("suspended", "新潟県 佐渡地域振興局"))

    def test_it_changes_nothing_when_run_again_with_the_same_data(self):
        path = self.write("feed.csv", GOOD_CSV)
        self.run_import(path)
        output = self.run_import(path)
        self.assertIn("0 new report(s), 3 already recorded, 0 new lifeline(s)", output)
        self.assertEqual(StatusReport.objects.count(), 3)
        self.assertEqual(Lifeline.objects.count(), 4)

    def test_it_records_one_audit_event_per_import(self):
        path = self.write("feed.csv", GOOD_CSV)
        self.run_import(path)
        self.run_import(path, "--user", "alice")
        events = list(AuditEvent.objects.filter(action="lifelines.import").order_by("id"))
        self.assertEqual([(e.changes["created_reports"], e.changes["unchanged"]) for e in events], [(3, 0), (0, 3)])
        self.assertEqual(events[0].changes["created_lifelines"], ["ogi-naoetsu"])
        self.assertEqual(events[1].actor, self.alice)

    def test_it_stops_at_a_bad_row_with_its_row_field_and_reason(self):
        bad = GOOD_CSV + "route-350,closed,2026-01-10T06:00+09:00,新潟県,,,,,,\n"
        self.assert_refused(bad, "row 5, field 'status': unknown status 'closed'")

    def test_it_reports_each_kind_of_bad_value(self):
        cases = {
            "ryotsu-ferry,normal,yesterday,佐渡汽船,,,,,,": "row 2, field 'as_of': not an ISO 8601 time",
            "ryotsu-ferry,normal,2026-01-10T06:00+09:00,,,,,,,": "row 2, field 'source': required",
            "ryotsu-ferry,normal,2026-01-10T06:00+09:00,佐渡汽船,,ftp://x,,,,": "row 2, field 'source_url'",
            "ryotsu-ferry,normal,2099-01-10T06:00+09:00,佐渡汽船,,,,,,": "row 2, field 'as_of': the time is in the fut",
            "ryotsu-ferry,suspended,2026-01-10T06:00+09:00,佐渡汽船,,,2026-01-09T06:00+09:00,,,":
                "row 2, field 'expected_restoration'",
            "new-line,normal,2026-01-10T06:00+09:00,佐渡汽船,,,,,,": "row 2, field 'kind'",
            "new-line,normal,2026-01-10T06:00+09:00,佐渡汽船,,,,ferry,x,nowhere": "row 2, field 'district'",
            "ryotsu-ferry,normal,2026-01-10T06:00+09:00,佐渡汽船,,,,,,,extra": "row 2: more values than columns",
        }
        for row, message in cases.items():
            with self.subTest(row=row):
                self.assert_refused(HEADER + row + "\n", message)

    def test_it_refuses_two_rows_that_disagree_about_the_same_time(self):
        rows = HEADER + ("power,normal,2026-01-10T06:00+09:00,東北電力ネットワーク,,,,,,\n"
                         "power,suspended,2026-01-10T06:00+09:00,東北電力ネットワーク,,,,,,\n")
        self.assert_refused(rows, "row 3, field 'as_of': row 2 says something else")

    def test_it_refuses_a_file_with_unknown_or_missing_columns(self):
        self.assert_refused("code,status,as_of,source,colour\n", "row 1: unknown column 'colour'")
        self.assert_refused("code,status,source\n", "row 1: the required column 'as_of' is missing")

    def test_it_refuses_bad_json_and_bad_encoding(self):
        self.assert_refused("{not json", "not valid JSON", "feed.json")
        self.assert_refused('[{"code": "power", "status": 1}]', "row 1, field 'status': expected a string",
                            "feed.json")
        path = self.tmp / "latin.csv"
        path.write_bytes(HEADER.encode() + "power,normal,2026-01-10T06:00,Énergie,,,,,,\n".encode("latin-1"))
        with self.assertRaisesMessage(CommandError, "not UTF-8"):
            self.run_import(str(path))

    def test_it_limits_a_partner_user_to_their_own_lifelines(self):
        own = HEADER + "ryotsu-ferry,suspended,2026-01-10T06:00+09:00,佐渡汽船,,,,,,\n"
        self.run_import(self.write("own.csv", own), "--user", "pat")
        self.assertEqual(StatusReport.objects.get().entered_by, self.pat)
        other = HEADER + "power,suspended,2026-01-10T06:00+09:00,佐渡汽船,,,,,,\n"
        with self.assertRaisesMessage(CommandError, "row 2, field 'code': you may not update the lifeline 'power'"):
            self.run_import(self.write("other.csv", other), "--user", "pat")
        with self.assertRaisesMessage(CommandError, "you may not update"):
            self.run_import(self.write("eve.csv", own), "--user", "eve")

    def test_it_keeps_a_late_older_row_in_the_history_only(self):
        rows = HEADER + ("power,normal,2026-01-10T09:00+09:00,東北電力ネットワーク,復旧,,,,,\n"
                         "power,suspended,2026-01-10T06:00+09:00,東北電力ネットワーク,停電,,,,,\n")
        self.run_import(self.write("feed.csv", rows))
        self.power.refresh_from_db()
        self.assertEqual((self.power.status, self.power.detail), ("normal", "復旧"))
        self.assertEqual(self.power.reports.count(), 2)


class ImportActionTests(LifelinesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()

    def test_it_refuses_a_partner_rows_for_other_lifelines_even_when_validated_without_them(self):
        data = (HEADER + "power,suspended,2026-01-10T06:00+09:00,東北電力ネットワーク,,,,,,\n").encode()
        rows = validate(read_rows(data, "csv"), municipality=self.municipality)
        with self.assertRaises(PermissionDenied):
            import_lifelines(acting_user=self.pat, municipality=self.municipality, rows=rows, origin="x.csv")
        self.assertFalse(StatusReport.objects.exists())
