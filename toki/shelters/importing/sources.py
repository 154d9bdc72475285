"""Turning a file's bytes into records: decoding (UTF-8 with or without BOM, Shift_JIS/CP932), CSV and GeoJSON."""

import csv
import io
import json
from dataclasses import dataclass

from toki.shelters.importing.rows import column_key


class FileProblem(ValueError):
    """The file as a whole cannot be read (encoding, syntax, shape); the message says why."""


@dataclass
class Record:
    number: int  # 1-based data row / feature
    label: str  # "row 3 (line 4)" or "feature 3 (features[2])"
    cells: dict  # column_key(name) -> value
    point: tuple | None = None  # GeoJSON only: the raw [lon, lat] of a Point geometry (None when missing)
    geometry_problem: str = ""  # GeoJSON only: why the geometry is unusable


@dataclass
class Table:
    kind: str  # "geojson" or "csv"
    encoding: str
    names: dict  # column_key(name) -> the name as the file spells it
    records: list


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (a BOM is dropped), else Shift_JIS in its Windows form (CP932)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise FileProblem(f"cannot decode as UTF-8 or Shift_JIS (CP932): byte {exc.start}") from exc


def read_table(data: bytes) -> Table:
    text, encoding = decode(data)
    if text.lstrip().startswith("{"):
        return _geojson_table(text, encoding)
    return _csv_table(text, encoding)


def _geojson_table(text: str, encoding: str) -> Table:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FileProblem("a JSON file must be a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise FileProblem("features: expected a list")
    names: dict[str, str] = {}
    records = []
    for index, feature in enumerate(features):
        number = index + 1
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        for name in properties:
            names.setdefault(column_key(name), name)
        point, problem = _point_of(feature.get("geometry") if isinstance(feature, dict) else None)
        records.append(Record(number, f"feature {number} (features[{index}])",
                              {column_key(k): v for k, v in properties.items()}, point, problem))
    return Table("geojson", encoding, names, records)


def _point_of(geometry) -> tuple[tuple | None, str]:
    if not isinstance(geometry, dict):
        return None, "missing"
    if geometry.get("type") != "Point":
        return None, f"expected a Point, got {geometry.get('type')!r}"
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None, "expected [lon, lat]"
    return (coordinates[0], coordinates[1]), ""


def _csv_table(text: str, encoding: str) -> Table:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FileProblem(f"not a readable CSV file: {exc}") from exc
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise FileProblem("empty file: expected a header row")
    header = [cell.strip() for cell in rows[0]]
    keys = [column_key(name) for name in header]
    names = {key: name for key, name in zip(keys, header, strict=True) if key}
    records = []
    for index, cells in enumerate(rows[1:]):
        number = index + 1
        if not any(cell.strip() for cell in cells):
            continue  # a blank line (often the last one); still counted so numbers match the spreadsheet
        record = Record(number, f"row {number} (line {number + 1})", dict(zip(keys, cells, strict=False)))
        if len(cells) > len(header):
            record.cells["(extra cells)"] = cells[len(header):]
        records.append(record)
    return Table("csv", encoding, names, records)
