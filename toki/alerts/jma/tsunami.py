"""Body/Tsunami (VTSE41, VTSE51, VTSE52): forecast categories per 津波予報区 and observations per station.

Tsunami bodies carry no codeType on their areas: the element's place (Forecast/Item/Area, Item/Station) or the
section's CodeDefine says which code system a code belongs to. This matters: 341 is 津波予報区「佐渡」 here but
地震情報／細分区域 341 is 千葉県北西部 (reference §2).
"""

import xml.etree.ElementTree as ET
from datetime import datetime

from toki.alerts.jma.common import TIDE_STATION, TSUNAMI_REGION, parse_area, parse_kind_ref
from toki.alerts.jma.model import Area, KindRef, TsunamiForecast, TsunamiHeight, TsunamiObservation, TsunamiStation
from toki.alerts.jma.namespaces import JMX_EB, JMX_SEIS
from toki.alerts.jma.xmlsafe import find_all, find_one, find_text, parse_datetime, parse_float, text_of

S = JMX_SEIS


def _code_type(section: ET.Element, xpath: str, default: str) -> str:
    for type_element in find_all(section, S, "CodeDefine/Type"):
        if type_element.get("xpath") == xpath:
            return text_of(type_element) or default
    return default


def _height(container: ET.Element | None) -> TsunamiHeight | None:
    """The jmx_eb:TsunamiHeight under a MaxHeight, None when the telegram states none."""
    if container is None:
        return None
    height = container.find(f"{{{JMX_EB}}}TsunamiHeight")
    if height is None:
        return None
    return TsunamiHeight(
        meters=parse_float(text_of(height)),
        description=height.get("description", ""),
        condition=height.get("condition", ""),
    )


def _time(element: ET.Element | None, path: str, where: str) -> datetime | None:
    return parse_datetime(find_text(element, S, path), where)


def _forecast_station(station: ET.Element, code_type: str) -> TsunamiStation:
    return TsunamiStation(
        station=parse_area(station, S, code_type),
        high_tide_time=_time(station, "HighTideDateTime", "Station/HighTideDateTime"),
        arrival_time=_time(station, "FirstHeight/ArrivalTime", "Station/FirstHeight/ArrivalTime"),
        condition=find_text(station, S, "FirstHeight/Condition"),
    )


def _forecast_item(item: ET.Element, area_type: str, station_type: str) -> TsunamiForecast:
    category = find_one(item, S, "Category/Kind")
    return TsunamiForecast(
        area=parse_area(find_one(item, S, "Area"), S, area_type),
        category=parse_kind_ref(category, S) or KindRef("", ""),
        last_category=parse_kind_ref(find_one(item, S, "Category/LastKind"), S),
        arrival_time=_time(item, "FirstHeight/ArrivalTime", "Forecast/Item/FirstHeight/ArrivalTime"),
        arrival_condition=find_text(item, S, "FirstHeight/Condition"),
        max_height=_height(find_one(item, S, "MaxHeight")),
        stations=tuple(_forecast_station(station, station_type) for station in find_all(item, S, "Station")),
    )


def parse_tsunami_forecasts(body: ET.Element) -> tuple[TsunamiForecast, ...]:
    forecast = find_one(body, S, "Tsunami/Forecast")
    if forecast is None:
        return ()
    area_type = _code_type(forecast, "Item/Area/Code", TSUNAMI_REGION)
    station_type = _code_type(forecast, "Item/Station/Code", TIDE_STATION)
    items = find_all(forecast, S, "Item")
    return tuple(
        _forecast_item(item, area_type, station_type) for item in items if find_one(item, S, "Area") is not None
    )


def _observation(item_area: Area, station: ET.Element, station_type: str) -> TsunamiObservation:
    max_height = find_one(station, S, "MaxHeight")
    return TsunamiObservation(
        area=item_area,
        station=parse_area(station, S, station_type),
        sensor=find_text(station, S, "Sensor"),
        arrival_time=_time(station, "FirstHeight/ArrivalTime", "Observation/Station/FirstHeight/ArrivalTime"),
        initial=find_text(station, S, "FirstHeight/Initial"),
        arrival_condition=find_text(station, S, "FirstHeight/Condition"),
        max_height=_height(max_height),
        max_height_time=_time(max_height, "DateTime", "Observation/Station/MaxHeight/DateTime"),
        max_height_condition=find_text(max_height, S, "Condition"),
    )


def parse_tsunami_observations(body: ET.Element) -> tuple[TsunamiObservation, ...]:
    """Observed tsunami per station (VTSE51 coastal gauges, VTSE52 offshore gauges)."""
    observation = find_one(body, S, "Tsunami/Observation")
    if observation is None:
        return ()
    area_type = _code_type(observation, "Item/Area/Code", TSUNAMI_REGION)
    station_type = _code_type(observation, "Item/Station/Code", TIDE_STATION)
    found = []
    for item in find_all(observation, S, "Item"):
        area_element = find_one(item, S, "Area")
        # Offshore gauges (VTSE52) may come with an empty Area: keep the code system, name and code stay "".
        item_area = parse_area(area_element, S, area_type) if area_element is not None else Area("", "", area_type)
        found.extend(_observation(item_area, station, station_type) for station in find_all(item, S, "Station"))
    return tuple(found)
