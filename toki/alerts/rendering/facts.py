"""Facts: the language-neutral content of an Alert (`Alert.facts`), from which every language is rendered.

Two builders: `facts_from_telegram()` keeps what a parsed JMA telegram says about the municipality of a
profile (its warning kinds, its intensity, its tsunami region, its volcano and river information, rain reports)
plus the headline as Japanese free text; `facts_for_evacuation()` describes a city evacuation order or its
lifting. Everything translatable is a `{"code", "name"}` pair: the code picks the phrase, the Japanese name is
the fallback for a code the phrase tables do not know. The format, field by field: docs/alert-rendering.md.
"""

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from toki.alerts.jma import catalogue
from toki.alerts.jma.model import Area, HeadlineKind, Telegram, WarningItem, WarningKind
from toki.alerts.jma.relevance import matching_areas
from toki.alerts.models import Alert, EvacuationOrder
from toki.alerts.rendering import facts_quake
from toki.alerts.rendering.common import SYSTEMS, area_facts, iso, term

FACTS_VERSION = 1
MAX_TEXT = 4000  # characters kept of one free text (LINE allows 5,000 for the whole message)

# Match keys of relevance.matching_areas → how specific the match is (0: the municipality itself).
_MATCH_RANK = {
    "city": 0,
    "seismic_stations": 0,
    "tsunami_stations": 0,
    "forecast_subdivision": 1,
    "forecast_region_item": 1,
    "earthquake_region": 1,
    "tsunami_region": 1,
    "forecast_region": 2,
}

STATUSES = {
    "発表": "issued",
    "継続": "continued",
    "解除": "lifted",
    "発表警報・注意報はなし": "none",
    "なし": "none",
    "警報から注意報": "downgraded",
    "特別警報から警報": "downgraded",
    "特別警報から注意報": "downgraded",
    "引上げ": "raised",
    "引下げ": "lowered",
    "対象地域": "area",
}

CONDITIONS = {"土砂災害": "landslide", "浸水害": "inundation"}

# 府県気象防災速報 (VPBS50) tags and the old 記録的短時間大雨情報: what kind of rapid report it is.
RAIN_REPORTS = {"記録雨": "record_rain", "線状降水帯発生": "linear_rainband", "短時間大雪": "heavy_snow"}
RAIN_ELEMENTS = {
    "記録的短時間大雨": "record_rain_1h",
    "前1時間解析雨量": "analysed_rain_1h",
    "前1時間降水量": "rain_1h",
    "線状降水帯発生": "linear_rainband",
    "6時間の降雪深さ": "snowfall_6h",
    "12時間の降雪深さ": "snowfall_12h",
    "積雪深": "snow_depth",
}

# 指定河川洪水予報 codes of the old system → 警戒レベル (the level is what the phrases are keyed by).
RIVER_CODE_LEVELS = {"20": 2, "21": 2, "30": 3, "31": 3, "40": 4, "41": 4, "50": 5, "51": 5, "52": 5, "53": 5}

_RAIN_CODES = ("VPOA50", "VPBS50")
_AREA_SYSTEMS = ("city", "forecast_area", "earthquake_region", "tsunami_region")
_RIVER_FLOOD_AREA = ("浸水想定地区", "浸水想定地区（氾濫発生情報）")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def category_of(telegram: Telegram) -> str:
    """The Alert.Category value of a telegram, from its message type."""
    code = telegram.message_type.code
    family = telegram.message_type.family
    if code == "VXWW50":
        return Alert.Category.LANDSLIDE.value
    if code in _RAIN_CODES:
        return Alert.Category.RAIN.value
    by_family = {
        catalogue.WARNING: Alert.Category.WEATHER,
        catalogue.WEATHER_INFO: Alert.Category.WEATHER,
        catalogue.RIVER: Alert.Category.RIVER,
        catalogue.EARTHQUAKE: Alert.Category.EARTHQUAKE,
        catalogue.EEW: Alert.Category.EARTHQUAKE,
        catalogue.TSUNAMI: Alert.Category.TSUNAMI,
        catalogue.VOLCANO: Alert.Category.VOLCANO,
    }
    return by_family.get(family, Alert.Category.OTHER).value


def warning_system(telegram: Telegram) -> str:
    """ "R06" for the 2026 warnings (titles with （Ｒ０６） or a 危険警報), "H27", or "" for the older ones."""
    titles = _nfkc(f"{telegram.title} {telegram.head_title}")
    if "(R06)" in titles or "危険警報" in titles:
        return "R06"
    if "(H27)" in titles:
        return "H27"
    return ""


def facts_from_telegram(telegram: Telegram, profile_codes: Mapping) -> dict[str, Any]:
    """The facts of one telegram for the municipality of `profile_codes` (a profile's "jma_codes")."""
    matches = matching_areas(telegram, profile_codes)
    matched: dict[Area, int] = {}
    for match in matches:
        rank = _MATCH_RANK.get(match.key, 3)
        matched[match.area] = min(rank, matched.get(match.area, rank))
    facts: dict[str, Any] = {
        "version": FACTS_VERSION,
        "source": "jma",
        "category": category_of(telegram),
        "type": {"code": telegram.message_type.code, "name": telegram.message_type.name or telegram.title},
        "head_title": telegram.head_title,
        "system": warning_system(telegram),
        "info_type": telegram.info_type,
        "office": {"code": "", "name": telegram.editorial_office},
        "issued_at": iso(telegram.report_datetime),
        "valid_until": iso(telegram.valid_datetime),
        "areas": _unique(
            area_facts(area)
            for area, rank in matched.items()
            if rank <= 1 and SYSTEMS.get(area.code_type) in _AREA_SYSTEMS
        ),
        "texts": [],
    }
    _add_text(facts, "headline", telegram.headline_text)
    _add_text(facts, "body", telegram.body_text)
    if telegram.info_type == "取消":
        return facts  # a retraction's body is only its reason (reference §6.4)
    family = telegram.message_type.family
    if family in (catalogue.EARTHQUAKE, catalogue.EEW, catalogue.TSUNAMI):
        facts_quake.add_seismic(facts, telegram, matched)
    elif family == catalogue.VOLCANO:
        facts["volcano"] = facts_quake.volcano(telegram, matched)
    elif family == catalogue.RIVER:
        facts["river"] = _river(telegram, matched)
        _add_text(facts, "river", facts["river"].pop("main_text"))  # the 主文 of the highest gauge level
    elif family == catalogue.WARNING:
        facts["warnings"] = _warnings(telegram, matched, facts["system"])
        if telegram.message_type.code in _RAIN_CODES:
            facts["rain"] = _rain(telegram, matched)
    if family not in (catalogue.EARTHQUAKE, catalogue.EEW, catalogue.TSUNAMI):
        for comment in telegram.comments:
            _add_text(facts, "comment", comment)
    return facts


def _add_text(facts: dict, kind: str, text: str) -> None:
    text = text.strip()
    if not text or any(existing["text"] == text for existing in facts["texts"]):
        return
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    facts["texts"].append({"kind": kind, "text": text})


def _unique(items: Iterable[dict]) -> list[dict]:
    seen: list[dict] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


# --- Warnings, advisories, 土砂災害警戒情報, 竜巻注意情報, 記録的短時間大雨情報 ------------------------------------


def _table(warning_type: str, system: str) -> str:
    if "土砂災害警戒情報" in warning_type:
        return "landslide_r06" if system == "R06" else "landslide"
    if "竜巻注意情報" in warning_type:
        return "tornado"
    if "記録的短時間大雨情報" in warning_type:
        return "record_rain"
    return "weather"


def _kind(kind: WarningKind | HeadlineKind, table: str, status: str) -> dict | None:
    """One kind in force (or lifted) as facts; None for "no warning" entries."""
    name, code = kind.name, kind.code
    last = getattr(kind, "last_kind", None)
    status_code = STATUSES.get(status, status)
    if status_code in ("none", "area") or (not name and not code):
        return None
    level = kind.level
    if name == "解除":  # a kind that only says "lifted": name what was lifted where the telegram tells
        status_code = "lifted"
        if last is not None and last.code not in ("", "0", "00"):
            name, code = last.name, last.code
        elif table.startswith("landslide"):
            code, name = "3", "土砂災害警戒情報"
        elif table in ("tornado", "record_rain"):
            code = "1"
        level = None
    condition = getattr(kind, "condition", "") if isinstance(kind, WarningKind) else ""
    return {
        "table": table,
        "code": code,
        "name": name,
        "status": term(status_code, status),
        "level": level,
        "conditions": [term(CONDITIONS.get(part, ""), part) for part in condition.split("、") if part],
        "last": term(last.code, last.name) if last is not None and last.name else None,
    }


def _warnings(telegram: Telegram, matched: Mapping[Area, int], system: str) -> list[dict]:
    """The warning items of the municipality's most specific areas (its own 市町村等 item when there is one)."""
    candidates: list[tuple[int, WarningItem]] = []
    for item in telegram.warnings:
        ranks = [matched[area] for area in item.areas if area in matched]
        if ranks and not item.warning_type.startswith(("指定河川洪水予報", "水位周知河川")):
            candidates.append((min(ranks), item))
    if not candidates:
        return _headline_warnings(telegram, matched, system)
    best = min(rank for rank, _ in candidates)
    result = []
    for rank, item in candidates:
        if rank != best:
            continue
        table = _table(item.warning_type, system)
        kinds = [fact for kind in item.kinds if (fact := _kind(kind, table, kind.status)) is not None]
        result.append(
            {
                "areas": [area_facts(area) for area in item.areas if matched.get(area) == best],
                "kinds": kinds,
                "changed": _changed(item),
                "none_in_force": not kinds,
            }
        )
    return result


def _changed(item: WarningItem) -> bool:
    """Whether the item changes what is in force: its ChangeStatus says so, or, in telegrams that carry no
    ChangeStatus (土砂災害警戒情報 VXWW50), a kind is issued or lifted rather than continued."""
    if item.change_status:
        return item.change_status == "警報・注意報種別に変化有"
    return any(kind.status in ("発表", "解除") for kind in item.kinds)


def _headline_warnings(telegram: Telegram, matched: Mapping[Area, int], system: str) -> list[dict]:
    """Telegrams whose body has no per-area items (気象特別警報報知 VPNO50): the head's items."""
    candidates = []
    for item in telegram.headline_items:
        ranks = [matched[area] for area in item.areas if area in matched]
        if ranks:
            candidates.append((min(ranks), item))
    if not candidates:
        return []
    best = min(rank for rank, _ in candidates)
    result = []
    for rank, item in candidates:
        if rank != best:
            continue
        table = _table(item.information_type, system)
        kinds = [
            fact
            for kind in item.kinds
            if kind.name != "情報タグ" and (fact := _kind(kind, table, "解除" if kind.name == "解除" else "発表"))
        ]
        if kinds:
            areas = [area_facts(area) for area in item.areas if matched.get(area) == best]
            result.append({"areas": areas, "kinds": kinds, "changed": True, "none_in_force": False})
    return result


# --- Rapid reports: 記録的短時間大雨, 線状降水帯, 短時間大雪 --------------------------------------------------------


def _rain(telegram: Telegram, matched: Mapping[Area, int]) -> dict:
    report = term("record_rain", "記録的短時間大雨") if telegram.message_type.code == "VPOA50" else None
    for item in telegram.headline_items:
        for kind in item.kinds:
            if kind.condition in RAIN_REPORTS:
                report = term(RAIN_REPORTS[kind.condition], kind.condition)
    observations = []
    for observation in telegram.observations:
        if observation.area is not None and observation.area not in matched:
            continue
        element = _nfkc(observation.element)
        observations.append(
            {
                "element": term(RAIN_ELEMENTS.get(element, ""), observation.element),
                "value": observation.value,
                "unit": observation.unit,
                "approximate": observation.description.startswith("約"),
                "text": observation.description,
                "time": iso(observation.time),
                "area": area_facts(observation.area) if observation.area is not None else None,
                "station": area_facts(observation.station) if observation.station is not None else None,
            }
        )
    return {"report": report, "observations": observations}


# --- Rivers: 指定河川洪水予報 (VXKOii), 水位周知河川 (VXSUii) -------------------------------------------------------


def _river(telegram: Telegram, matched: Mapping[Area, int]) -> dict:
    section = kind = None
    rivers: list[dict] = []
    for item in telegram.headline_items:
        if item.information_type.endswith(("（予報区域）", "（発表区間）")) and item.kinds and item.areas:
            section, kind = area_facts(item.areas[0]), item.kinds[0]
        elif item.information_type.endswith("（河川）"):
            rivers = [area_facts(area) for area in item.areas]
    gauges, flood_areas, texts = [], [], []
    for item in telegram.warnings:
        for warning_kind in item.kinds:
            if warning_kind.name in _RIVER_FLOOD_AREA or item.warning_type.endswith("（浸水想定地区）"):
                flood_areas += [_flood_area(area) for area in item.areas if area in matched]
            elif item.stations:
                river = item.areas[0].name if item.areas else ""
                gauges += [
                    {"river": river, "station": area_facts(s), "level": warning_kind.level} for s in item.stations
                ]
                texts.append((warning_kind.level or 0, warning_kind.text))
    level = None
    lifted = False
    if kind is not None:
        level = kind.level or RIVER_CODE_LEVELS.get(kind.code)
        lifted = "解除" in kind.name
    if level is None:
        level = max((gauge["level"] or 0 for gauge in gauges), default=0) or None
    system = "R06" if kind is not None and kind.name.startswith("レベル") else ""
    table = "river_r06" if system == "R06" else "river"
    code = "lifted" if lifted else str(level or "")
    return {
        "kind": {"table": table, "code": code, "name": kind.name if kind else "", "level": level, "lifted": lifted},
        "section": section,
        "rivers": rivers,
        "gauges": gauges[:20],
        "flood_areas": _unique(flood_areas),
        "main_text": max(texts, key=lambda pair: pair[0])[1] if texts else "",
    }


def _flood_area(area: Area) -> dict:
    """A flood area of a river forecast; the older telegrams list gauges there, each with its municipality."""
    facts = area_facts(area)
    if facts["system"] != "city" and area.city_code:
        return {"code": area.city_code, "name": "", "system": "city"}
    return facts


# --- City evacuation orders ------------------------------------------------------------------------------


# What a re-issued order does to the orders it replaces (same districts and hazard): docs/alert-rendering.md.
EVACUATION_CHANGES = ("raised", "lowered", "corrected", "updated")


def facts_for_evacuation(
    *,
    level: int,
    hazard: str,
    district_codes: list[str],
    district_names: Mapping[str, Mapping[str, str]],
    reason: str,
    lifted: bool,
    issued_at: datetime | None = None,
    change: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The facts of a city evacuation order (Level 3, 4 or 5) for some districts, or of its lifting.

    `district_names` maps each district code to its names by language (at least "ja"; "en" is the romanised
    name). `reason` is the city's free text, shown as such. `issued_at` (optional) is when it was decided.
    `change` (optional) says what this order does to the ones it replaces: {"kind": "raised" | "lowered" |
    "corrected" | "updated", "from_level": n}; the renderer says it first instead of calling it a correction."""
    if level not in EvacuationOrder.Level.values:
        raise ValueError(f"evacuation level must be one of {EvacuationOrder.Level.values}, not {level!r}")
    if hazard not in EvacuationOrder.Hazard.values:
        raise ValueError(f"unknown hazard {hazard!r}; expected one of {EvacuationOrder.Hazard.values}")
    if not district_codes:
        raise ValueError("an evacuation order needs at least one district")
    districts = []
    for code in district_codes:
        names = {lang: str(name) for lang, name in district_names.get(code, {}).items() if name}
        names.setdefault("ja", code)
        districts.append({"code": code, "name": names["ja"], "system": "district", "names": names})
    facts: dict[str, Any] = {
        "version": FACTS_VERSION,
        "source": "city",
        "category": Alert.Category.EVACUATION.value,
        "type": {"code": "evacuation", "name": "避難情報"},
        "issued_at": iso(issued_at),
        "evacuation": {"level": level, "hazard": hazard, "lifted": bool(lifted), "districts": districts},
        "texts": [],
    }
    if change:
        if change.get("kind") not in EVACUATION_CHANGES:
            raise ValueError(f"unknown evacuation change {change.get('kind')!r}; expected one of {EVACUATION_CHANGES}")
        facts["evacuation"]["change"] = {"kind": change["kind"], "from_level": int(change.get("from_level") or level)}
    _add_text(facts, "reason", reason)
    return facts
