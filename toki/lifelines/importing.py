"""Reading a lifeline feed (CSV or JSON) into validated rows. Nothing is written here: every row is checked
first, and the first bad row stops the import with its row number, field and reason (docs/lifelines.md).

CSV: UTF-8 (a BOM is allowed), a header row, one report per row; the header is row 1, so the first report is
row 2. JSON: a list of objects, or an object with a "lifelines" list; the first object is row 1.
"""

import csv
import io
import json
from datetime import datetime

from django.utils import timezone

from toki.lifelines import permissions, selectors
from toki.lifelines.actions import ImportRow
from toki.lifelines.models import Lifeline
from toki.lifelines.validation import lifeline_errors, report_errors

COLUMNS = ("code", "status", "as_of", "source", "detail", "source_url", "expected_restoration", "kind", "name",
           "district")
REQUIRED = ("code", "status", "as_of", "source")
MAX_ROWS = 5000


class ImportFileError(Exception):
    """A problem with the file or one of its rows; nothing has been written."""

    def __init__(self, reason: str, *, row: int | None = None, field: str | None = None):
        self.row, self.field, self.reason = row, field, reason
        where = []
        if row is not None:
            where.append(f"row {row}")
        if field:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {reason}" if where else reason)


def read_rows(data: bytes, fmt: str) -> list[tuple[int, dict]]:
    """(row number, raw values) for each report in the file; `fmt` is "csv" or "json"."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"the file is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    rows = _csv_rows(text) if fmt == "csv" else _json_rows(text)
    if not rows:
        raise ImportFileError("the file has no rows")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"the file has {len(rows)} rows; at most {MAX_ROWS} per import")
    return rows


def _csv_rows(text: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise ImportFileError("the file has no header row", row=1)
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise ImportFileError(f"unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)})", row=1)
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(f"the required column {missing[0]!r} is missing", row=1)
    reader.fieldnames = header
    rows = []
    try:
        for record in reader:
            if None in record:
                raise ImportFileError("more values than columns", row=reader.line_num)
            if not any((value or "").strip() for value in record.values()):
                continue  # a blank line
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in record.items()}))
    except csv.Error as exc:
        raise ImportFileError(f"not valid CSV: {exc}", row=reader.line_num) from None
    return rows


def _json_rows(text: str) -> list[tuple[int, dict]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if isinstance(document, dict):
        document = document.get("lifelines")
    if not isinstance(document, list):
        raise ImportFileError('expected a list of objects, or an object with a "lifelines" list')
    rows = []
    for number, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            raise ImportFileError("expected an object", row=number)
        unknown = [name for name in item if name not in COLUMNS]
        if unknown:
            raise ImportFileError(f"unknown field (fields: {', '.join(COLUMNS)})", row=number, field=unknown[0])
        values = {}
        for name, value in item.items():
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise ImportFileError("expected a string", row=number, field=name)
            values[name] = value.strip()
        rows.append((number, values))
    return rows


def parse_time(value: str) -> datetime:
    """ISO 8601; a time without an offset is Japan time (Asia/Tokyo). ValueError when unreadable."""
    parsed = datetime.fromisoformat(value)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def validate(raw_rows: list[tuple[int, dict]], *, municipality, acting_user=None) -> list[ImportRow]:
    """Check every row (and the rows against each other and the database); ImportFileError at the first bad one.

    With `acting_user`, each row's lifeline must be one that user may update, and only HQ may create lifelines.
    """
    known = {ll.code: ll for ll in Lifeline.objects.filter(municipality=municipality).only("id", "code")}
    allowed = None
    if acting_user is not None:
        allowed = set(selectors.lifelines_for_staff(acting_user, municipality).values_list("code", flat=True))
    districts = {d.code: d for d in municipality.districts.defer("boundary")}
    seen: dict[tuple, tuple[int, tuple]] = {}
    created: dict[str, int] = {}
    rows = []
    for number, values in raw_rows:
        for name in REQUIRED:
            if not values.get(name):
                raise ImportFileError("required", row=number, field=name)
        times = {}
        for name in ("as_of", "expected_restoration"):
            if values.get(name):
                try:
                    times[name] = parse_time(values[name])
                except ValueError:
                    raise ImportFileError(f"not an ISO 8601 time: {values[name]!r}", row=number, field=name) from None
        code = values["code"]
        errors = report_errors(status=values["status"], source=values["source"], as_of=times["as_of"],
                               detail=values.get("detail", ""), source_url=values.get("source_url", ""),
                               expected_restoration_at=times.get("expected_restoration"))
        if errors:
            name, reason = next(iter(errors.items()))
            raise ImportFileError(reason, row=number, field="expected_restoration"
                                  if name == "expected_restoration_at" else name)
        district = None
        if code not in known and code not in created:
            if allowed is not None and not permissions.is_lifeline_hq(acting_user):
                raise ImportFileError(f"no lifeline has the code {code!r}", row=number, field="code")
            new_errors = lifeline_errors(kind=values.get("kind", ""), name=values.get("name", ""))
            if len(code) > 60 or not all((ch.isalnum() and ch.isascii()) or ch in "-_" for ch in code):
                new_errors = {"code": "a new lifeline's code is letters, digits, - and _ (at most 60)"}
            if new_errors:
                name, reason = next(iter(new_errors.items()))
                raise ImportFileError(f"{reason} (the code {code!r} is new, so the row creates a lifeline and needs "
                                      "kind and name)", row=number, field=name)
            if values.get("district"):
                district = districts.get(values["district"])
                if district is None:
                    raise ImportFileError(f"unknown district {values['district']!r} (use one of "
                                          f"{', '.join(districts)})", row=number, field="district")
            created[code] = number
        elif allowed is not None and code not in allowed and code not in created:
            raise ImportFileError(f"you may not update the lifeline {code!r}", row=number, field="code")
        content = (values["status"], values.get("detail", ""), values["source"], values.get("source_url", ""),
                   times.get("expected_restoration"))
        earlier = seen.get((code, times["as_of"]))
        if earlier and earlier[1] != content:
            raise ImportFileError(f"row {earlier[0]} says something else about {code!r} at the same time",
                                  row=number, field="as_of")
        seen[(code, times["as_of"])] = (number, content)
        rows.append(ImportRow(
            row=number, code=code, status=values["status"], source=values["source"], as_of=times["as_of"],
            detail=values.get("detail", ""), source_url=values.get("source_url", ""),
            expected_restoration_at=times.get("expected_restoration"), kind=values.get("kind", ""),
            name=values.get("name", ""), district=district,
        ))
    return rows
