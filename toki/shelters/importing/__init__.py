"""Reading shelter files: detect the format, check every row, and return rows ready for the import action.

Nothing here writes: `read_shelter_file` raises `ShelterFileError` listing every problem (up to a limit) with its
row, column and reason, or returns a `ParsedFile` whose rows are all valid and all inside the municipality.
"""

from dataclasses import dataclass
from pathlib import Path

from toki.shelters.importing.formats import Format, detect, fields_of, required_columns
from toki.shelters.importing.rows import RowErrors, RowReader, ShelterRow, column_key, parse_capacity
from toki.shelters.importing.sources import FileProblem, read_table

__all__ = ["ParsedFile", "ShelterFileError", "ShelterRow", "parse_capacity", "read_shelter_file"]

KNOWN_FORMATS = (
    "GSI 指定緊急避難場所・指定避難所データ as GeoJSON or CSV (共通ID, 施設・場所名, … and 緯度, 経度 in CSV), or the "
    "自治体標準オープンデータセット 指定緊急避難場所一覧 CSV (ID, 名称, 所在地_連結表記, 災害種別_…, 緯度, 経度)"
)


class ShelterFileError(ValueError):
    """A file that cannot be imported; `messages` name the row, column and reason of each problem."""

    def __init__(self, path, messages: list[str], total: int | None = None):
        self.path, self.messages = Path(path), messages
        total = len(messages) if total is None else total
        more = f"\n{self.path.name}: … and {total - len(messages)} more" if total > len(messages) else ""
        lines = "\n".join(f"{self.path.name}: {m}" for m in messages)
        super().__init__(f"{lines}{more}\n{self.path.name}: nothing imported from this file "
                         f"({total} problem{'s' if total != 1 else ''})")


@dataclass
class ParsedFile:
    path: Path
    format: Format
    encoding: str
    rows: list[ShelterRow]


def read_shelter_file(path, *, municipality, locator) -> ParsedFile:
    """Parse and check the file at `path` for `municipality`; `locator` places points in its districts."""
    path = Path(path)
    try:
        table = read_table(path.read_bytes())
    except OSError as exc:
        raise ShelterFileError(path, [f"cannot read the file: {exc.strerror or exc}"]) from exc
    except FileProblem as exc:
        raise ShelterFileError(path, [str(exc)]) from exc
    keys = set(table.names) | {k for r in table.records[:1] for k in r.cells}
    fmt = detect(table.kind, keys)
    if fmt is None:
        header = ", ".join(list(table.names.values())[:12]) or "(nothing)"
        raise ShelterFileError(path, [f"unknown format: expected {KNOWN_FORMATS}; the columns are: {header}"])
    missing = [c for c in required_columns(fmt, table.kind) if column_key(c) not in keys]
    if missing:
        raise ShelterFileError(path, [f"{fmt.label}: missing column {', '.join(missing)}"])
    if not locator.areas:
        raise ShelterFileError(path, [f"{municipality.name} has no district boundaries: load its profile first "
                                      "(manage.py load_profile)"])
    errors = RowErrors()
    rows: list[ShelterRow] = []
    seen: dict[str, str] = {}
    for record in table.records:
        reader = RowReader(record.cells, record.label, errors, table.names)
        if "(extra cells)" in record.cells:
            reader.fail("(row)", f"has more cells than the header ({len(table.names)} columns)")
        common_id, fields = fields_of(fmt, reader, municipality)
        lat, lon, point_column = _position(reader, record, fmt)
        if common_id in seen:
            reader.fail(fmt.id_column, f"{common_id!r} repeats {seen[common_id]}")
        elif common_id:
            seen[common_id] = record.label.split(" (")[0]
        if reader.ok and locator.find(lat, lon) is None:
            reader.fail(point_column, f"({lat:g}, {lon:g}) is outside {municipality.name} "
                                      f"(not within {locator.tolerance_km:g} km of any of its districts)")
        if reader.ok:
            rows.append(ShelterRow(record.number, record.label, common_id, lat, lon, fields))
    if errors.count:
        raise ShelterFileError(path, errors.messages, errors.count)
    return ParsedFile(path, fmt, table.encoding, rows)


def _position(reader: RowReader, record, fmt: Format) -> tuple[float, float, str]:
    if record.point is None and record.geometry_problem:
        reader.fail("geometry", record.geometry_problem)
        return 0.0, 0.0, "geometry"
    if record.point is not None:
        lon = reader.coordinate("geometry.coordinates[0] (longitude)", record.point[0], -180, 180)
        lat = reader.coordinate("geometry.coordinates[1] (latitude)", record.point[1], -90, 90)
        return lat, lon, "geometry.coordinates"
    lat = reader.coordinate(fmt.lat_column, reader.raw(fmt.lat_column), -90, 90)
    lon = reader.coordinate(fmt.lon_column, reader.raw(fmt.lon_column), -180, 180)
    return lat, lon, f"{fmt.lat_column}/{fmt.lon_column}"
