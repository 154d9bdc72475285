"""Small helpers shared by the facts builders: areas, times and terms in the facts format."""

from datetime import datetime

from toki.alerts.jma.common import (
    CITY,
    EARTHQUAKE_PREFECTURE,
    EARTHQUAKE_REGION,
    EPICENTRE,
    FORECAST_AREA,
    SEISMIC_STATION,
    TEXT_PLACE,
    TIDE_STATION,
    TSUNAMI_REGION,
)
from toki.alerts.jma.model import Area

# JMA code systems (codeType) → the short system names of the facts (several spellings name one system).
SYSTEMS = {
    CITY: "city",
    "二次細分区域": "city",
    "政令指定都市": "city",
    FORECAST_AREA: "forecast_area",
    "府県予報区": "forecast_area",
    "一次細分区域": "forecast_area",
    "市町村等をまとめた地域": "forecast_area",
    EARTHQUAKE_PREFECTURE: "earthquake_prefecture",
    EARTHQUAKE_REGION: "earthquake_region",
    SEISMIC_STATION: "seismic_station",
    EPICENTRE: "epicenter",
    TSUNAMI_REGION: "tsunami_region",
    TIDE_STATION: "tide_station",
    "津波観測点": "tide_station",
    TEXT_PLACE: "text_place",
    "火山名": "volcano",
    "河川": "river",
    "水位観測所": "river_gauge",
    "アメダス地点番号": "amedas",
}


def area_facts(area: Area) -> dict:
    """An area as facts: its code, its Japanese name and its code system (short name, see SYSTEMS)."""
    return {"code": area.code, "name": area.name, "system": SYSTEMS.get(area.code_type, "other")}


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def term(code: str, name: str) -> dict:
    """A translatable value: the code picks the phrase, the Japanese name is the fallback."""
    return {"code": code, "name": name}
