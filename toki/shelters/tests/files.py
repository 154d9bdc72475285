"""Test files for the shelter import: the real GSI GeoJSON of Sado, small CSV fixtures, and bad-row copies."""

import csv
import io
import tempfile
from pathlib import Path

from django.conf import settings

DATA = Path(__file__).resolve().parent / "data"
GSI_DIR = Path(settings.BASE_DIR) / "toki" / "demo" / "data"
GSI_SHELTERS = GSI_DIR / "shitei_hinanjo_152242.geojson"  # 指定避難所, 64 features
GSI_EMERGENCY = GSI_DIR / "shitei_kinkyu_hinanbasho_152242.geojson"  # 指定緊急避難場所, 86 features
GSI_CSV_UTF8_BOM = DATA / "gsi_emergency_utf8bom.csv"  # 指定緊急避難場所, 3 rows
GSI_CSV_CP932 = DATA / "gsi_shelter_cp932.csv"  # 指定避難所, 3 rows
STANDARD_CSV = DATA / "standard_emergency.csv"  # 標準 指定緊急避難場所一覧, 3 rows


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


class TempFiles:
    """Mixin: a temporary directory per test, and writers for changed copies of the fixtures."""

    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.tmp = Path(directory.name)

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.tmp / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    def csv_with(self, source: Path, row: int, column: str, value: str, *, encoding="utf-8-sig") -> Path:
        """A copy of the CSV `source` with the cell of data row `row` (1-based) in `column` set to `value`."""
        rows = read_csv(source, encoding)
        rows[row][rows[0].index(column)] = value
        return self.write_rows(source.name, rows, encoding=encoding)

    def write_rows(self, name: str, rows: list[list[str]], *, encoding="utf-8-sig") -> Path:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        return self.write(name, buffer.getvalue().encode(encoding))
