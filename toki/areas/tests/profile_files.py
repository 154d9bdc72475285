"""Writing small profile files for the areas tests."""

import copy
import json
import tempfile
from pathlib import Path

from django.conf import settings

PROFILES = Path(settings.BASE_DIR) / "profiles"
SADO = PROFILES / "sado.json"
EXAMPLE_TOWN = PROFILES / "example-town.json"
WAJIMA = Path(__file__).parent / "profiles" / "wajima.json"  # 輪島市, for the tests (test_second_municipality.py)


def sado_data() -> dict:
    return json.loads(SADO.read_text(encoding="utf-8"))


class ProfileFiles:
    """Mixin: `self.write_profile(data)` writes a profile into a temporary directory and returns its path."""

    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.tmp = Path(directory.name)

    def write_profile(self, data, name="profile.json") -> Path:
        path = self.tmp / name
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        return path

    def sado_with(self, change) -> Path:
        """A copy of the Sado profile changed by `change(data)`."""
        data = copy.deepcopy(sado_data())
        change(data)
        return self.write_profile(data)
