"""An Alert as a CAP 1.2 document: one `info` in Japanese (ja-JP) and one in English (en-US).

    xml_bytes = alert_to_cap(alert)    # reads the references and the areas (two or three queries)

Identity (docs/cap.md): sender = `settings.TOKI_CAP_SENDER`, or `toki@<host of SITE_URL>`; identifier =
`toki-<municipality code>-<alert id>`, so `references` of an update or cancellation name exactly what this site
published before. Times are written in Japan time with their offset (+09:00), to the second, as CAP requires.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from lxml import etree

from toki.alerts.cap import CAP_NS
from toki.alerts.cap.geometry import cap_polygons
from toki.alerts.cap.mapping import (
    CANCEL_CERTAINTY,
    CANCEL_RESPONSE,
    CANCEL_URGENCY,
    CAP_LANGUAGES,
    MSG_TYPE_OUT,
    STATUS_OUT,
    event_name,
    info_texts,
    is_all_clear,
    kind_of,
    sender_name,
    severity_of,
)
from toki.alerts.cap.relevance import JMA_PROFILE_KEYS
from toki.alerts.models import Alert, EvacuationOrder
from toki.alerts.rendering.render import render
from toki.alerts.rendering.render_other import reader_of
from toki.areas.models import District

TOKYO = ZoneInfo("Asia/Tokyo")
# Google Public Alerts needs an <expires>; when Toki has none (warnings in force until lifted) the CAP message
# says "look again within a day", and a cancellation stops mattering after an hour.
DEFAULT_EXPIRY = timedelta(hours=24)
CANCEL_EXPIRY = timedelta(hours=1)
MAX_HEADLINE = 160  # CAP 1.2 §3.2.2: "SHOULD be ... less than 160 characters"


@dataclass
class AreaSpec:
    desc: dict[str, str]  # Toki language → areaDesc
    polygons: list[str] = field(default_factory=list)
    circles: list[str] = field(default_factory=list)
    geocodes: list[tuple[str, str]] = field(default_factory=list)


def cap_sender() -> str:
    """This site's CAP sender id: TOKI_CAP_SENDER, or toki@<host of SITE_URL>."""
    configured = getattr(settings, "TOKI_CAP_SENDER", "")
    if configured:
        return configured
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"toki@{host}"


def cap_identifier(alert: Alert) -> str:
    return f"toki-{alert.municipality.code}-{alert.pk}"


def cap_time(value: datetime) -> str:
    """2026-11-24T10:00:00+09:00 (no fractions, never Z: the schema's pattern)."""
    return value.astimezone(TOKYO).replace(microsecond=0).isoformat()


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def portal_url() -> str:
    return site_url() + "/"


def expires_of(alert: Alert) -> datetime:
    if alert.expires_at is not None:
        return alert.expires_at
    return alert.sent_at + (CANCEL_EXPIRY if alert.msg_type == Alert.MsgType.CANCEL else DEFAULT_EXPIRY)


# --- gathering what the document needs (queries) ----------------------------------------------------------


def alert_to_cap(alert: Alert) -> bytes:
    """The CAP 1.2 document of `alert` (any status: the views decide what the public may see)."""
    references = list(alert.references.select_related("municipality").order_by("sent_at", "pk"))
    return build_cap(alert, sender=cap_sender(), references=references, areas=areas_for(alert))


def areas_for(alert: Alert) -> list[AreaSpec]:
    """The `area` blocks of Toki's own alerts: a city alert its districts; otherwise the municipality. (An imported
    alert keeps each info's own areas: `_original_areas`.)"""
    if alert.source == Alert.Source.CITY:
        districts = _districts_of_city_alert(alert)
        if districts:
            return [_district_area(alert.municipality, d) for d in districts]
    return [_municipality_area(alert)]


def _districts_of_city_alert(alert: Alert) -> list[District]:
    """The districts of a city alert: its evacuation orders', and those named in its facts
    (facts["evacuation"]["districts"][*]["code"], or facts["district_codes"])."""
    facts = alert.facts or {}
    orders = EvacuationOrder.objects.filter(Q(issue_alert=alert) | Q(lift_alert=alert)).values("district_id")
    named = [d.get("code") for d in (facts.get("evacuation") or {}).get("districts", []) if isinstance(d, dict)]
    codes = [c for c in [*named, *facts.get("district_codes", [])] if isinstance(c, str)]
    return list(District.objects.filter(Q(pk__in=orders) | Q(municipality=alert.municipality_id, code__in=codes))
                .order_by("sort_order", "code"))


def _district_area(municipality, district: District) -> AreaSpec:
    return AreaSpec(
        desc={"ja": f"{municipality.name} {district.name}",
              "en": f"{district.name_en or district.name}, {municipality.name_en or municipality.name}"},
        polygons=cap_polygons(district.boundary),
    )


def _municipality_area(alert: Alert) -> AreaSpec:
    municipality = alert.municipality
    outline = (municipality.profile or {}).get("outline")
    if outline:
        polygons = cap_polygons(outline)
    else:
        polygons = [p for d in municipality.districts.all() for p in cap_polygons(d.boundary)]
    geocodes = [("JMA-AREA-CODE", code) for code in _jma_area_codes(alert)]
    geocodes.append(("LG-CODE", municipality.code))
    return AreaSpec(desc={"ja": municipality.name, "en": municipality.name_en or municipality.name},
                    polygons=polygons, geocodes=geocodes)


def _jma_area_codes(alert: Alert) -> list[str]:
    """The municipality's own JMA area codes (市町村等, 一次細分区域: what JMA-AREA-CODE means on import too) named
    by the alert (facts["areas"][*]["code"]), else its 市町村等 code."""
    profile_codes = alert.municipality.jma_codes or {}
    own = {c for key in JMA_PROFILE_KEYS for c in profile_codes.get(key, [])}
    named = [a.get("code") for a in (alert.facts or {}).get("areas", []) if isinstance(a, dict)]
    codes = [c for c in dict.fromkeys(named) if c in own]
    return codes or list(profile_codes.get("city", []))


# --- the document (no queries) ------------------------------------------------------------------------------


def build_cap(alert: Alert, *, sender: str, references: list[Alert], areas: list[AreaSpec]) -> bytes:
    root = etree.Element(_q("alert"), nsmap={None: CAP_NS})
    _add(root, "identifier", cap_identifier(alert))
    _add(root, "sender", sender)
    _add(root, "sent", cap_time(alert.sent_at))
    _add(root, "status", STATUS_OUT[alert.status])
    _add(root, "msgType", MSG_TYPE_OUT[alert.msg_type])
    if alert.source == Alert.Source.CAP:
        _add(root, "source", alert.sender)
    _add(root, "scope", "Public")
    if alert.source == Alert.Source.JMA:
        _add(root, "note", "出典：気象庁 / Source: Japan Meteorological Agency")
    if references:
        _add(root, "references", " ".join(
            f"{sender},{cap_identifier(r)},{cap_time(r.sent_at)}" for r in references
        ))
    if alert.source == Alert.Source.CAP:
        # An imported message is republished in the languages it came in, each info labelled as it was: an
        # English-only notice is never relabelled ja-JP.
        facts = alert.facts or {}
        for original in (facts.get("cap") or {}).get("infos") or facts.get("inherited_infos") or []:
            _info(root, alert, str(original.get("language") or "en-US"), _original_areas(original),
                  original=original)
    else:
        for language in CAP_LANGUAGES:
            _info(root, alert, language, areas)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _original_areas(original: dict) -> list[AreaSpec]:
    return [AreaSpec(
        desc={"": area.get("desc") or "-"},
        polygons=[" ".join(f"{lat},{lon}" for lat, lon in polygon) for polygon in area.get("polygons", [])],
        circles=[f"{c['lat']},{c['lon']} {c['radius_km']}" for c in area.get("circles", [])],
        geocodes=[(g["value_name"], g["value"]) for g in area.get("geocodes", [])],
    ) for area in original.get("areas") or []]


def _info(root, alert: Alert, language: str, areas: list[AreaSpec], *, original: dict | None = None) -> None:
    """One `info`: in a Toki language ("ja"/"en") for Toki's own alerts; as it came (`original`, its CAP language
    label in `language`) for an imported one."""
    info = etree.SubElement(root, _q("info"))
    _add(info, "language", language if original is not None else CAP_LANGUAGES[language])
    kind = kind_of(alert)
    cancel = is_all_clear(alert)
    for category in (original or {}).get("categories") or [kind.category]:
        _add(info, "category", category)
    _add(info, "event", (original or {}).get("event") or event_name(alert, language))
    if cancel:
        responses = [CANCEL_RESPONSE]
    elif original is not None:
        responses = original.get("response_types") or []
    else:
        responses = [kind.response_type]
    for response in responses:
        _add(info, "responseType", response)
    if original is not None and not cancel:
        urgency, certainty = original.get("urgency", "Unknown"), original.get("certainty", "Unknown")
        severity = original.get("severity", "Unknown")
    else:
        urgency = CANCEL_URGENCY if cancel else kind.urgency
        certainty = CANCEL_CERTAINTY if cancel else kind.certainty
        severity = severity_of(alert)
    _add(info, "urgency", urgency)
    _add(info, "severity", severity)
    _add(info, "certainty", certainty)
    effective = (original or {}).get("effective")
    expires = (original or {}).get("expires")
    _add(info, "effective", cap_time(datetime.fromisoformat(effective)) if effective else cap_time(alert.sent_at))
    _add(info, "expires", cap_time(datetime.fromisoformat(expires)) if expires else cap_time(expires_of(alert)))
    _add(info, "senderName", (original or {}).get("sender_name") or sender_name(alert, language))
    if original is not None and not cancel:
        headline = original.get("headline") or original.get("event") or alert.title
        description, instruction = original.get("description") or headline, original.get("instruction") or ""
    elif original is not None:  # a cancellation: worded by the renderer from what it withdraws
        rendered = render(alert.facts, reader_of(original.get("language", "")), msg_type=alert.msg_type)
        headline, description, instruction = rendered.title, rendered.body or rendered.title, ""
    else:
        headline, description, instruction = info_texts(alert, language)
    _add(info, "headline", _shorten(headline, MAX_HEADLINE))
    _add(info, "description", description)
    if instruction:
        _add(info, "instruction", instruction)
    _add(info, "web", portal_url())
    for spec in areas:
        area = etree.SubElement(info, _q("area"))
        _add(area, "areaDesc", spec.desc.get(language) or next(iter(spec.desc.values())))
        for polygon in spec.polygons:
            _add(area, "polygon", polygon)
        for circle in spec.circles:
            _add(area, "circle", circle)
        for value_name, value in spec.geocodes:
            geocode = etree.SubElement(area, _q("geocode"))
            _add(geocode, "valueName", value_name)
            _add(geocode, "value", value)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _q(name: str) -> str:
    return f"{{{CAP_NS}}}{name}"


def _add(parent, name: str, text: str):
    element = etree.SubElement(parent, _q(name))
    element.text = text
    return element
