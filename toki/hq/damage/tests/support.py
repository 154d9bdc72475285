"""Helpers for the damage tests: the bundled definition, an incident, and reports filed through the actions."""

import json
import shutil
import tempfile
from pathlib import Path

from django.test import override_settings

from toki.hq import actions as hq_actions
from toki.hq.damage import actions
from toki.hq.damage.management.commands.load_damage_form import BUNDLED
from toki.test import BaseTestCase

FILES = Path(__file__).parent / "files"


def bundled_doc() -> dict:
    return json.loads((BUNDLED / "fdma-4-r8.json").read_text(encoding="utf-8"))


class DamageTestCase(BaseTestCase):
    """Personas, the FDMA definition (active), one incident over 両津 and 相川."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.definition, _created = actions.load_definition(acting_user=None, doc=bundled_doc(), activate=True)
        cls.ryotsu, cls.aikawa = cls.districts["ryotsu"], cls.districts["aikawa"]
        cls.incident = hq_actions.open_incident(
            acting_user=cls.alice, municipality=cls.municipality, name="令和8年7月豪雨", kind="heavy_rain",
            districts=[cls.ryotsu, cls.aikawa])

    def file(self, counts, *, category=None, district=None, user=None, **kwargs):
        category = category or self.category_of(counts)
        return actions.file_report(acting_user=user or self.alice, incident=kwargs.pop("incident", self.incident),
                                   category=category, counts=counts, district=district or self.ryotsu, **kwargs)

    def category_of(self, counts) -> str:
        categories = self.definition.definition.categories
        return next(c for c, spec in categories.items() if set(counts) <= set(spec["items"]))


class TemporaryMediaMixin:
    def setUp(self):
        super().setUp()
        self.media_root = tempfile.mkdtemp(prefix="toki-damage-")
        self.addCleanup(shutil.rmtree, self.media_root, ignore_errors=True)
        media = override_settings(MEDIA_ROOT=self.media_root)
        media.enable()
        self.addCleanup(media.disable)
