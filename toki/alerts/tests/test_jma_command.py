"""manage.py jma_parse: one line or JSON object per telegram, errors on stderr, non-zero exit on failure."""

import json
import tempfile
import unittest
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from toki.alerts.management.commands.jma_parse import Command

from .test_jma_samples import SAMPLES_DIR, requires_samples

REPO = Path(__file__).resolve().parents[3]
SADO_PROFILE = REPO / "profiles" / "sado.json"
QUAKE = SAMPLES_DIR / "32-35_06_03_240613_VXSE53.xml"
TOKYO_WARNINGS = SAMPLES_DIR / "15_14_01_170216_VPWW53.xml"


def run(*args: str) -> tuple[str, str]:
    # The command object is passed directly, so the test does not depend on INSTALLED_APPS.
    stdout, stderr = StringIO(), StringIO()
    call_command(Command(), *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@requires_samples
class JmaParseCommandTests(unittest.TestCase):
    def test_it_prints_a_summary_line_per_telegram(self):
        stdout, _ = run(str(QUAKE), str(TOKYO_WARNINGS))
        lines = stdout.splitlines()
        self.assertEqual(len(lines), 2)
        self.assertEqual(lines[0].split("\t")[1:5], ["VXSE53", "震源・震度に関する情報", "通常", "発表"])

    def test_it_prints_one_json_object_per_telegram(self):
        stdout, _ = run("--json", str(QUAKE))
        record = json.loads(stdout)
        self.assertEqual(record["file"], str(QUAKE))
        self.assertEqual(record["telegram"]["max_intensity"], "6+")
        self.assertNotIn("concerns", record)

    def test_it_adds_relevance_with_a_profile(self):
        stdout, _ = run("--json", "--profile", str(SADO_PROFILE), str(QUAKE), str(TOKYO_WARNINGS))
        quake, warnings = (json.loads(line) for line in stdout.splitlines())
        self.assertTrue(quake["concerns"])
        sado_city = {"key": "city", "name": "佐渡市", "code": "1522400", "code_type": "気象・地震・火山情報／市町村等"}
        self.assertIn(sado_city, quake["matched_areas"])
        self.assertEqual((warnings["concerns"], warnings["matched_areas"]), (False, []))

    def test_it_shows_relevance_in_the_summary_line(self):
        stdout, _ = run("--profile", str(SADO_PROFILE), str(QUAKE))
        self.assertIn("concerns=yes (earthquake_region:375, city:1522400", stdout)

    def test_it_reads_every_xml_file_of_a_directory(self):
        with tempfile.TemporaryDirectory() as directory:
            for source in (QUAKE, TOKYO_WARNINGS):
                (Path(directory) / source.name).write_bytes(source.read_bytes())
            (Path(directory) / "notes.txt").write_text("not a telegram")
            stdout, _ = run(directory)
        self.assertEqual(len(stdout.splitlines()), 2)

    def test_it_reports_a_bad_file_and_goes_on(self):
        with tempfile.NamedTemporaryFile(suffix=".xml") as bad:
            bad.write(b"<!DOCTYPE x><Report/>")
            bad.flush()
            stdout, stderr = StringIO(), StringIO()
            with self.assertRaisesRegex(CommandError, "1 of 2 telegram"):
                call_command(Command(), bad.name, str(QUAKE), stdout=stdout, stderr=stderr)
        self.assertIn(f"{bad.name}: <!DOCTYPE found", stderr.getvalue())
        self.assertIn("VXSE53", stdout.getvalue())

    def test_it_refuses_an_unreadable_profile(self):
        with self.assertRaisesRegex(CommandError, "cannot read the profile"):
            run("--profile", "/nonexistent/profile.json", str(QUAKE))
