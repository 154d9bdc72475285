"""Does a CAP message concern a municipality? Pure: the caller passes the municipality and its districts.

An `area` of any `info` concerns the municipality when (docs/cap.md, "Which messages concern us"):
1. **geocode**: a geocode names one of the municipality's codes within its code system: `LG-CODE` (and the aliases
   in `LG_CODE_NAMES`) with the 全国地方公共団体コード (6 digits, or the 5 without the check digit), or
   `JMA-AREA-CODE` (aliases in `JMA_CODE_NAMES`) with a JMA area code of the profile (市町村等 `city`, 一次細分区域
   `forecast_subdivision`). Codes are never compared across systems;
2. **shape**: a polygon or circle overlaps or touches a district boundary (a circle of radius 0 is a point);
3. **name**: only for an area with no polygon, no circle and no geocode of the two systems above (codes and
   geometry are more precise than words), its `areaDesc` contains the municipality's name or English name
   (e.g. 佐渡市, "Sado City", any case).
"""

from dataclasses import dataclass

from toki.alerts.cap.geometry import circle_meets_geometry, polygon_meets_geometry
from toki.alerts.cap.message import CapMessage, NamedValue

LG_CODE_NAMES = frozenset({"LG-CODE", "LGCODE", "JIS-X-0402", "JISX0402", "全国地方公共団体コード"})
JMA_CODE_NAMES = frozenset({"JMA-AREA-CODE", "JMA-AREA", "JMAAREACODE"})
JMA_PROFILE_KEYS = ("city", "forecast_subdivision")


@dataclass(frozen=True, slots=True)
class Match:
    rule: str  # geocode | polygon | circle | name (here); reference (the import action: it refers to an Alert)
    detail: str  # e.g. "LG-CODE 152242", "両津 (ryotsu)"
    district_code: str = ""  # the district a shape met; "" for the whole municipality

    def as_dict(self) -> dict:
        return {"rule": self.rule, "detail": self.detail, "district": self.district_code}


def normalise_value_name(value_name: str) -> str:
    return value_name.strip().upper().replace("_", "-").replace(" ", "-")


def is_known_system(geocode: NamedValue) -> bool:
    name = normalise_value_name(geocode.value_name)
    return name in LG_CODE_NAMES or name in JMA_CODE_NAMES


def geocode_matches(geocode: NamedValue, municipality) -> bool:
    name, value = normalise_value_name(geocode.value_name), geocode.value.strip()
    if name in LG_CODE_NAMES:
        return value in (municipality.code, municipality.code[:5])
    if name in JMA_CODE_NAMES:
        codes = municipality.jma_codes or {}
        return any(value in codes.get(key, []) for key in JMA_PROFILE_KEYS)
    return False


def matches(message: CapMessage, municipality, districts) -> list[Match]:
    """Every reason the message concerns the municipality (empty: it does not), without repeats."""
    found: list[Match] = []
    shaped = [d for d in districts if d.boundary]
    names = [n.casefold() for n in (municipality.name, municipality.name_en) if n]
    for info in message.infos:
        for area in info.areas:
            for geocode in area.geocodes:
                if geocode_matches(geocode, municipality):
                    found.append(Match("geocode", f"{geocode.value_name} {geocode.value}"))
            for district in shaped:
                if any(polygon_meets_geometry(p, district.boundary) for p in area.polygons):
                    found.append(Match("polygon", f"{district.name} ({district.code})", district.code))
                if any(circle_meets_geometry(c, district.boundary) for c in area.circles):
                    found.append(Match("circle", f"{district.name} ({district.code})", district.code))
            precise = area.polygons or area.circles or any(is_known_system(g) for g in area.geocodes)
            if not precise and any(n in area.desc.casefold() for n in names):
                found.append(Match("name", area.desc[:100]))
    return list(dict.fromkeys(found))
