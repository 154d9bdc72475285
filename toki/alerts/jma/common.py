"""Helpers shared by the family parsers: areas, kinds, warning levels, comments."""

import re
import xml.etree.ElementTree as ET
from functools import lru_cache

from toki.alerts.jma.model import Area, KindRef
from toki.alerts.jma.xmlsafe import find_all, find_text, local_name, text_of

# Code systems (JMA codeType values) used when the XML leaves the code type implicit.
CITY = "気象・地震・火山情報／市町村等"
FORECAST_AREA = "気象情報／府県予報区・細分区域等"
EARTHQUAKE_PREFECTURE = "地震情報／都道府県等"
EARTHQUAKE_REGION = "地震情報／細分区域"
SEISMIC_STATION = "震度観測点"
EPICENTRE = "震央地名"
TSUNAMI_REGION = "津波予報区"
TIDE_STATION = "潮位観測点"
TEXT_PLACE = "本文中の地名"  # a place named only in free text (old 記録的短時間大雨情報); it has no code

# "レベル４大雨危険警報", "レベル３（入山規制）": the level is the digit after レベル (often full-width).
_LEVEL_IN_NAME = re.compile(r"レベル(\d)")
# River forecast texts open with 【警戒レベル４相当】 or 【警戒レベル２情報［洪水］】.
_LEVEL_IN_TEXT = re.compile(r"警戒レベル(\d)")


def level_from_name(name: str) -> int | None:
    """The level a kind's name carries ("レベル４大雨危険警報" → 4), None when it carries none."""
    match = _LEVEL_IN_NAME.search(name)
    return int(match.group(1)) if match else None


def level_from_text(text: str) -> int | None:
    """The 警戒レベル a free text announces first ("【警戒レベル４相当】…" → 4)."""
    match = _LEVEL_IN_TEXT.search(text)
    return int(match.group(1)) if match else None


@lru_cache(maxsize=16)
def _area_tags(namespace: str) -> tuple[str, str, str]:
    return f"{{{namespace}}}Name", f"{{{namespace}}}Code", f"{{{namespace}}}CityCode"


def parse_area(element: ET.Element, namespace: str, default_code_type: str) -> Area:
    """An Area (or Station/City/Pref …) element: its name, code and code system.

    The code system is the element's own codeType attribute, then a `type` attribute on its Code (stations and
    epicentres write it there), then what the position in the telegram implies. One pass over the children
    instead of one search per field: earthquake telegrams hold thousands of these.
    """
    name_tag, code_tag, city_code_tag = _area_tags(namespace)
    name = city_code = ""
    code_element = None
    for child in element:
        if child.tag == name_tag:
            name = text_of(child)
        elif child.tag == code_tag and code_element is None:
            code_element = child
        elif child.tag == city_code_tag:
            city_code = text_of(child)
    code_type = element.get("codeType") or (code_element.get("type") if code_element is not None else None)
    return Area(name=name, code=text_of(code_element), code_type=code_type or default_code_type, city_code=city_code)


def parse_areas(container: ET.Element | None, namespace: str, default_code_type: str = "") -> tuple[Area, ...]:
    """The areas of an Item: its Area children and those of its Areas[@codeType] children."""
    if container is None:
        return ()
    areas = [parse_area(area, namespace, default_code_type) for area in find_all(container, namespace, "Area")]
    for group in find_all(container, namespace, "Areas"):
        group_type = group.get("codeType") or default_code_type
        areas.extend(parse_area(area, namespace, group_type) for area in find_all(group, namespace, "Area"))
    return tuple(areas)


def parse_kind_ref(element: ET.Element | None, namespace: str) -> KindRef | None:
    """A Name/Code pair such as LastKind, or None when the element is absent."""
    if element is None:
        return None
    return KindRef(name=find_text(element, namespace, "Name"), code=find_text(element, namespace, "Code"))


def collect_comments(body: ET.Element, namespace: str) -> tuple[str, ...]:
    """The texts of Body/Comment and Body/Comments (fixed and free-form), in document order."""
    texts: list[str] = []
    for container in (*find_all(body, namespace, "Comment"), *find_all(body, namespace, "Comments")):
        for child in container:
            if local_name(child.tag) == "Text":
                texts.append(text_of(child))
            else:
                texts.append(find_text(child, namespace, "Text") or text_of(child))
    return tuple(text for text in texts if text)
