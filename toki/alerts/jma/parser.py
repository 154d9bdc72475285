"""parse_telegram(): bytes of one JMA 防災情報XML telegram → an immutable Telegram.

Control and Head are read for every telegram. The body is read only for kinds that matter to a city
(catalogue.MessageType.city_relevant), by the parser of its namespace: meteorology (warnings, rivers, rapid
reports, 気象情報), seismology (earthquake, EEW, tsunami) or volcanology.
"""

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from toki.alerts.jma import meteorology, seismology, tsunami, volcano
from toki.alerts.jma.catalogue import WEATHER_INFO, MessageType, classify, code_hint_from_name
from toki.alerts.jma.common import collect_comments
from toki.alerts.jma.head import ControlAndHead, parse_control_and_head
from toki.alerts.jma.model import Telegram
from toki.alerts.jma.namespaces import BODY_NAMESPACES, JMX, JMX_METE, JMX_SEIS, JMX_VOLC, REPORT_TAG
from toki.alerts.jma.xmlsafe import JmaParseError, find_text, local_name, parse_xml

_RAIN_INFO_KIND = "記録的短時間大雨情報"


def _check_root(root: ET.Element) -> None:
    if root.tag == REPORT_TAG:
        return
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else "(no namespace)"
    raise JmaParseError(
        f"root element is <{local_name(root.tag)}> in namespace {namespace}; expected <Report> in namespace {JMX}"
    )


def _body_of(root: ET.Element) -> tuple[ET.Element, str]:
    for child in root:
        if local_name(child.tag) != "Body":
            continue
        namespace = child.tag[1:].partition("}")[0] if child.tag.startswith("{") else ""
        if namespace not in BODY_NAMESPACES:
            raise JmaParseError(f"Body is in the unexpected namespace {namespace or '(none)'}")
        return child, namespace
    raise JmaParseError("Report has no Body element")


def _meteorology_fields(body: ET.Element, head: ControlAndHead, message_type: MessageType) -> dict[str, Any]:
    observations = meteorology.parse_observations(body)
    if head.info_kind == _RAIN_INFO_KIND:
        observations += meteorology.parse_rain_headline(head.headline_text, head.report_datetime)
    comments = collect_comments(body, JMX_METE)
    if message_type.family == WEATHER_INFO:
        comments += meteorology.collect_info_texts(body)
    return {
        "warnings": meteorology.parse_warnings(body),
        "observations": observations,
        "comments": comments,
    }


def _seismology_fields(body: ET.Element) -> dict[str, Any]:
    max_intensity, intensities = seismology.parse_observed_intensity(body)
    forecast_max, forecast_intensities = seismology.parse_forecast_intensity(body)
    return {
        "earthquake": seismology.parse_earthquake(body),
        "max_intensity": max_intensity or forecast_max,
        "intensities": intensities,
        "forecast_intensities": forecast_intensities,
        "tsunami_forecasts": tsunami.parse_tsunami_forecasts(body),
        "tsunami_observations": tsunami.parse_tsunami_observations(body),
        "comments": collect_comments(body, JMX_SEIS) + seismology.collect_information_texts(body),
    }


def _volcanology_fields(body: ET.Element) -> dict[str, Any]:
    return {
        "volcano_items": volcano.parse_volcano_items(body),
        "volcano_headline": volcano.parse_volcano_headline(body),
    }


def _body_fields(body: ET.Element, namespace: str, head: ControlAndHead, message_type: MessageType) -> dict:
    fields = {"body_text": find_text(body, namespace, "Text")}
    if namespace == JMX_METE:
        fields.update(_meteorology_fields(body, head, message_type))
    elif namespace == JMX_SEIS:
        fields.update(_seismology_fields(body))
    elif namespace == JMX_VOLC:
        fields.update(_volcanology_fields(body))
    return fields


def parse_telegram(data: bytes, *, source_name: str = "") -> Telegram:
    """Parse one telegram. source_name (file name or feed URL) only helps tell apart types sharing a title.

    Raises JmaParseError with the reason for unsafe, malformed or non-JMA input.
    """
    root = parse_xml(data)
    _check_root(root)
    head = parse_control_and_head(root)
    body, namespace = _body_of(root)
    message_type = classify(head.title, head.info_kind, code_hint_from_name(source_name))
    body_fields = _body_fields(body, namespace, head, message_type) if message_type.city_relevant else {}
    return Telegram(
        source="jma",
        message_type=message_type,
        city_relevant_kind=message_type.city_relevant,
        title=head.title,
        head_title=head.head_title,
        status=head.status,
        info_type=head.info_type,
        editorial_office=head.editorial_office,
        publishing_office=head.publishing_office,
        control_datetime=head.control_datetime,
        report_datetime=head.report_datetime,
        target_datetime=head.target_datetime,
        target_duration=head.target_duration,
        valid_datetime=head.valid_datetime,
        event_id=head.event_id,
        serial=head.serial,
        info_kind=head.info_kind,
        info_kind_version=head.info_kind_version,
        headline_text=head.headline_text,
        headline_items=head.headline_items,
        **body_fields,
    )


def parse_file(path: str | Path) -> Telegram:
    """Read and parse one telegram file; an unreadable file is a JmaParseError too."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JmaParseError(f"cannot read the file: {exc.strerror or exc}") from exc
    return parse_telegram(data, source_name=path.name)
