"""Bodies in the volcanology1 namespace (VFVO50–56): alert level per volcano, affected municipalities.

Body/VolcanoInfo[@type] sections repeat the head's structure: "（対象火山）" items name the volcano (code system
火山名) and its kind, whose name carries the 噴火警戒レベル ("レベル３（入山規制）"); "（対象市町村等）" items list the
municipalities (市町村等 codes) concerned by that kind.
"""

import xml.etree.ElementTree as ET

from toki.alerts.jma.common import level_from_name, parse_areas, parse_kind_ref
from toki.alerts.jma.model import HeadlineKind, VolcanoItem
from toki.alerts.jma.namespaces import JMX_VOLC
from toki.alerts.jma.xmlsafe import find_all, find_one, find_text, parse_datetime

V = JMX_VOLC


def _kind(item: ET.Element) -> HeadlineKind:
    name = find_text(item, V, "Kind/Name")
    return HeadlineKind(
        name=name,
        code=find_text(item, V, "Kind/Code"),
        condition=find_text(item, V, "Kind/Condition"),
        level=level_from_name(name),
    )


def parse_volcano_items(body: ET.Element) -> tuple[VolcanoItem, ...]:
    items = []
    for info in find_all(body, V, "VolcanoInfo"):
        info_type = info.get("type", "")
        for item in find_all(info, V, "Item"):
            items.append(
                VolcanoItem(
                    info_type=info_type,
                    kind=_kind(item),
                    last_kind=parse_kind_ref(find_one(item, V, "LastKind"), V),
                    areas=parse_areas(item, V),
                    event_time=parse_datetime(find_text(item, V, "EventTime/EventDateTime"), "EventDateTime"),
                )
            )
    return tuple(items)


def parse_volcano_headline(body: ET.Element) -> str:
    return find_text(body, V, "VolcanoInfoContent/VolcanoHeadline")
