"""Validating the payloads of check-in events (docs/shelter-ops-sync.md §3). Pure functions, no I/O.

A problem raises `Rejected(code)`; codes are those of the contract (`invalid_payload:<field>` names the field).
"""

import math
import re
import uuid
from datetime import UTC, date, datetime

from toki.shelters.models import CARE_NEEDS, Household, Member, Registration


class Rejected(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


HOUSEHOLD_FIELDS = {
    # field: (max length or None for a choice/bool, choices)
    "address": (200, None), "phone": (40, None), "pets": (200, None), "car_plate": (40, None),
    "notes": (1000, None), "stay": (None, Household.Stay.values),
    "house_damage": (None, Household.HouseDamage.values), "disclosure": (None, Household.Disclosure.values),
    "car_sleeping": (None, (True, False)),
}
MEMBER_FIELDS = {
    "name": (100, None), "name_kana": (100, None), "relation": (40, None), "allergies": (200, None),
    "care_notes": (1000, None), "sex": (None, Member.Sex.values),
}


MAX_DEPTH = 6  # payload → members → a member → care_needs → a code is 4 levels; anything deeper is not ours
MAX_NODES = 2000  # values in one payload (30 members × a dozen fields is about 400)
MAX_ID = 2**63 - 1  # the largest primary key the databases store
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # older "occurred_at" is a broken clock, not an offline tablet
_FIELD_NAME = re.compile(r"[A-Za-z0-9_]{1,40}")


def check_shape(payload) -> dict:
    """The payload as a whole, before any field is read: an object, at most MAX_DEPTH levels and MAX_NODES values,
    text the databases can store (no NUL, valid Unicode), finite numbers within the 64-bit range. Walks without
    recursion, so no nesting can exhaust the stack. Raises Rejected naming the path of the first bad value."""
    if not isinstance(payload, dict):
        raise Rejected("invalid_payload:payload")
    stack, nodes = [(payload, ())], 0
    while stack:
        value, path = stack.pop()
        nodes += 1
        if len(path) > MAX_DEPTH or nodes > MAX_NODES or not _storable(value):
            raise Rejected(_path_code(path))
        if isinstance(value, dict):
            for key, item in value.items():
                if not _storable(key):
                    raise Rejected(_path_code(path))
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
    return payload


def _storable(value) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800" in JSON)
            return False
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return -MAX_ID <= value <= MAX_ID
    return True


def _path_code(path: tuple) -> str:
    """invalid_payload:<path>, with field names as sent only when they are plain names (the code is stored)."""
    parts = [str(p) if isinstance(p, int) or _FIELD_NAME.fullmatch(p) else "?" for p in path]
    return f"invalid_payload:{'.'.join(parts) or 'payload'}"[:80]


def parse_id(value, field: str) -> int:
    """A database id (a positive 64-bit integer), as a JSON integer or a string of digits."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise Rejected(f"invalid_payload:{field}")
    return value


def parse_text(value, field: str, max_length: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise Rejected(f"invalid_payload:{field}")
    return value.strip()


def parse_uuid(value, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Rejected(f"invalid_payload:{field}") from None


def parse_occurred_at(value) -> datetime:
    """An aware time from 2000 on, in UTC (a far-off offset at the ends of the calendar cannot overflow later)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise Rejected("invalid_time") from None
    else:
        raise Rejected("invalid_time")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Rejected("invalid_time")
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        raise Rejected("invalid_time") from None
    if parsed < EARLIEST:
        raise Rejected("invalid_time")
    return parsed


def _clean(values: dict, spec: dict, prefix: str) -> dict:
    if not isinstance(values, dict):
        raise Rejected(f"invalid_payload:{prefix.rstrip('.') or 'payload'}")
    cleaned = {}
    for field, value in values.items():
        if field not in spec:
            continue  # unknown keys are ignored (forward compatibility), never stored
        max_length, choices = spec[field]
        if choices is not None:
            if type(value) not in {type(choice) for choice in choices} or value not in choices:
                raise Rejected(f"invalid_payload:{prefix}{field}")
            cleaned[field] = value
        else:
            if value is None:
                value = ""
            if not isinstance(value, str) or len(value) > max_length:
                raise Rejected(f"invalid_payload:{prefix}{field}")
            cleaned[field] = value.strip()
    return cleaned


def household_fields(values: dict, prefix: str = "") -> dict:
    return _clean(values, HOUSEHOLD_FIELDS, prefix)


def member_fields(values: dict, prefix: str) -> dict:
    cleaned = _clean(values, MEMBER_FIELDS, prefix)
    if "birth_date" in values:
        raw = values["birth_date"]
        if raw in (None, ""):
            cleaned["birth_date"] = None
        else:
            try:
                born = date.fromisoformat(str(raw))
            except ValueError:
                raise Rejected(f"invalid_payload:{prefix}birth_date") from None
            if born.year < 1890 or born > date.today():
                raise Rejected(f"invalid_payload:{prefix}birth_date")
            cleaned["birth_date"] = born
    if "care_needs" in values:
        needs = values["care_needs"] or []
        if not isinstance(needs, list) or any(not isinstance(n, str) or n not in CARE_NEEDS for n in needs):
            raise Rejected(f"invalid_payload:{prefix}care_needs")
        cleaned["care_needs"] = sorted(set(needs))
    return cleaned


def members_list(values, *, required: bool) -> list[tuple[uuid.UUID, dict]]:
    if values is None and not required:
        return []
    if not isinstance(values, list) or (required and not values) or len(values) > 30:
        raise Rejected("invalid_payload:members")
    out, seen = [], set()
    for index, raw in enumerate(values):
        prefix = f"members.{index}."
        if not isinstance(raw, dict):
            raise Rejected(f"invalid_payload:members.{index}")
        member_id = parse_uuid(raw.get("id"), f"{prefix}id")
        if member_id in seen:
            raise Rejected(f"invalid_payload:{prefix}id")
        seen.add(member_id)
        out.append((member_id, member_fields(raw, prefix)))
    return out


def member_ids(values) -> list[uuid.UUID] | None:
    if values is None:
        return None
    if not isinstance(values, list) or not values or len(values) > 30:
        raise Rejected("invalid_payload:member_ids")
    return [parse_uuid(v, f"member_ids.{i}") for i, v in enumerate(values)]


def destination(payload: dict) -> tuple[str, str]:
    dest = payload.get("destination") or Registration.Destination.OTHER
    if dest not in Registration.Destination.values:
        raise Rejected("invalid_payload:destination")
    note = payload.get("destination_note") or ""
    if not isinstance(note, str) or len(note) > 200:
        raise Rejected("invalid_payload:destination_note")
    return dest, note.strip()
