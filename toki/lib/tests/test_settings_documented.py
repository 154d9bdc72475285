"""Every environment variable the settings read is documented (docs/settings.md) and listed (.env.example)."""

import re
from pathlib import Path

from django.test import SimpleTestCase

REPO = Path(__file__).resolve().parents[3]


class SettingsDocumentedTests(SimpleTestCase):
    def variables(self) -> set[str]:
        source = (REPO / "toki" / "settings.py").read_text(encoding="utf-8")
        return set(re.findall(r'env_[a-z]+\("([A-Z0-9_]+)"', source))

    def test_it_documents_every_variable(self):
        docs = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
        self.assertEqual(sorted(v for v in self.variables() if f"`{v}`" not in docs), [])

    def test_it_lists_every_variable_in_the_example_environment(self):
        example = (REPO / ".env.example").read_text(encoding="utf-8")
        listed = set(re.findall(r"^([A-Z0-9_]+)=", example, re.M))
        self.assertEqual(sorted(self.variables() - listed), [])
