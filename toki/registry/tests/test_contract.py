import tomllib
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase


class RegistryContractTests(SimpleTestCase):
    def test_every_app_but_the_registry_and_the_demo_is_forbidden_to_import_it(self):
        root = Path(settings.BASE_DIR)
        config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
        contract = next(c for c in config["contracts"] if c.get("forbidden_modules") == ["toki.registry"])
        apps = {p.parent.name for p in (root / "toki").glob("*/__init__.py")} - {"tests", "registry", "demo"}
        self.assertEqual({f"toki.{app}" for app in apps}, set(contract["source_modules"]))
