"""Bodies in the meteorology1 namespace: warnings (VPWW5x, VXWW50, VPHW5x, VPOA50 …), rivers, rapid reports.

Every per-area warning telegram shares one body shape, Body/Warning[@type]/Item/(Kind…, Area | Areas, …), so one
parser serves them all; the differences (implicit code systems, where a level comes from) are small rules here.
"""

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from toki.alerts.jma.common import (
    CITY,
    FORECAST_AREA,
    TEXT_PLACE,
    level_from_name,
    level_from_text,
    parse_area,
    parse_areas,
    parse_kind_ref,
)
from toki.alerts.jma.model import Area, Observation, Significancy, WarningItem, WarningKind
from toki.alerts.jma.namespaces import JMX_EB, JMX_METE
from toki.alerts.jma.xmlsafe import find_all, find_one, find_text, local_name, parse_datetime, parse_float, text_of

M = JMX_METE
SEDIMENT_WARNING_TYPE = "土砂災害警戒情報"
# 土砂災害警戒情報 kind 3 (警戒) is 警戒レベル４相当 by definition; R06 titles say so ("レベル４土砂災害危険警報").
_SEDIMENT_ALERT_CODE = "3"
_SEDIMENT_ALERT_LEVEL = 4


def _default_code_type(warning_type: str) -> str:
    """The code system of Item/Area when Warning/@type implies it (body areas carry no codeType)."""
    if warning_type.endswith("（市町村等）") or warning_type == SEDIMENT_WARNING_TYPE:
        return CITY
    return FORECAST_AREA


def _significancies(properties: list[ET.Element]) -> tuple[Significancy, ...]:
    found = []
    for prop in properties:
        for base in find_all(prop, M, "SignificancyPart/Base"):
            found.extend(_significancy(element, "") for element in find_all(base, M, "Significancy"))
            for local in find_all(base, M, "Local"):
                area_name = find_text(local, M, "AreaName")
                found.extend(_significancy(element, area_name) for element in find_all(local, M, "Significancy"))
    return tuple(found)


def _significancy(element: ET.Element, local_area: str) -> Significancy:
    return Significancy(
        type=element.get("type", ""),
        name=find_text(element, M, "Name"),
        code=find_text(element, M, "Code"),
        local_area=local_area,
    )


def _kind_level(warning_type: str, name: str, code: str, text: str) -> int | None:
    if warning_type == SEDIMENT_WARNING_TYPE and code == _SEDIMENT_ALERT_CODE:
        return _SEDIMENT_ALERT_LEVEL
    return level_from_name(name) or level_from_text(text)


def _warning_kind(kind: ET.Element, warning_type: str) -> WarningKind:
    # One pass over the children: a prefecture's telegram has hundreds of kinds, most of them Name/Code/Status only.
    texts: dict[str, str] = {}
    last_kind = None
    properties: list[ET.Element] = []
    notes: dict[str, list[str]] = {"Addition": [], "Attention": []}
    for child in kind:
        tag = local_name(child.tag)
        if tag == "LastKind":
            last_kind = parse_kind_ref(child, M)
        elif tag == "Property":
            properties.append(child)
        elif tag in notes:
            notes[tag].extend(text_of(note) for note in child)
        else:
            texts[tag] = text_of(child)
    name, code = texts.get("Name", ""), texts.get("Code", "")
    text = "\n".join(filter(None, (find_text(prop, M, "Text") for prop in properties)))
    return WarningKind(
        name=name,
        code=code,
        status=texts.get("Status", ""),
        level=_kind_level(warning_type, name, code, text),
        condition=texts.get("Condition", ""),
        last_kind=last_kind,
        significancies=_significancies(properties),
        notes=tuple(note for note in (*notes["Addition"], *notes["Attention"]) if note),
        text=text,
    )


def _stations(item: ET.Element) -> tuple[Area, ...]:
    return tuple(parse_area(station, M, "") for station in find_all(item, M, "Stations/Station"))


def parse_warnings(body: ET.Element) -> tuple[WarningItem, ...]:
    """Every Body/Warning/Item, in document order, with its kinds, areas and status."""
    items = []
    for warning in find_all(body, M, "Warning"):
        warning_type = warning.get("type", "")
        default_code_type = _default_code_type(warning_type)
        for item in find_all(warning, M, "Item"):
            items.append(
                WarningItem(
                    warning_type=warning_type,
                    areas=parse_areas(item, M, default_code_type),
                    kinds=tuple(_warning_kind(kind, warning_type) for kind in find_all(item, M, "Kind")),
                    change_status=find_text(item, M, "ChangeStatus"),
                    full_status=find_text(item, M, "FullStatus"),
                    stations=_stations(item),
                )
            )
    return tuple(items)


# --- rapid reports: 府県気象防災速報 (VPBS50), 記録的短時間大雨情報 (VPOA50) -------------------------------------

_VALUE_PARTS = ("PrecipitationPart", "SnowfallDepthPart", "SnowDepthPart")


def _observations_of_item(item: ET.Element) -> list[Observation]:
    area_element = find_one(item, M, "Area")
    station_element = find_one(item, M, "Station")
    area = parse_area(area_element, M, "") if area_element is not None else None
    station = parse_area(station_element, M, "") if station_element is not None else None
    found = []
    for prop in find_all(item, M, "Kind/Property"):
        for part in prop:
            part_name = local_name(part.tag)
            time = parse_datetime(find_text(part, M, "Time"), f"{part_name}/Time")
            if part_name in _VALUE_PARTS:
                for value in (child for child in part if child.tag.startswith(f"{{{JMX_EB}}}")):
                    found.append(_measured(value, time, area, station))
            elif part_name == "EventPart":
                for event in find_all(part, M, "Event"):
                    event_time = parse_datetime(find_text(event, M, "Time"), "Event/Time")
                    name = find_text(event, M, "EventName")
                    found.append(Observation(name, name, None, "", event_time, area, station))
    return found


def _measured(value: ET.Element, time: datetime | None, area: Area | None, station: Area | None) -> Observation:
    return Observation(
        element=value.get("type", ""),
        description=value.get("description", ""),
        value=parse_float(text_of(value)),
        unit=value.get("unit", ""),
        time=time,
        area=area,
        station=station,
    )


def parse_observations(body: ET.Element) -> tuple[Observation, ...]:
    """Observed values of 観測実況 sections (VPBS50: 記録的短時間大雨, 線状降水帯発生, 短時間大雪)."""
    found: list[Observation] = []
    for infos in find_all(body, M, "MeteorologicalInfos"):
        if infos.get("type") != "観測実況":
            continue
        for item in find_all(infos, M, "MeteorologicalInfo/Item"):
            found.extend(_observations_of_item(item))
    return tuple(found)


# The old VPOA50 names places only in its headline: "札幌市中央区付近で約１００ミリ", "大阪市中央区で１３０ミリ".
_RAIN_LINE = re.compile(r"^(?P<place>.+?)(?:付近)?で(?P<amount>約?(?P<number>\d+)ミリ(?:以上)?)$")
_RAIN_TIME = re.compile(r"^(?P<hour>\d{1,2})時(?P<minute>\d{1,2})分")


def _rain_time(first_line: str, report_datetime: datetime) -> datetime | None:
    """The observation time of the first headline line ("１９時４０分北海道で…"), on the report's day."""
    match = _RAIN_TIME.match(first_line)
    if not match:
        return None
    observed = report_datetime.replace(hour=int(match["hour"]), minute=int(match["minute"]), second=0, microsecond=0)
    return observed - timedelta(days=1) if observed > report_datetime else observed


def parse_rain_headline(headline_text: str, report_datetime: datetime) -> tuple[Observation, ...]:
    """Places and amounts named in a 記録的短時間大雨情報 headline (old VPOA50 has no structured places)."""
    lines = [line.strip() for line in headline_text.splitlines() if line.strip()]
    if not lines:
        return ()
    time = _rain_time(lines[0], report_datetime)
    found = []
    for line in lines:
        match = _RAIN_LINE.match(line)
        if match:
            place = Area(name=match["place"], code="", code_type=TEXT_PLACE)
            found.append(
                Observation("記録的短時間大雨", match["amount"], float(int(match["number"])), "mm", time, place)
            )
    return tuple(found)


def collect_info_texts(body: ET.Element) -> tuple[str, ...]:
    """The prose of 気象情報 / 解説情報 bodies (Property/Text of MeteorologicalInfo items)."""
    texts = []
    for infos in find_all(body, M, "MeteorologicalInfos"):
        for text in find_all(infos, M, "MeteorologicalInfo/Item/Kind/Property/Text"):
            texts.append(text_of(text))
    return tuple(text for text in texts if text)
