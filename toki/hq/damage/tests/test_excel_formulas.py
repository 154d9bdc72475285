"""Issue 13 finding 9: text in a 第N報's Excel file (報告者名, その1 notes, the incident's name) is never a formula."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from toki.hq.damage.tests.support import DamageTestCase


class ExcelFormulaTests(DamageTestCase):
    def test_it_keeps_formula_like_text_as_text(self):
        self.login(self.alice)
        url = reverse("damage:issued_list", args=[self.incident.pk])
        response = self.client.post(url, {
            "reporter_name": "=1+1", "note_overview": '=HYPERLINK("http://evil.example","x")',
            "note_place": "@SUM(A1)", "note_occurred": "-1+2", "note_response": "+cmd"})
        self.assertEqual(response.status_code, 302)
        workbook = self.client.get(reverse("damage:issued_xlsx", args=[self.incident.pk, 1]))
        book = load_workbook(io.BytesIO(workbook.content))
        cells = {cell.value: cell for sheet in book for row in sheet.iter_rows() for cell in row
                 if isinstance(cell.value, str)}
        for text in ("=1+1", '=HYPERLINK("http://evil.example","x")', "@SUM(A1)", "-1+2", "+cmd"):
            with self.subTest(text=text):
                self.assertIn(text, cells)
                self.assertEqual(cells[text].data_type, "s")
                self.assertTrue(cells[text].quotePrefix)
        formulas = [cell.coordinate for sheet in book for row in sheet.iter_rows() for cell in row
                    if cell.data_type == "f"]
        self.assertEqual(formulas, [])
