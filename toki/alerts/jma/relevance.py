"""Does a telegram concern a municipality? Codes are matched within their code system, never by name alone.

A profile's JMA codes come as a dict (profiles/<city>.json, key "jma_codes"):

    {"city": ["1522400"], "forecast_subdivision": ["150040"], "forecast_region": ["150000"],
     "forecast_region_item_name": "佐渡", "earthquake_region": ["375"], "tsunami_region": ["341"],
     "tsunami_stations": ["34103"]}

Rules (reference §6.6, docs/jma-parser.md):
- a code of the profile named in the telegram within the code system of its key concerns the municipality;
- the prefecture (forecast_region, 府県予報区 150000) is not enough by itself: a Niigata telegram concerns Sado
  only when it also names Sado, by code or by an item called forecast_region_item_name (佐渡). Within such a
  telegram a place named only in free text (old 記録的短時間大雨情報: "佐渡市付近で約１２０ミリ") counts when its
  name begins with that item name.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from toki.alerts.jma.common import (
    CITY,
    EARTHQUAKE_REGION,
    FORECAST_AREA,
    SEISMIC_STATION,
    TEXT_PLACE,
    TIDE_STATION,
    TSUNAMI_REGION,
)
from toki.alerts.jma.model import Area, Telegram

# Canonical code systems. Several JMA codeType spellings name the same one (VPRN50 writes 二次細分区域 for
# 市町村等 codes and 一次細分区域 / 府県予報区 for the forecast-area codes).
_CITY_SYSTEM = "city"
_FORECAST_SYSTEM = "forecast_area"
_SYSTEM_OF_CODE_TYPE = {
    CITY: _CITY_SYSTEM,
    "二次細分区域": _CITY_SYSTEM,
    "政令指定都市": _CITY_SYSTEM,
    FORECAST_AREA: _FORECAST_SYSTEM,
    "府県予報区": _FORECAST_SYSTEM,
    "一次細分区域": _FORECAST_SYSTEM,
    "市町村等をまとめた地域": _FORECAST_SYSTEM,
    EARTHQUAKE_REGION: "earthquake_region",
    TSUNAMI_REGION: "tsunami_region",
    TIDE_STATION: "tide_station",
    "津波観測点": "tide_station",
    SEISMIC_STATION: "seismic_station",
    TEXT_PLACE: "text_place",
}

# Profile key → the code system its codes belong to.
PROFILE_KEY_SYSTEMS = {
    "city": _CITY_SYSTEM,
    "forecast_subdivision": _FORECAST_SYSTEM,
    "earthquake_region": "earthquake_region",
    "tsunami_region": "tsunami_region",
    "tsunami_stations": "tide_station",
    "seismic_stations": "seismic_station",
}
REGION_KEY = "forecast_region"
REGION_ITEM_NAME_KEY = "forecast_region_item_name"
REGION_ITEM_MATCH = "forecast_region_item"


@dataclass(frozen=True, slots=True)
class AreaMatch:
    key: str  # the profile key whose code matched, or forecast_region / forecast_region_item
    area: Area


def _codes(profile_codes: Mapping, key: str) -> list[str]:
    value = profile_codes.get(key, [])
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"profile key {key!r} must be a list of codes, not {type(value).__name__}")
    return [str(code) for code in value]


def _index(profile_codes: Mapping) -> dict[tuple[str, str], str]:
    index = {}
    for key, system in PROFILE_KEY_SYSTEMS.items():
        for code in _codes(profile_codes, key):
            index[(system, code)] = key
    return index


def _names_region_item(area: Area, system: str | None, item_name: str) -> bool:
    if not item_name:
        return False
    if system == _FORECAST_SYSTEM:
        return area.name == item_name
    return system == "text_place" and area.name.startswith(item_name)


def matching_areas(telegram: Telegram, profile_codes: Mapping) -> tuple[AreaMatch, ...]:
    """The areas of the telegram that concern the profile's municipality; empty when it does not."""
    index = _index(profile_codes)
    region_codes = set(_codes(profile_codes, REGION_KEY))
    item_name = str(profile_codes.get(REGION_ITEM_NAME_KEY, "") or "")
    direct: list[AreaMatch] = []
    region: list[AreaMatch] = []
    named: list[AreaMatch] = []
    for area in telegram.all_areas():
        system = _SYSTEM_OF_CODE_TYPE.get(area.code_type)
        key = index.get((system, area.code)) if system else None
        if key is None and area.city_code:
            key = index.get((_CITY_SYSTEM, area.city_code))
        if key is not None:
            direct.append(AreaMatch(key, area))
        if system == _FORECAST_SYSTEM and area.code in region_codes:
            region.append(AreaMatch(REGION_KEY, area))
        if _names_region_item(area, system, item_name):
            named.append(AreaMatch(REGION_ITEM_MATCH, area))
    if direct:
        return _unique([*direct, *region, *named])
    if region and named:
        return _unique([*region, *named])
    return ()


def concerns(telegram: Telegram, profile_codes: Mapping) -> bool:
    """True when the telegram names the municipality of profile_codes (see the module's rules)."""
    return bool(matching_areas(telegram, profile_codes))


def _unique(matches: list[AreaMatch]) -> tuple[AreaMatch, ...]:
    return tuple(dict.fromkeys(matches))


def load_profile_codes(path: str | Path) -> dict:
    """The JMA codes of a municipality profile file: its "jma_codes" object, or the file itself if it is one."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a profile must be a JSON object")
    codes = data.get("jma_codes", data)
    if not isinstance(codes, dict):
        raise ValueError(f"{path}: jma_codes must be a JSON object")
    return codes
