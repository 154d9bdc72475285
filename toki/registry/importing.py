"""The validated CSV import from the welfare and resident systems (layout: docs/registry.md).

The whole file is checked first; any bad row refuses the whole file (file, row, field, reason for each problem)
and nothing is written. A reason never repeats the cell's value (the output may end up in a log). A file
carrying a 個人番号 column is refused outright (registry.md §7.2.4: Toki never holds マイナンバー). Rows that do
not meet the municipality's inclusion criteria are counted, not stored.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from toki.accounts import audit
from toki.areas.models import District
from toki.registry import conf, crypto
from toki.registry.models import Person

REQUIRED = ("source_id", "name", "name_kana", "birth_date", "address", "district")
OPTIONAL = ("sex", "phone", "support_reason", "care_level", "physical_grade", "intellectual_grade", "mental_grade",
            "intractable_disease", "in_facility", "lives_alone", "medical_devices", "emergency_contacts", "language",
            "left_reason")
LEFT_REASONS = {"": "", "moved": "moved", "died": "died"}  # 転出, 死亡 as the resident system reports them
# The parsed values a Person takes as they are (the rest is derived: disabilities, household, reasons).
REGISTER_ITEMS = ("name", "name_kana", "birth_date", "sex", "address", "phone", "support_reason", "care_level",
                  "medical_devices", "emergency_contacts", "district", "language")
FORBIDDEN = ("my_number", "mynumber", "individual_number", "個人番号", "マイナンバー")
MAX_LENGTH = 200
SEX = {"0": "unknown", "1": "male", "2": "female", "9": "not_applicable"}
FLAG = {"": False, "0": False, "1": True}
CARE = re.compile(r"^(?:要支援(?P<support>[12])|要介護(?P<care>[1-5]))$")
KANA = re.compile(r"^[\u30A0-\u30FF\u3000 ]+$")
PHONE = re.compile(r"^\+?[0-9()\-]{10,16}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z]{2,4})?$")


@dataclass(frozen=True)
class RowError:
    file: str
    row: int  # the line in the file (the header is line 1)
    field: str
    reason: str

    def __str__(self):
        return f"{self.file}:{self.row}: {self.field}: {self.reason}"


class RegistryImportError(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    not_meeting_criteria: int = 0
    in_facility: int = 0
    left: int = 0  # rows the resident system marks as moved away or died
    person_ids: list[int] = field(default_factory=list)


class _Row:
    """One data row being validated: collects the errors instead of stopping at the first."""

    def __init__(self, file: str, line: int, raw: dict, errors: list[RowError]):
        self.file, self.line, self.raw, self.errors = file, line, raw, errors

    def text(self, name: str, required: bool = False) -> str:
        value = unicodedata.normalize("NFKC", (self.raw.get(name) or "")).strip()
        if required and not value:
            self.fail(name, "is required")
        elif len(value) > MAX_LENGTH:
            self.fail(name, f"is longer than {MAX_LENGTH} characters")
        return value

    def fail(self, name: str, reason: str) -> None:
        self.errors.append(RowError(self.file, self.line, name, reason))

    def choice(self, name: str, choices: dict):
        value = self.text(name)
        if value not in choices:
            self.fail(name, f"is not one of {', '.join(repr(c) for c in choices)}")
        return choices.get(value)

    def grade(self, name: str, allowed: str) -> str:
        value = self.text(name).upper()
        if value and value[:1] not in allowed:
            self.fail(name, f"is not a grade ({', '.join(allowed)})")
        return value[:1]


def _decode(data: bytes, encoding: str, file: str) -> str:
    try:
        return data.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise RegistryImportError([RowError(file, 0, "(file)", f"cannot be read as {encoding}: {error}")]) from None


def _check_header(header, file: str) -> None:
    errors = []
    names = [h.strip() for h in header]
    for name in names:
        if name.lower() in FORBIDDEN:
            errors.append(RowError(file, 1, name, "個人番号 is never imported: remove the column"))
        elif name not in REQUIRED + OPTIONAL:
            errors.append(RowError(file, 1, name, "is not a column of the layout (docs/registry.md)"))
    errors += [RowError(file, 1, name, "column is missing") for name in REQUIRED if name not in names]
    if len(set(names)) != len(names):
        errors.append(RowError(file, 1, "(header)", "names a column twice"))
    if errors:
        raise RegistryImportError(errors)


def _parse(row: _Row, districts: dict[str, District]) -> dict[str, Any]:
    values: dict[str, Any] = {"source_id": row.text("source_id", required=True),
                              "name": row.text("name", required=True)}
    kana = row.text("name_kana", required=True)
    if kana and not KANA.match(crypto.normalise_kana(kana) or " "):
        row.fail("name_kana", "is not written in kana")
    values["name_kana"] = kana
    birth = row.text("birth_date", required=True)
    try:
        values["birth_date"] = date.fromisoformat(birth) if birth else None
        if values["birth_date"] and not date(1890, 1, 1) <= values["birth_date"] <= date.today():
            row.fail("birth_date", "is out of range (1890 to today)")
    except ValueError:
        row.fail("birth_date", "is not a date (YYYY-MM-DD)")
    sex = row.text("sex") or "0"
    if sex not in SEX:
        row.fail("sex", "is not a sex code (0, 1, 2, 9)")
    values["sex"] = SEX.get(sex, "")
    values["address"] = row.text("address", required=True)
    code = row.text("district", required=True)
    values["district"] = districts.get(code)
    if code and values["district"] is None:
        row.fail("district", "is not a district code of the municipality")
    phone = row.text("phone")
    if phone and not PHONE.match(phone):
        row.fail("phone", "is not a phone number")
    values["phone"] = phone
    values["support_reason"] = row.text("support_reason")
    care = row.text("care_level")
    match = CARE.match(care) if care else None
    if care and not match:
        row.fail("care_level", "is not 要支援1–2 or 要介護1–5")
    values["care_level"] = care
    values["care_number"] = int(match["care"]) if match and match["care"] else 0
    values["physical_grade"] = row.grade("physical_grade", "123456")
    values["intellectual_grade"] = row.grade("intellectual_grade", "AB")
    values["mental_grade"] = row.grade("mental_grade", "123")
    values["intractable_disease"] = row.choice("intractable_disease", FLAG)
    values["in_facility"] = row.choice("in_facility", FLAG)
    values["lives_alone"] = row.choice("lives_alone", FLAG)
    values["medical_devices"] = [d.strip() for d in row.text("medical_devices").split(";") if d.strip()]
    contacts = []
    for entry in [e for e in row.text("emergency_contacts").split(";") if e.strip()]:
        parts = [p.strip() for p in entry.split("|")]
        if len(parts) != 3 or not parts[0] or not PHONE.match(parts[2]):
            row.fail("emergency_contacts", "each contact is name|relation|phone, separated by ;")
            break
        contacts.append({"name": parts[0], "relation": parts[1], "phone": parts[2]})
    values["emergency_contacts"] = contacts
    language = row.text("language") or "ja"
    if not LANGUAGE.match(language.lower()):
        row.fail("language", "is not a language code")
    values["language"] = language.lower()
    values["left_reason"] = row.choice("left_reason", LEFT_REASONS) or ""
    return values


def inclusion_reasons(values: dict, criteria: dict) -> list[str]:
    """Why a row belongs on the register under `criteria` (empty: it does not)."""
    reasons = []
    if values["care_number"] and values["care_number"] >= criteria["care_level_min"]:
        reasons.append("care_level")
    if values["physical_grade"] and int(values["physical_grade"]) <= criteria["physical_grade_max"]:
        reasons.append("physical_disability")
    if values["intellectual_grade"] and values["intellectual_grade"] in criteria["intellectual_grades"]:
        reasons.append("intellectual_disability")
    if values["mental_grade"] and int(values["mental_grade"]) <= criteria["mental_grade_max"] and (
            values["lives_alone"] or not criteria["mental_only_if_alone"]):
        reasons.append("mental_disability")
    if values["intractable_disease"] and criteria["intractable_disease"]:
        reasons.append("intractable_disease")
    return reasons


def _disabilities(values: dict) -> list[dict]:
    kinds = (("physical", "physical_grade"), ("intellectual", "intellectual_grade"), ("mental", "mental_grade"))
    return [{"kind": kind, "grade": values[key]} for kind, key in kinds if values[key]]


def import_csv(*, actor, data: bytes, file_name: str, municipality, encoding: str = "utf-8") -> ImportResult:
    """Check the whole file, then write it in one transaction (new people created, known ones updated by the
    source system's id). Raises RegistryImportError listing every problem; then nothing is written."""
    return _write(actor, read_csv(data=data, file_name=file_name, municipality=municipality, encoding=encoding),
                  conf.criteria())


def read_csv(*, data: bytes, file_name: str, municipality, encoding: str = "utf-8") -> list[dict[str, Any]]:
    """Every row of the file parsed and checked, or RegistryImportError with every problem."""
    file = Path(file_name).name
    reader = csv.DictReader(io.StringIO(_decode(data, encoding, file), newline=""))
    _check_header(reader.fieldnames or [], file)
    districts = {d.code: d for d in District.objects.filter(municipality=municipality).defer("boundary")}
    errors: list[RowError] = []
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        if None in raw:
            errors.append(RowError(file, line, "(row)", "has more cells than the header"))
            continue
        row = _Row(file, line, raw, errors)
        values = _parse(row, districts)
        if values["source_id"] in seen:
            row.fail("source_id", f"repeats line {seen[values['source_id']]}")
        seen.setdefault(values["source_id"], line)
        parsed.append(values)
    if errors:
        raise RegistryImportError(errors)
    return parsed


def person_values(values: dict, reasons: list[str]) -> dict[str, Any]:
    """What a parsed row sets on a Person (the register's fields, district as the model)."""
    return {**{name: values[name] for name in REGISTER_ITEMS}, "disabilities": _disabilities(values),
            "lives_with": "alone" if values["lives_alone"] else "others", "inclusion_reasons": reasons}


def excluded_by(values: dict, criteria: dict) -> str:
    """Why a parsed row is not on the register: "moved", "died", "facility", "criteria", or "" (it belongs)."""
    if values["left_reason"]:
        return values["left_reason"]
    if values["in_facility"] and criteria["exclude_in_facility"]:
        return "facility"
    return "" if inclusion_reasons(values, criteria) else "criteria"


@transaction.atomic
def _write(actor, parsed: list[dict], criteria: dict) -> ImportResult:
    result = ImportResult()
    indexes = {crypto.source_index(v["source_id"]): v for v in parsed}
    existing = {p.source_index: p for p in Person.objects.filter(source_index__in=list(indexes))}
    for source, values in indexes.items():
        excluded = excluded_by(values, criteria)
        if excluded:
            if excluded == "facility":
                result.in_facility += 1
            elif excluded == "criteria":
                result.not_meeting_criteria += 1
            else:
                result.left += 1
            continue
        reasons = inclusion_reasons(values, criteria)
        person = existing.get(source) or Person(source_index=source)
        created = person.pk is None
        for name, value in person_values(values, reasons).items():
            setattr(person, name, value)
        person.status = Person.Status.ACTIVE
        person.refresh_indexes()
        person.save()
        result.person_ids.append(person.pk)
        if created:
            result.created += 1
        else:
            result.updated += 1
    audit.record(actor=actor, action="registry.imported", changes={
        "created": result.created, "updated": result.updated, "not_meeting_criteria": result.not_meeting_criteria,
        "in_facility": result.in_facility})
    return result
