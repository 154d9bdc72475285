"""Control and Head: the part every telegram shares, whatever its body."""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from toki.alerts.jma.common import level_from_name, parse_areas
from toki.alerts.jma.model import HeadlineItem, HeadlineKind
from toki.alerts.jma.namespaces import JMX, JMX_IB
from toki.alerts.jma.xmlsafe import JmaParseError, find_all, find_one, find_text, parse_datetime

STATUSES = ("通常", "訓練", "試験")
INFO_TYPES = ("発表", "訂正", "取消", "遅延")
# jmx.xsd also allows these patterns for Control/Status (operational re-sends); they are kept as written.
_STATUS_PATTERN = re.compile(r"(CC|RR|AA)[A-Z]")


@dataclass(frozen=True, slots=True)
class ControlAndHead:
    title: str
    control_datetime: datetime
    status: str
    editorial_office: str
    publishing_office: str
    head_title: str
    report_datetime: datetime
    target_datetime: datetime | None
    target_duration: str
    valid_datetime: datetime | None
    event_id: str
    info_type: str
    serial: str
    info_kind: str
    info_kind_version: str
    headline_text: str
    headline_items: tuple[HeadlineItem, ...]


def _required(element: ET.Element, namespace: str, path: str, where: str) -> str:
    value = find_text(element, namespace, path)
    if not value:
        raise JmaParseError(f"{where}/{path} is missing or empty")
    return value


def _required_datetime(element: ET.Element, namespace: str, path: str, where: str) -> datetime:
    parsed = parse_datetime(_required(element, namespace, path, where), f"{where}/{path}")
    assert parsed is not None  # _required() refused the empty value
    return parsed


def _checked_status(status: str) -> str:
    if status in STATUSES or _STATUS_PATTERN.fullmatch(status):
        return status
    raise JmaParseError(f"Control/Status {status!r} is none of {', '.join(STATUSES)}")


def _checked_info_type(info_type: str) -> str:
    if info_type in INFO_TYPES:
        return info_type
    raise JmaParseError(f"Head/InfoType {info_type!r} is none of {', '.join(INFO_TYPES)}")


def _headline_items(headline: ET.Element | None) -> tuple[HeadlineItem, ...]:
    items = []
    for information in find_all(headline, JMX_IB, "Information"):
        information_type = information.get("type", "")
        for item in find_all(information, JMX_IB, "Item"):
            kinds = tuple(_headline_kind(kind) for kind in find_all(item, JMX_IB, "Kind"))
            items.append(HeadlineItem(information_type, kinds, parse_areas(item, JMX_IB)))
    return tuple(items)


def _headline_kind(kind: ET.Element) -> HeadlineKind:
    name = find_text(kind, JMX_IB, "Name")
    return HeadlineKind(
        name=name,
        code=find_text(kind, JMX_IB, "Code"),
        condition=find_text(kind, JMX_IB, "Condition"),
        level=level_from_name(name),
    )


def parse_control_and_head(report: ET.Element) -> ControlAndHead:
    """Read Control and Head, refusing telegrams that lack what identifies them."""
    control = find_one(report, JMX, "Control")
    if control is None:
        raise JmaParseError("Report has no Control element in the jmx namespace")
    head = find_one(report, JMX_IB, "Head")
    if head is None:
        raise JmaParseError("Report has no Head element in the jmx_ib (informationBasis1) namespace")
    headline = find_one(head, JMX_IB, "Headline")
    return ControlAndHead(
        title=_required(control, JMX, "Title", "Control"),
        control_datetime=_required_datetime(control, JMX, "DateTime", "Control"),
        status=_checked_status(_required(control, JMX, "Status", "Control")),
        editorial_office=find_text(control, JMX, "EditorialOffice"),
        publishing_office=find_text(control, JMX, "PublishingOffice"),
        head_title=find_text(head, JMX_IB, "Title"),
        report_datetime=_required_datetime(head, JMX_IB, "ReportDateTime", "Head"),
        target_datetime=parse_datetime(find_text(head, JMX_IB, "TargetDateTime"), "Head/TargetDateTime"),
        target_duration=find_text(head, JMX_IB, "TargetDuration"),
        valid_datetime=parse_datetime(find_text(head, JMX_IB, "ValidDateTime"), "Head/ValidDateTime"),
        event_id=find_text(head, JMX_IB, "EventID"),
        info_type=_checked_info_type(_required(head, JMX_IB, "InfoType", "Head")),
        serial=find_text(head, JMX_IB, "Serial"),
        info_kind=find_text(head, JMX_IB, "InfoKind"),
        info_kind_version=find_text(head, JMX_IB, "InfoKindVersion"),
        headline_text=find_text(headline, JMX_IB, "Text"),
        headline_items=_headline_items(headline),
    )
