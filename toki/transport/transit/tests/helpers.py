"""The demo feed as a zip, with files changed or removed for the bad-input tests."""

import io
import zipfile
from pathlib import Path

from toki.transport.transit.actions import import_feed

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_feed"
RULES = Path(__file__).resolve().parents[1] / "data" / "suspension_rules.json"


def demo_files() -> dict[str, str]:
    """The demo CSVs as they are on disk (CRLF line ends kept)."""
    return {path.name: path.read_bytes().decode("utf-8") for path in sorted(DEMO.glob("*.txt"))}


def make_zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8") if isinstance(text, str) else text)
    return buffer.getvalue()


def demo_zip(**changes: str | bytes | None) -> bytes:
    """The demo feed; `stops="…"` replaces stops.txt, `stops=None` removes it."""
    files: dict[str, str | bytes] = dict(demo_files())
    for stem, text in changes.items():
        if text is None:
            files.pop(f"{stem}.txt", None)
        else:
            files[f"{stem}.txt"] = text
    return make_zip(files)


def load_demo(municipality):
    return import_feed(acting_user=None, municipality=municipality, data=demo_zip(), is_demo=True)
