"""Bodies in the seismology1 namespace, earthquake part: hypocentre, magnitude, observed and forecast intensity.

Observed intensity is a tree Pref → Area → City → IntensityStation (VXSE53), shorter in other telegrams
(VXSE51 stops at Area, VXSE62 hangs stations under Area). Each level is flattened into one AreaIntensity whose
area.code_type names the level, taken from the telegram's own CodeDefine when it has one.
"""

import re
import xml.etree.ElementTree as ET

from toki.alerts.jma.common import (
    CITY,
    EARTHQUAKE_PREFECTURE,
    EARTHQUAKE_REGION,
    EPICENTRE,
    SEISMIC_STATION,
    parse_area,
)
from toki.alerts.jma.model import Area, AreaIntensity, Earthquake, ForecastIntensity
from toki.alerts.jma.namespaces import JMX_EB, JMX_SEIS
from toki.alerts.jma.xmlsafe import find_all, find_one, find_text, parse_datetime, parse_float, text_of

S = JMX_SEIS

DETAILED_EPICENTRE = "詳細震央地名"

# ISO 6709 as JMA writes it for hypocentres: "+39.0+140.9-10000/" (degrees, depth in metres, negative down).
_COORDINATE = re.compile(r"^(?P<lat>[+-]\d+(?:\.\d+)?)(?P<lon>[+-]\d+(?:\.\d+)?)(?P<height>[+-]\d+)?/$")



def _tag(name: str) -> str:
    return f"{{{S}}}{name}"


# Qualified tags of the observed-intensity tree, compared directly in its hot loop.
_INTENSITY_LEVELS = {_tag(name): name for name in ("Pref", "Area", "City", "IntensityStation")}
_CITY_TAG = _tag("City")
_NAME, _CODE, _MAX_INT, _INT = _tag("Name"), _tag("Code"), _tag("MaxInt"), _tag("Int")
_MAX_LG_INT, _LG_INT, _CONDITION, _REVISE = _tag("MaxLgInt"), _tag("LgInt"), _tag("Condition"), _tag("Revise")

# What each level of the observed-intensity tree is, when the telegram has no CodeDefine for it.
_DEFAULT_LEVEL_CODE_TYPES = {
    "Pref/Code": EARTHQUAKE_PREFECTURE,
    "Pref/Area/Code": EARTHQUAKE_REGION,
    "Pref/Area/City/Code": CITY,
    "Pref/Area/City/IntensityStation/Code": SEISMIC_STATION,
    "Pref/Area/IntensityStation/Code": SEISMIC_STATION,
}


def _code_types(container: ET.Element) -> dict[str, str]:
    """Map the XPath of each code in a section to its code system, from CodeDefine where present."""
    code_types = dict(_DEFAULT_LEVEL_CODE_TYPES)
    for type_element in find_all(container, S, "CodeDefine/Type"):
        code_types[type_element.get("xpath", "")] = text_of(type_element)
    return code_types


def _coordinates(coordinate: str) -> tuple[float | None, float | None, float | None]:
    match = _COORDINATE.match(coordinate)
    if not match:
        return None, None, None
    height = match["height"]
    depth_km = -int(height) / 1000 if height else None
    return float(match["lat"]), float(match["lon"]), depth_km


def parse_earthquake(body: ET.Element) -> Earthquake | None:
    """Body/Earthquake: origin time, hypocentre, magnitude (None when the telegram has no Earthquake)."""
    earthquake = find_one(body, S, "Earthquake")
    if earthquake is None:
        return None
    area_element = find_one(earthquake, S, "Hypocenter/Area")
    coordinate = area_element.find(f"{{{JMX_EB}}}Coordinate") if area_element is not None else None
    latitude, longitude, depth_km = _coordinates(text_of(coordinate))
    magnitude = earthquake.find(f"{{{JMX_EB}}}Magnitude")
    return Earthquake(
        origin_time=parse_datetime(find_text(earthquake, S, "OriginTime"), "Earthquake/OriginTime"),
        arrival_time=parse_datetime(find_text(earthquake, S, "ArrivalTime"), "Earthquake/ArrivalTime"),
        hypocenter=_hypocenter(area_element),
        latitude=latitude,
        longitude=longitude,
        depth_km=depth_km,
        coordinate_description=coordinate.get("description", "") if coordinate is not None else "",
        magnitude=parse_float(text_of(magnitude)),
        magnitude_type=magnitude.get("type", "") if magnitude is not None else "",
        magnitude_description=magnitude.get("description", "") if magnitude is not None else "",
    )


def _hypocenter(area_element: ET.Element | None) -> Area | None:
    """The hypocentre's name: the detailed one (詳細震央地名, 「ロシア、カムチャツカ半島東岸」) where a distant
    earthquake has it, else the 震央地名 (「カムチャツカ半島付近」)."""
    if area_element is None:
        return None
    detailed = find_text(area_element, S, "DetailedName")
    if detailed:
        code = find_one(area_element, S, "DetailedCode")
        return Area(name=detailed, code=text_of(code), code_type=(code.get("type") if code is not None else "")
                    or DETAILED_EPICENTRE)
    return parse_area(area_element, S, EPICENTRE)


def _area_intensity(element: ET.Element, code_type: str, city_code: str) -> AreaIntensity:
    # The hot path of the biggest telegrams (VXSE53 lists thousands of stations): one pass, no path searches.
    texts = {child.tag: child.text.strip() for child in element if child.text}
    get = texts.get
    return AreaIntensity(
        area=Area(name=get(_NAME, ""), code=get(_CODE, ""), code_type=code_type, city_code=city_code),
        # Areas and cities report MaxInt, stations Int (and MaxLgInt / LgInt for long-period motion).
        intensity=get(_MAX_INT) or get(_INT, ""),
        long_period_class=get(_MAX_LG_INT) or get(_LG_INT, ""),
        condition=get(_CONDITION, ""),
        revise=get(_REVISE, ""),
    )


def _walk_observation(element: ET.Element, path: str, code_types: dict, found: list[AreaIntensity]) -> None:
    """Depth-first over Pref → Area → City → IntensityStation, keeping document order.

    A station keeps the code of the City it is listed under (Area.city_code): station codes look like city codes
    but are not a reliable way back to the municipality after mergers.
    """
    city_code = text_of(element.find(_CODE)) if element.tag == _CITY_TAG else ""
    for child in element:
        name = _INTENSITY_LEVELS.get(child.tag)
        if name is None:
            continue
        child_path = f"{path}/{name}" if path else name
        found.append(_area_intensity(child, code_types.get(f"{child_path}/Code", ""), city_code))
        if name != "IntensityStation":  # stations are leaves
            _walk_observation(child, child_path, code_types, found)


def parse_observed_intensity(body: ET.Element) -> tuple[str, tuple[AreaIntensity, ...]]:
    """The maximum intensity and every area's observed intensity (VXSE51, VXSE53, VXSE62)."""
    observation = find_one(body, S, "Intensity/Observation")
    if observation is None:
        return "", ()
    found: list[AreaIntensity] = []
    _walk_observation(observation, "", _code_types(observation), found)
    return find_text(observation, S, "MaxInt"), tuple(found)


def parse_forecast_intensity(body: ET.Element) -> tuple[str, tuple[ForecastIntensity, ...]]:
    """An EEW's forecast: the highest forecast intensity and the range per region (VXSE43–45)."""
    forecast = find_one(body, S, "Intensity/Forecast")
    if forecast is None:
        return "", ()
    code_types = _code_types(forecast)
    found = []
    for pref in find_all(forecast, S, "Pref"):
        for area in find_all(pref, S, "Area"):
            found.append(
                ForecastIntensity(
                    area=parse_area(area, S, code_types.get("Pref/Area/Code", EARTHQUAKE_REGION)),
                    lowest=find_text(area, S, "ForecastInt/From"),
                    highest=find_text(area, S, "ForecastInt/To"),
                    category=find_text(area, S, "Category/Kind/Name"),
                    arrival_time=parse_datetime(find_text(area, S, "ArrivalTime"), "Forecast/Area/ArrivalTime"),
                    condition=find_text(area, S, "Condition"),
                )
            )
    # The overall To is "over" when the upper bound is open; From is then the best single figure.
    highest = find_text(forecast, S, "ForecastInt/To")
    if highest == "over":
        highest = find_text(forecast, S, "ForecastInt/From")
    return highest, tuple(found)


def collect_information_texts(body: ET.Element) -> tuple[str, ...]:
    """Prose of national earthquake information (南海トラフ, 後発地震注意情報): EarthquakeInfo/Text, NextAdvisory."""
    texts = [find_text(info, S, "Text") for info in find_all(body, S, "EarthquakeInfo")]
    texts.append(find_text(body, S, "NextAdvisory"))
    return tuple(text for text in texts if text)
