"""Safe XML loading and the small element helpers every family parser uses.

JMA telegrams come from the network, so the bytes are untrusted. The standard library's expat parser expands
internal entities, which makes "billion laughs" and quadratic-blowup documents possible. A JMA telegram never
has a DTD, so instead of adding defusedxml we refuse any document that declares one: without a DOCTYPE there
can be no entity declarations, and without those nothing can be expanded. To make that byte-level check
exact we also insist on UTF-8 (JMA's own encoding), because a DOCTYPE in UTF-16 would not be visible as ASCII
bytes.
"""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from toki.lib.xmlguard import screen_xml

# A VPRN50 (大雨危険度通知) sample is 3.8 MB; real ones are larger. Anything far beyond is not a telegram.
MAX_TELEGRAM_BYTES = 32 * 1024 * 1024

JST = timezone(timedelta(hours=9), "JST")



class JmaParseError(ValueError):
    """A telegram could not be parsed; the message names the reason (and the element where it applies)."""


def refuse_unsafe_markup(data: bytes) -> None:
    """Raise JmaParseError for input that is too large, not UTF-8, or carries a DTD or entity declarations."""
    screen_xml(data, what="telegram", max_bytes=MAX_TELEGRAM_BYTES, error=JmaParseError)


def parse_xml(data: bytes) -> ET.Element:
    """Screen the bytes, then parse them into an element tree; any XML syntax error becomes a JmaParseError."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise JmaParseError(f"telegram must be bytes, not {type(data).__name__}")
    data = bytes(data)
    refuse_unsafe_markup(data)
    if not data.strip():
        raise JmaParseError("telegram is empty")
    try:
        return ET.fromstring(data)  # noqa: S314 - screened above: no DTD, no entities, UTF-8 only
    except ET.ParseError as exc:
        raise JmaParseError(f"malformed XML: {exc}") from exc


@lru_cache(maxsize=1024)
def qualify(namespace: str, path: str) -> str:
    """Turn "A/B/C" into "{ns}A/{ns}B/{ns}C" so ElementTree finds elements of one namespace along a path."""
    return "/".join(f"{{{namespace}}}{step}" for step in path.split("/"))


def local_name(tag: str) -> str:
    """The element name without its namespace."""
    return tag.rpartition("}")[2]


def text_of(element: ET.Element | None) -> str:
    """The stripped text of an element, "" when it is missing or empty."""
    if element is None or element.text is None:
        return ""
    return element.text.strip()


def find_text(element: ET.Element | None, namespace: str, path: str) -> str:
    """The stripped text at a path below an element, "" when it is absent."""
    if element is None:
        return ""
    return text_of(element.find(qualify(namespace, path)))


def find_all(element: ET.Element | None, namespace: str, path: str) -> list[ET.Element]:
    if element is None:
        return []
    return element.findall(qualify(namespace, path))


def find_one(element: ET.Element | None, namespace: str, path: str) -> ET.Element | None:
    if element is None:
        return None
    return element.find(qualify(namespace, path))


def parse_datetime(value: str, where: str) -> datetime | None:
    """An aware datetime from a JMA ISO 8601 value ("" gives None).

    JMA always writes an offset (+09:00 or Z). Should one ever be missing, the value is Japan time, the only
    zone JMA reports in, so it is made aware as JST rather than left naive.
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise JmaParseError(f"{where}: {value!r} is not an ISO 8601 date-time") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=JST)


def parse_float(value: str) -> float | None:
    """A float, or None for "", "NaN" and other non-numbers JMA uses when a value is unknown."""
    try:
        number = float(value)
    except ValueError:
        return None
    return None if number != number else number  # NaN is "unknown" in JMA telegrams
