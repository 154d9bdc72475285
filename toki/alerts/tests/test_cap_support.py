"""Helpers for the test_cap_* modules (no tests here): CAP messages to import, alert fixtures, XSD validation of
output, and a URL configuration with the CAP URLs at /cap/ (used until toki/urls.py includes them).

Messages marked "synthetic" are written for these tests; the four OASIS examples are read from the shared folder
beside the repository (/work/shared/data/cap), and the tests that need them skip when it is missing.
"""

import unittest
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from django.urls import include, path
from lxml import etree

from toki.alerts.cap.schema import XSD_PATH
from toki.alerts.models import Alert

urlpatterns = [
    path("cap/", include("toki.alerts.urls_cap")),
    path("", include("toki.urls")),
]
URLCONF = "toki.alerts.tests.test_cap_support"

OASIS_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "cap"
requires_oasis = unittest.skipUnless(
    (OASIS_DIR / "example1.xml").is_file(), f"OASIS CAP examples not found at {OASIS_DIR} (the shared folder)"
)

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 10:00 in Japan

# 両津港 (Ryotsu port, the Niigata ferry terminal) and its water: a small box around 38.0796 N, 138.4393 E.
RYOTSU_PORT_POLYGON = "38.075,138.432 38.075,138.447 38.086,138.447 38.086,138.432 38.075,138.432"
FAR_AWAY_POLYGON = "35.60,139.70 35.60,139.80 35.70,139.80 35.70,139.70 35.60,139.70"  # Tokyo


def oasis_example(n: int) -> bytes:
    return (OASIS_DIR / f"example{n}.xml").read_bytes()


def area_xml(desc: str = "両津港", *, polygon: str | None = RYOTSU_PORT_POLYGON, circle: str | None = None,
             geocodes: tuple[tuple[str, str], ...] = ()) -> str:
    parts = [f"<areaDesc>{desc}</areaDesc>"]
    if polygon:
        parts.append(f"<polygon>{polygon}</polygon>")
    if circle:
        parts.append(f"<circle>{circle}</circle>")
    parts += [f"<geocode><valueName>{n}</valueName><value>{v}</value></geocode>" for n, v in geocodes]
    return "<area>" + "".join(parts) + "</area>"


def ferry_notice(identifier: str = "SKK-2026-0001", *, sender: str = "info@ferry.example.jp",
                 sent: str = "2026-11-24T10:00:00+09:00", status: str = "Actual", msg_type: str = "Alert",
                 scope: str = "Public", references: str | None = None, area: str | None = None,
                 headline: str = "両津港発着のカーフェリー欠航", extra_alert: str = "") -> bytes:
    """Synthetic: a ferry operator's notice (Japanese and English info) for 両津港."""
    area = area if area is not None else area_xml()
    refs = f"<references>{references}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>{sender}</sender>
  <sent>{sent}</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>{scope}</scope>{extra_alert}
  {refs}
  <info>
    <language>ja-JP</language>
    <category>Transport</category>
    <event>フェリー欠航</event>
    <responseType>Avoid</responseType>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Likely</certainty>
    <expires>2026-11-24T22:00:00+09:00</expires>
    <senderName>佐渡汽船（試験用の架空の送信者）</senderName>
    <headline>{headline}</headline>
    <description>荒天のため、本日の両津港発着のカーフェリーは全便欠航します。</description>
    <instruction>乗船予定の方は窓口にお問い合わせください。</instruction>
    {area}
  </info>
  <info>
    <language>en-US</language>
    <category>Transport</category>
    <event>Ferry cancellation</event>
    <responseType>Avoid</responseType>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Likely</certainty>
    <expires>2026-11-24T22:00:00+09:00</expires>
    <senderName>Sado Kisen (fictitious test sender)</senderName>
    <headline>Car ferries to and from Ryotsu port cancelled</headline>
    <description>All car ferries to and from Ryotsu port are cancelled today because of the storm.</description>
    {area}
  </info>
</alert>""".encode()


def geocode_notice(identifier: str = "NIIGATA-2026-77", *, value_name: str = "LG-CODE",
                   value: str = "152242", desc: str = "新潟県佐渡市") -> bytes:
    """Synthetic: a prefecture notice for 佐渡市 by geocode only."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>bousai@pref.niigata.example.jp</sender>
  <sent>2026-11-24T09:30:00+09:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>ja-JP</language>
    <category>Safety</category>
    <event>断水のお知らせ</event>
    <urgency>Expected</urgency>
    <severity>Minor</severity>
    <certainty>Observed</certainty>
    <headline>佐渡市の一部で断水</headline>
    <description>水道管の破損により、一部地域で断水しています。</description>
    <area>
      <areaDesc>{desc}</areaDesc>
      <geocode><valueName>{value_name}</valueName><value>{value}</value></geocode>
    </area>
  </info>
</alert>""".encode()


def make_alert(municipality, n: int = 1, **changes) -> Alert:
    """A stored Alert (test fixture; production writes go through the actions)."""
    values = {
        "municipality": municipality,
        "source": Alert.Source.JMA,
        "identifier": f"jma:test-{n}",
        "category": Alert.Category.WEATHER,
        "title": "気象警報・注意報（Ｈ２７）",
        "status": Alert.Status.ACTUAL,
        "msg_type": Alert.MsgType.ALERT,
        "sender": "新潟地方気象台",
        "sent_at": T0 + timedelta(minutes=n),
        "headline": "佐渡市に大雨警報（土砂災害）を発表します。",
        "severity": "Severe",
        "facts": {"source": "jma", "areas": [{"code": "1522400", "name": "佐渡市", "system": "city"}]},
    }
    values.update(changes)
    return Alert.objects.create(**values)


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


def xsd_errors(document: bytes) -> list[str]:
    """What is wrong with `document` against the OASIS CAP 1.2 schema (the shipped copy of
    /work/shared/data/cap/CAP-v1.2.xsd; test_cap_build checks the two are the same)."""
    schema = _schema()
    if schema.validate(etree.fromstring(document)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
