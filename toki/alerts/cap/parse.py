"""Parsing and validating a CAP 1.2 message from untrusted bytes.

    message = parse_cap(body)          # CapMessage, or CapError("reason")

Steps, each refusing with a reason a person can act on (docs/cap.md lists them):
1. screening of the raw bytes, before any parser sees them: size, encoding, and no `<!DOCTYPE` / `<!ENTITY`
   (without a DTD there is nothing to expand, so no "billion laughs" or external entities);
2. well-formed XML (lxml with entity resolution and network access off, as a second line of defence);
3. the root is `alert` in the CAP 1.2 namespace (CAP 1.1/1.0 are named as such);
4. the OASIS schema (CAP-v1.2.xsd): required elements, enumerations, date-time format;
5. what the schema cannot say: identifier and sender without spaces, commas, `<` or `&`; `references` as
   `sender,identifier,sent` triples, present for Update and Cancel; `restriction`/`addresses` for Restricted/Private
   scope; an `info` in every Alert and Update; polygons closed with at least four points, circles and coordinates
   in range; `ceiling` only with `altitude`.
"""

import hashlib
import re
from datetime import datetime

from lxml import etree

from toki.alerts.cap import CAP_NS
from toki.alerts.cap.message import Area, CapMessage, Circle, Info, NamedValue, Point, Reference, Resource
from toki.alerts.cap.schema import schema_errors
from toki.lib.xmlguard import screen_xml

# CAP messages are small; even one with an embedded resource (derefUri) stays far below this. Kept under Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) so the endpoint can answer 413 itself.
MAX_CAP_BYTES = 2 * 1024 * 1024

OLD_NAMESPACES = {
    "urn:oasis:names:tc:emergency:cap:1.1": "CAP 1.1",
    "http://www.incident.com/cap/1.0": "CAP 1.0",
}
# Encodings in which ASCII markup stays ASCII bytes, so the DOCTYPE screen below sees it (UTF-16/32 and UTF-7
# would hide it).
_ASCII_COMPATIBLE = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "windows-1252",
                     "cp1252", "shift_jis", "sjis", "euc-jp"})
_CAP_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
_FORBIDDEN_IN_ID = re.compile(r"[\s,<&]")
_MAX_SEMANTIC_ERRORS = 5

_PARSER_OPTIONS = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False, "huge_tree": False,
    "remove_blank_text": False,
}


class CapError(ValueError):
    """The message is not usable CAP 1.2; `reason` says why (and where, when it applies)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_cap(data: bytes) -> CapMessage:
    """Screen, parse and validate `data`; return the message or raise CapError with the reason."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise CapError(f"a CAP message must be bytes, not {type(data).__name__}")
    data = bytes(data)
    screen(data)
    try:
        root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))  # screened above; entities off
    except etree.XMLSyntaxError as exc:
        raise CapError(f"not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:  # unreachable after screen(); kept as a second guard
        raise CapError("a DOCTYPE was found: DTDs are refused (XML bomb guard)")
    check_root(root)
    problems = schema_errors(root)
    if problems:
        raise CapError("not valid CAP 1.2 (OASIS schema): " + "; ".join(problems))
    reader = _Reader(hashlib.sha256(data).hexdigest())
    message = reader.alert(root)
    problems = semantic_errors(message, reader.problems)
    if problems:
        raise CapError("; ".join(problems[:_MAX_SEMANTIC_ERRORS]))
    return message


def screen(data: bytes) -> None:
    """Refuse, before parsing, input that is empty, too large, in a hiding encoding, or has a DTD or entities."""
    if not data.strip():
        raise CapError("empty message")
    # Other agencies may declare an ASCII-compatible legacy encoding, which lxml decodes; UTF-16/32 is refused.
    screen_xml(data, what="message", max_bytes=MAX_CAP_BYTES, error=CapError, encodings=_ASCII_COMPATIBLE)


def check_root(root) -> None:
    namespace, _, name = root.tag.rpartition("}")
    namespace = namespace.lstrip("{")
    if namespace == CAP_NS and name == "alert":
        return
    if namespace in OLD_NAMESPACES:
        raise CapError(f"this is {OLD_NAMESPACES[namespace]} (namespace {namespace}); only CAP 1.2 is accepted")
    where = f"in namespace {namespace!r}" if namespace else "without a namespace"
    raise CapError(f"root element <{name}> {where} is not a CAP 1.2 alert (expected <alert> in namespace {CAP_NS})")


def parse_datetime(value: str) -> datetime:
    """A CAP date-time: ISO 8601 to the second with an explicit offset (the schema's pattern)."""
    if not _CAP_DATETIME.match(value):
        raise ValueError(f"{value!r} is not a CAP date-time (YYYY-MM-DDThh:mm:ss+hh:mm)")
    return datetime.fromisoformat(value)


def parse_references(text: str) -> tuple[tuple[Reference, ...], list[str]]:
    """The `sender,identifier,sent` triples of a `references` value, and what is wrong with the others."""
    references, problems = [], []
    for item in text.split():
        parts = item.split(",")
        if len(parts) != 3 or not all(parts):
            problems.append(f"references: {item!r} is not a sender,identifier,sent triple")
            continue
        try:
            sent = parse_datetime(parts[2])
        except ValueError as exc:
            problems.append(f"references: {item!r}: {exc}")
            continue
        references.append(Reference(parts[0], parts[1], sent))
    return tuple(references), problems


def parse_polygon(text: str) -> tuple[Point, ...]:
    """A CAP polygon ("lat,lon lat,lon …") as (lat, lon) points; ValueError when a pair is not numbers in range."""
    points = []
    for pair in text.split():
        points.append(_lat_lon(pair))
    return tuple(points)


def parse_circle(text: str) -> Circle:
    """A CAP circle ("lat,lon radius", radius in km)."""
    parts = text.split()
    if len(parts) != 2:
        raise ValueError(f"{text!r} is not \"lat,lon radius\"")
    lat, lon = _lat_lon(parts[0])
    try:
        radius = float(parts[1])
    except ValueError:
        raise ValueError(f"{text!r}: radius {parts[1]!r} is not a number") from None
    if not radius >= 0:
        raise ValueError(f"{text!r}: radius must be zero or more kilometres")
    return Circle(lat, lon, radius)


def _lat_lon(pair: str) -> Point:
    parts = pair.split(",")
    try:
        lat, lon = (float(v) for v in parts)
    except ValueError:
        raise ValueError(f"{pair!r} is not a lat,lon pair of numbers") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{pair!r} is out of range (latitude first, WGS 84)")
    return lat, lon


class _Reader:
    """Turns a schema-valid <alert> into a CapMessage; values it cannot read become `problems`."""

    def __init__(self, sha256: str):
        self.sha256 = sha256
        self.problems: list[str] = []

    def alert(self, root) -> CapMessage:
        text = _texts(root)
        references: tuple[Reference, ...] = ()
        if text.get("references"):
            references, problems = parse_references(text["references"][0])
            self.problems.extend(problems)
        message = CapMessage(
            identifier=_one(text, "identifier"),
            sender=_one(text, "sender"),
            sent=self.datetime(_one(text, "sent"), "sent"),
            status=_one(text, "status"),
            msg_type=_one(text, "msgType"),
            scope=_one(text, "scope"),
            source=_one(text, "source"),
            restriction=_one(text, "restriction"),
            addresses=_one(text, "addresses"),
            codes=tuple(text.get("code", ())),
            note=_one(text, "note"),
            references=references,
            incidents=_one(text, "incidents"),
            infos=tuple(self.info(element, i) for i, element in enumerate(_children(root, "info"))),
            sha256=self.sha256,
        )
        return message

    def info(self, element, index: int) -> Info:
        text = _texts(element)
        where = f"info[{index}]"
        return Info(
            language=_one(text, "language") or "en-US",
            categories=tuple(text.get("category", ())),
            event=_one(text, "event"),
            response_types=tuple(text.get("responseType", ())),
            urgency=_one(text, "urgency"),
            severity=_one(text, "severity"),
            certainty=_one(text, "certainty"),
            audience=_one(text, "audience"),
            event_codes=_named(element, "eventCode"),
            effective=self.datetime(_one(text, "effective"), f"{where}.effective"),
            onset=self.datetime(_one(text, "onset"), f"{where}.onset"),
            expires=self.datetime(_one(text, "expires"), f"{where}.expires"),
            sender_name=_one(text, "senderName"),
            headline=_one(text, "headline"),
            description=_one(text, "description"),
            instruction=_one(text, "instruction"),
            web=_one(text, "web"),
            contact=_one(text, "contact"),
            parameters=_named(element, "parameter"),
            resources=tuple(self.resource(r) for r in _children(element, "resource")),
            areas=tuple(self.area(a, f"{where}.area[{i}]") for i, a in enumerate(_children(element, "area"))),
        )

    def resource(self, element) -> Resource:
        text = _texts(element)
        size = _one(text, "size")
        return Resource(_one(text, "resourceDesc"), _one(text, "mimeType"), _one(text, "uri"),
                        int(size) if size else None)

    def area(self, element, where: str) -> Area:
        text = _texts(element)
        polygons, circles = [], []
        for i, value in enumerate(text.get("polygon", ())):
            try:
                polygon = parse_polygon(value)
            except ValueError as exc:
                self.problems.append(f"{where}.polygon[{i}]: {exc}")
                continue
            if len(polygon) < 4:
                self.problems.append(f"{where}.polygon[{i}]: a polygon needs at least 4 points (closed)")
            elif polygon[0] != polygon[-1]:
                self.problems.append(f"{where}.polygon[{i}]: not closed (the first and last points differ)")
            else:
                polygons.append(polygon)
        for i, value in enumerate(text.get("circle", ())):
            try:
                circles.append(parse_circle(value))
            except ValueError as exc:
                self.problems.append(f"{where}.circle[{i}]: {exc}")
        altitude, ceiling = _one(text, "altitude"), _one(text, "ceiling")
        if ceiling and not altitude:
            self.problems.append(f"{where}: ceiling is given without altitude")
        return Area(
            desc=_one(text, "areaDesc"),
            polygons=tuple(polygons),
            circles=tuple(circles),
            geocodes=_named(element, "geocode"),
            altitude=float(altitude) if altitude else None,
            ceiling=float(ceiling) if ceiling else None,
        )

    def datetime(self, value: str, where: str) -> datetime | None:
        if not value:
            return None
        try:
            return parse_datetime(value)
        except ValueError as exc:
            self.problems.append(f"{where}: {exc}")
            return None


def semantic_errors(message: CapMessage, reader_problems: list[str] | None = None) -> list[str]:
    """What CAP 1.2 requires beyond its schema (see the module docstring); empty when the message is usable."""
    problems = list(reader_problems or [])
    for name in ("identifier", "sender"):
        value = getattr(message, name)
        if not value:
            problems.append(f"{name} is empty")
        elif _FORBIDDEN_IN_ID.search(value):
            problems.append(f"{name} {value!r} contains a space, comma, '<' or '&' (CAP 1.2 §3.2.1)")
    if message.sent is None:
        problems.append("sent is not a valid CAP date-time")
    if message.msg_type in ("Update", "Cancel", "Ack", "Error") and not message.references:
        problems.append(f"{_article(message.msg_type)} {message.msg_type} must name the message(s) it refers to "
                        "in references")
    if any(reference.key == message.key for reference in message.references):
        problems.append("references names the message itself")
    if message.scope == "Restricted" and not message.restriction:
        problems.append("scope Restricted needs a restriction")
    if message.scope == "Private" and not message.addresses:
        problems.append("scope Private needs addresses")
    if message.msg_type in ("Alert", "Update") and not message.infos:
        problems.append(f"{_article(message.msg_type)} {message.msg_type} needs at least one info block")
    for i, info in enumerate(message.infos):
        if not info.event:
            problems.append(f"info[{i}].event is empty")
    return problems


def _article(word: str) -> str:
    return "an" if word[:1] in "AEIOU" else "a"


def _children(element, name: str) -> list:
    return element.findall(f"{{{CAP_NS}}}{name}")


def _texts(element) -> dict[str, list[str]]:
    """The stripped texts of an element's direct CAP children, by local name (repeatable elements in order)."""
    texts: dict[str, list[str]] = {}
    for child in element:
        if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{CAP_NS}}}"):
            continue  # comments, processing instructions, the XML-DSig Signature
        texts.setdefault(child.tag[len(CAP_NS) + 2:], []).append((child.text or "").strip())
    return texts


def _one(texts: dict[str, list[str]], name: str) -> str:
    values = texts.get(name)
    return values[0] if values else ""


def _named(element, name: str) -> tuple[NamedValue, ...]:
    pairs = []
    for child in _children(element, name):
        texts = _texts(child)
        pairs.append(NamedValue(_one(texts, "valueName"), _one(texts, "value")))
    return tuple(pairs)
