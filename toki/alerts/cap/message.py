"""The parsed CAP 1.2 message as plain, immutable dataclasses (element names in snake_case).

Values keep CAP's own vocabulary ("Actual", "Update", "Met", "Severe"); coordinates are floats, latitude first,
as CAP writes them. `CapMessage.as_facts()` is the JSON stored in `Alert.facts["cap"]` for an imported message.
"""

from dataclasses import dataclass
from datetime import datetime

Point = tuple[float, float]  # (lat, lon), WGS 84


@dataclass(frozen=True, slots=True)
class NamedValue:
    """A geocode, eventCode or parameter: `valueName` names the system, `value` is the code in it."""

    value_name: str
    value: str


@dataclass(frozen=True, slots=True)
class Circle:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True, slots=True)
class Area:
    desc: str
    polygons: tuple[tuple[Point, ...], ...] = ()  # each closed: first point == last point
    circles: tuple[Circle, ...] = ()
    geocodes: tuple[NamedValue, ...] = ()
    altitude: float | None = None
    ceiling: float | None = None


@dataclass(frozen=True, slots=True)
class Resource:
    desc: str
    mime_type: str
    uri: str = ""
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Info:
    language: str
    categories: tuple[str, ...]
    event: str
    response_types: tuple[str, ...]
    urgency: str
    severity: str
    certainty: str
    audience: str = ""
    event_codes: tuple[NamedValue, ...] = ()
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    contact: str = ""
    parameters: tuple[NamedValue, ...] = ()
    resources: tuple[Resource, ...] = ()
    areas: tuple[Area, ...] = ()


@dataclass(frozen=True, slots=True)
class Reference:
    """One `sender,identifier,sent` triple of `references`."""

    sender: str
    identifier: str
    sent: datetime

    @property
    def key(self) -> str:
        """The key Toki stores an imported message under (`Alert.identifier`)."""
        return f"{self.sender},{self.identifier}"


@dataclass(frozen=True, slots=True)
class CapMessage:
    identifier: str
    sender: str
    sent: datetime
    status: str  # Actual | Exercise | System | Test | Draft
    msg_type: str  # Alert | Update | Cancel | Ack | Error
    scope: str  # Public | Restricted | Private
    source: str = ""
    restriction: str = ""
    addresses: str = ""
    codes: tuple[str, ...] = ()
    note: str = ""
    references: tuple[Reference, ...] = ()
    incidents: str = ""
    infos: tuple[Info, ...] = ()
    sha256: str = ""  # of the bytes received

    @property
    def key(self) -> str:
        """`sender,identifier`: unique per message across senders (CAP makes identifiers unique per sender)."""
        return f"{self.sender},{self.identifier}"

    def primary_info(self) -> Info | None:
        """The Japanese `info` when there is one, else the first (the one Toki's Alert fields come from)."""
        for info in self.infos:
            if info.language.lower().startswith("ja"):
                return info
        return self.infos[0] if self.infos else None

    def as_facts(self) -> dict:
        """A JSON-serialisable dict of the whole message (datetimes as ISO 8601 with their offset)."""
        return _jsonable(self)


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _jsonable(getattr(value, name)) for name in value.__dataclass_fields__}
    return value
