"""An imported CAP message as the public sees it: imported through `cap_import` (files) as staff would, then
read through the portal pages and the alerts API in every language (issue 12 items 3 and 7)."""

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from toki.alerts.models import Alert
from toki.alerts.tests.test_cap_support import ferry_notice
from toki.test import BaseTestCase

LANGUAGES = ("ja", "ja-easy", "en", "zh-hans", "ko")

ENGLISH_ONLY_FIRE = b"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>FIRE-2026-0042</identifier>
  <sender>dispatch@fire.example.jp</sender>
  <sent>2026-11-24T11:00:00+09:00</sent>
  <status>Actual</status> <msgType>Alert</msgType> <scope>Public</scope>
  <info>
    <language>en-US</language> <category>Fire</category> <event>Structure fire</event>
    <urgency>Immediate</urgency> <severity>Severe</severity> <certainty>Observed</certainty>
    <senderName>Sado Fire Department (fictitious)</senderName>
    <headline>Structure fire near Ryotsu port</headline>
    <description>A warehouse is on fire near Ryotsu port. Smoke is drifting east.</description>
    <instruction>Keep windows closed and stay away from the port area.</instruction>
    <area><areaDesc>Ryotsu port</areaDesc>
      <polygon>38.075,138.432 38.075,138.447 38.086,138.447 38.086,138.432 38.075,138.432</polygon></area>
  </info>
</alert>"""


class CapImportedPublicTests(BaseTestCase):
    def import_files(self, files: dict[str, bytes]) -> tuple[str, str]:
        """Write the files into a directory, run `cap_import DIR`; (stdout, stderr)."""
        with tempfile.TemporaryDirectory() as folder:
            for name, data in files.items():
                Path(folder, name).write_bytes(data)
            out, err = StringIO(), StringIO()
            call_command("cap_import", folder, stdout=out, stderr=err)
            return out.getvalue(), err.getvalue()

    def page(self, path: str, language: str):
        self.client.cookies["toki_language"] = language
        return self.client.get(path)

    def test_it_shows_an_imported_ferry_notice_on_the_warnings_page_in_every_language(self):
        self.import_files({"ferry.xml": ferry_notice()})
        for language in LANGUAGES:
            with self.subTest(language=language):
                response = self.page("/warnings/", language)
                self.assertEqual(response.status_code, 200)
                expected = "Car ferries" if language == "en" else "両津港発着のカーフェリー欠航"
                self.assertIn(expected, response.content.decode())

    def test_it_answers_the_alerts_api_for_an_imported_alert(self):
        self.import_files({"ferry.xml": ferry_notice()})
        alert = Alert.objects.get(source=Alert.Source.CAP)
        self.assertEqual(self.client.get("/api/v1/alerts").status_code, 200)
        ja = self.client.get(f"/api/v1/alerts/{alert.pk}?lang=ja").json()
        en = self.client.get(f"/api/v1/alerts/{alert.pk}?lang=en").json()
        ko = self.client.get(f"/api/v1/alerts/{alert.pk}?lang=ko").json()
        self.assertEqual(ja["title"], "両津港発着のカーフェリー欠航")
        self.assertIn("全便欠航", ja["body"])
        self.assertIn("Car ferries", en["title"])
        # No Korean info: the Japanese headline, and the texts labelled as the sender's original.
        self.assertEqual(ko["title"], "両津港発着のカーフェリー欠航")
        self.assertIn("원문", ko["body"])

    def test_it_shows_an_english_only_message_to_japanese_readers_as_the_original(self):
        self.import_files({"fire.xml": ENGLISH_ONLY_FIRE})
        alert = Alert.objects.get(source=Alert.Source.CAP)
        ja = self.client.get(f"/api/v1/alerts/{alert.pk}?lang=ja").json()
        self.assertEqual(ja["title"], "Structure fire near Ryotsu port")
        self.assertIn("Sado Fire Department (fictitious)の発表文（原文）", ja["body"])

    def test_it_republishes_an_english_only_message_in_english_only(self):
        self.import_files({"fire.xml": ENGLISH_ONLY_FIRE})
        alert = Alert.objects.get(source=Alert.Source.CAP)
        document = self.client.get(f"/cap/alerts/{alert.pk}.xml").content.decode()
        self.assertIn("<language>en-US</language>", document)
        self.assertNotIn("ja-JP", document)
        self.assertIn("<category>Fire</category>", document)

    def test_it_does_not_call_a_structure_fire_weather(self):
        self.import_files({"fire.xml": ENGLISH_ONLY_FIRE})
        alert = Alert.objects.get(source=Alert.Source.CAP)
        self.assertNotEqual(alert.category, Alert.Category.WEATHER)
        self.assertEqual(alert.category, Alert.Category.FIRE)

    def test_it_reads_cap_files_and_names_the_files_it_skips(self):
        out, err = self.import_files({"ferry.cap": ferry_notice(), "feed.atom": b"<feed/>", "notes.txt": b"x"})
        self.assertIn("ferry.cap\timported", out)
        self.assertIn("feed.atom\tskipped\t", err)
        self.assertIn("notes.txt\tskipped\t", err)
        self.assertEqual(Alert.objects.filter(source=Alert.Source.CAP).count(), 1)
