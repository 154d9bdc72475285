"""Parsed rows and the checks shared by every format (text, flags, coordinates, capacity)."""

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass
class ShelterRow:
    """One validated row: where it came from, its key and position, and the model fields its format carries."""

    number: int  # 1-based data row: the first row after the header (or the first feature) is 1
    label: str  # how messages name it: "row 3 (line 4)" for CSV, "feature 3 (features[2])" for GeoJSON
    common_id: str
    lat: float
    lon: float
    fields: dict = field(default_factory=dict)


class RowErrors:
    """Collects `<row label>, <column>: <reason>` messages for one file (the first LIMIT are kept)."""

    LIMIT = 20

    def __init__(self):
        self.messages: list[str] = []
        self.count = 0

    def add(self, label: str, column: str, reason: str) -> None:
        self.count += 1
        if len(self.messages) < self.LIMIT:
            self.messages.append(f"{label}, {column}: {reason}")


class RowReader:
    """Reads the cells of one record, recording a message for each bad one and returning a safe value.

    Cells are keyed by `column_key`; columns are named in messages as the file spells them.
    """

    def __init__(self, cells: dict, label: str, errors: RowErrors, names: dict[str, str]):
        self.cells, self.label, self.errors, self.names = cells, label, errors, names
        self.ok = True

    def fail(self, column: str, reason: str) -> None:
        self.ok = False
        self.errors.add(self.label, self.names.get(column_key(column), column), reason)

    def raw(self, column: str) -> str:
        value = self.cells.get(column_key(column))
        return "" if value is None else str(value).strip()

    def text(self, column: str, *, max_length: int, required: bool = False) -> str:
        value = self.raw(column)
        if required and not value:
            self.fail(column, "required, but empty")
        elif len(value) > max_length:
            self.fail(column, f"longer than {max_length} characters")
        return value

    def flag(self, column: str) -> bool:
        value = self.raw(column)
        if value in ("1", "0", ""):
            return value == "1"
        self.fail(column, f'expected "1", "0" or empty, got {value!r}')
        return False

    def coordinate(self, column: str, value, low: float, high: float) -> float:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.fail(column, "required, but empty")
            return 0.0
        if isinstance(value, bool):
            self.fail(column, f"not a number: {value!r}")
            return 0.0
        try:
            number = float(unicodedata.normalize("NFKC", str(value)).strip())
        except ValueError:
            self.fail(column, f"not a number: {value!r}")
            return 0.0
        if not low <= number <= high:
            self.fail(column, f"{number:g} is out of range ({low:g} to {high:g})")
            return 0.0
        return number


_PEOPLE = re.compile(r"(\d[\d,]*)\s*人")
_NUMBER = re.compile(r"\d[\d,]*")


def parse_capacity(text: str) -> int | None:
    """想定収容人数 as free text: 「810人（2平方メートルあたり1人）」 → 810, 「1,200」 → 1200, 「未定」 → None.

    The first number followed by 人 wins; otherwise a cell that is just a number. Full-width digits are fine.
    """
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return None
    match = _PEOPLE.search(value)
    if match:
        return int(match.group(1).replace(",", ""))
    if _NUMBER.fullmatch(value):
        return int(value.replace(",", ""))
    return None


def column_key(name: str) -> str:
    """A header name normalised for matching: NFKC, no spaces, 「・」 and 「,」 read as 「、」."""
    key = unicodedata.normalize("NFKC", name or "").replace("\ufeff", "")
    key = re.sub(r"\s+", "", key)
    return key.replace("・", "、").replace(",", "、")
