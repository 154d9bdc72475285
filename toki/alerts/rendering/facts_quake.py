"""Facts of earthquake, tsunami and volcano telegrams (see facts.py and docs/alert-rendering.md)."""

import re
import unicodedata
from collections.abc import Mapping

from toki.alerts.jma.model import Area, Telegram, TsunamiHeight
from toki.alerts.rendering.common import area_facts, iso, term
from toki.alerts.rendering.jma_fixed_texts import split_fixed

MAX_STATIONS = 30
MAX_VOLCANOES = 20
INTENSITY_ORDER = ("1", "2", "3", "4", "5-", "5+", "6-", "6+", "7")

ARRIVALS = {
    "第1波の到達を確認": "arrived",
    "津波到達中と推測": "arriving",
    "既に津波到達と推測": "already_arrived",
    "ただちに津波来襲と予測": "immediately",
    "第1波識別不能": "unidentifiable",
    "欠測": "missing",
}
INITIAL_MOTIONS = {"押し": "push", "引き": "pull"}
HEIGHT_CONDITIONS = {
    "観測中": "observing",
    "微弱": "slight",
    "欠測": "missing",
    "重要": "important",
    "上昇中": "rising",
}

_MAGNITUDE_OVER = re.compile(r"M(\d+(?:\.\d+)?)を超える")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _rank(intensity: str) -> int:
    return INTENSITY_ORDER.index(intensity) if intensity in INTENSITY_ORDER else -1


def _conditions(text: str) -> list[dict]:
    """ "重要　欠測" → [{"code": "important", …}, {"code": "missing", …}]."""
    return [term(HEIGHT_CONDITIONS.get(part, ""), part) for part in _nfkc(text).split() if part]


def tsunami_height(height: TsunamiHeight | None) -> dict | None:
    """A tsunami height: meters, and its class ("meters", "over" 超, "at_least" 以上, "under" 未満, "huge" 巨大,
    "high" 高い, "unknown" 不明) with JMA's wording as the name."""
    if height is None:
        return None
    text = _nfkc(height.description)
    if text == "巨大":
        kind = "huge"
    elif text == "高い":
        kind = "high"
    elif text.endswith("超"):
        kind = "over"
    elif text.endswith("以上"):
        kind = "at_least"
    elif text.endswith("未満"):
        kind = "under"
    elif height.meters is not None:
        kind = "meters"
    elif height.condition == "不明" or not text:
        kind = "unknown"
    else:
        kind = ""
    return {
        "meters": height.meters,
        "class": term(kind, height.description or height.condition),
        "conditions": _conditions(height.condition) if height.condition != "不明" else [],
    }


def add_seismic(facts: dict, telegram: Telegram, matched: Mapping[Area, int]) -> None:
    """Earthquake and tsunami facts, and the fixed comments recognised by their wording."""
    facts["earthquake"] = earthquake(telegram, matched)
    if telegram.forecast_intensities or telegram.message_type.code in EEW_CODES:
        facts["eew"] = eew(telegram, matched)
        facts["earthquake"]["max_intensity"] = ""  # an EEW's maximum is a forecast, never an observation
    if telegram.tsunami_forecasts or telegram.tsunami_observations:
        facts["tsunami"] = tsunami(telegram, matched)
    codes: list[str] = []
    for comment in telegram.comments:
        fixed, rest = split_fixed(comment)
        codes += fixed
        text = rest.strip()
        if text and len(text) <= 4000 and all(existing["text"] != text for existing in facts["texts"]):
            facts["texts"].append({"kind": "comment", "text": text})
    facts["fixed_comments"] = list(dict.fromkeys(codes))


EEW_CODES = ("VXSE43", "VXSE44", "VXSE45")
EEW_CONDITIONS = {"既に主要動到達と推測": "already_arrived", "主要動の到達予想なし": "no_arrival_forecast"}


def eew(telegram: Telegram, matched: Mapping[Area, int]) -> dict:
    """緊急地震速報: the forecast, not an observation. The national highest forecast intensity, and for the
    municipality's regions the forecast range, the expected arrival of the main shaking or that it has already
    arrived (reference §4)."""
    local = [
        {
            "area": area_facts(forecast.area),
            "lowest": forecast.lowest,
            "highest": forecast.highest,  # "over": "or more"
            "arrival_time": iso(forecast.arrival_time),
            "condition": term(EEW_CONDITIONS.get(_nfkc(forecast.condition), ""), forecast.condition)
            if forecast.condition else None,
        }
        for forecast in telegram.forecast_intensities if forecast.area in matched
    ]
    return {
        "warning": telegram.message_type.code == "VXSE43",
        "forecast_max": telegram.max_intensity,
        "local": local,
    }


def earthquake(telegram: Telegram, matched: Mapping[Area, int]) -> dict:
    quake = telegram.earthquake
    over = None
    if quake is not None and quake.magnitude is None:
        found = _MAGNITUDE_OVER.search(_nfkc(quake.magnitude_description))
        over = float(found.group(1)) if found else None
    local = []
    stations = []
    for intensity in telegram.intensities:
        if intensity.area not in matched:
            continue
        entry = {"area": area_facts(intensity.area), "intensity": intensity.intensity}
        if entry["area"]["system"] == "seismic_station":
            stations.append(entry)
        elif entry["area"]["system"] in ("city", "earthquake_region", "earthquake_prefecture"):
            local.append(entry)
    stations.sort(key=lambda entry: -_rank(entry["intensity"]))
    return {
        # 震度速報 (VXSE51) has no Earthquake element: its TargetDateTime is when the shaking was observed.
        "origin_time": iso(quake.origin_time if quake else _observed_at(telegram)),
        "hypocenter": area_facts(quake.hypocenter) if quake and quake.hypocenter else None,
        "magnitude": quake.magnitude if quake else None,
        "magnitude_over": over,
        "depth_km": quake.depth_km if quake else None,
        "latitude": quake.latitude if quake else None,
        "longitude": quake.longitude if quake else None,
        "max_intensity": telegram.max_intensity,
        "local": local,
        "stations": stations[:MAX_STATIONS],
        "more_stations": max(0, len(stations) - MAX_STATIONS),
    }


def _observed_at(telegram: Telegram):
    return telegram.target_datetime if telegram.message_type.code == "VXSE51" else None


def tsunami(telegram: Telegram, matched: Mapping[Area, int]) -> dict:
    regions = []
    for forecast in telegram.tsunami_forecasts:
        if forecast.area not in matched:
            continue
        regions.append(
            {
                "area": area_facts(forecast.area),
                "category": term(forecast.category.code, forecast.category.name),
                "last": term(forecast.last_category.code, forecast.last_category.name)
                if forecast.last_category
                else None,
                "arrival_time": iso(forecast.arrival_time),
                "arrival": _arrival(forecast.arrival_condition),
                "height": tsunami_height(forecast.max_height),
                "stations": [
                    {
                        "station": area_facts(station.station),
                        "high_tide_time": iso(station.high_tide_time),
                        "arrival_time": iso(station.arrival_time),
                        "arrival": _arrival(station.condition),
                    }
                    for station in forecast.stations
                ],
            }
        )
    observations = []
    for observation in telegram.tsunami_observations:
        if observation.station not in matched and observation.area not in matched:
            continue
        observations.append(
            {
                "station": area_facts(observation.station),
                "arrival_time": iso(observation.arrival_time),
                "arrival": _arrival(observation.arrival_condition),
                "initial": term(INITIAL_MOTIONS.get(observation.initial, ""), observation.initial)
                if observation.initial
                else None,
                "height": tsunami_height(observation.max_height),
                "height_time": iso(observation.max_height_time),
                "conditions": _conditions(observation.max_height_condition),
            }
        )
    return {"regions": regions, "observations": observations}


def _arrival(condition: str) -> dict | None:
    return term(ARRIVALS.get(_nfkc(condition), ""), condition) if condition else None


def volcano(telegram: Telegram, matched: Mapping[Area, int]) -> dict:
    """The volcanoes named (with their 噴火警戒レベル) and what the telegram says for the municipality's areas."""
    volcanoes = []
    local = []
    event_time = None
    for item in telegram.volcano_items:
        kind = {
            "table": "volcano",
            "code": item.kind.code,
            "name": item.kind.name,
            "level": item.kind.level,
            "status": term(_VOLCANO_STATUSES.get(item.kind.condition, ""), item.kind.condition),
        }
        last = term(item.last_kind.code, item.last_kind.name) if item.last_kind else None
        event_time = event_time or iso(item.event_time)
        for area in item.areas:
            facts = area_facts(area)
            if facts["system"] == "volcano":
                volcanoes.append({"area": facts, "kind": kind, "last": last})
            elif area in matched:
                local.append({"area": facts, "kind": kind, "last": last})
    return {
        "volcanoes": volcanoes[:MAX_VOLCANOES],
        "more_volcanoes": max(0, len(volcanoes) - MAX_VOLCANOES),
        "local": local,
        "event_time": event_time,
    }


_VOLCANO_STATUSES = {"発表": "issued", "継続": "continued", "解除": "lifted", "引上げ": "raised", "引下げ": "lowered"}
