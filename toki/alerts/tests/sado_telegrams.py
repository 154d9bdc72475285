"""Sado variants of real JMA samples for tests that go through the feed server (SYNTHETIC: each function says
what it edited). No warning or tsunami sample names Sado (reference §5), so areas are renamed to Sado's codes."""

import re

from toki.alerts.tests.jma_feed_server import sample_bytes

# 2015-11-14 薩摩半島西方沖: 津波注意報 for 種子島・屋久島地方 (771) at 05:56, lifted at 07:20 (大阪管区気象台).
ADVISORY_2015 = "38-39_02_01_250206_VTSE41.xml"
LIFTED_2015 = "38-39_02_04_250206_VTSE41.xml"
RETRACTION_2021 = "38-39_03_01_210805_VTSE41.xml"  # 気象庁本庁's real 取消: Body is only a Text
ADVISORY_EVENT = "20151114055157"


def _text(name: str) -> str:
    return sample_bytes(name).decode("utf-8")


def _as_sado_tsunami_region(text: str, name: str, code: str) -> str:
    return text.replace(f"<Name>{name}</Name>", "<Name>佐渡</Name>").replace(f"<Code>{code}</Code>", "<Code>341</Code>")


def tsunami_advisory() -> bytes:
    """SYNTHETIC: the real 2015-11-14 05:56 津波注意報 (38-39_02_01) with 種子島・屋久島地方 (771) renamed to the
    tsunami forecast region 佐渡 (341)."""
    return _as_sado_tsunami_region(_text(ADVISORY_2015), "種子島・屋久島地方", "771").encode()


def tsunami_advisory_lifted() -> bytes:
    """SYNTHETIC: the real 2015-11-14 07:20 津波注意報解除 (38-39_02_04), 種子島・屋久島地方 (771) → 佐渡 (341)."""
    return _as_sado_tsunami_region(_text(LIFTED_2015), "種子島・屋久島地方", "771").encode()


def retraction(*, event_id: str = ADVISORY_EVENT, office: str = "大阪管区気象台",
               report_at: str = "2015-11-14T06:10:00+09:00") -> bytes:
    """SYNTHETIC: the real 2021-08-05 取消 of a 津波注意報 (38-39_03_01), unchanged but for its EventID, editorial
    office and report time, so that it withdraws the telegram of that series. It names no area."""
    text = _text(RETRACTION_2021)
    text = re.sub(r"<EventID>[^<]*</EventID>", f"<EventID>{event_id}</EventID>", text)
    text = re.sub(r"<EditorialOffice>[^<]*</EditorialOffice>", f"<EditorialOffice>{office}</EditorialOffice>", text)
    text = re.sub(r"<ReportDateTime>[^<]*</ReportDateTime>", f"<ReportDateTime>{report_at}</ReportDateTime>", text)
    return re.sub(r"<TargetDateTime>[^<]*</TargetDateTime>", f"<TargetDateTime>{report_at}</TargetDateTime>",
                  text).encode()


_ISO_DATETIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(Z|[+-]\d\d:\d\d)")


def retimed(body: bytes, delta) -> bytes:
    """Every date and time of the telegram moved by `delta` (a timedelta), in its own notation: a sample from 2015
    replayed as if it were sent minutes ago, so that it is inside LINE's delivery window."""
    from datetime import datetime

    def shift(match: re.Match) -> str:
        zone = match.group(2)
        moment = datetime.fromisoformat(match.group(1) + ("+00:00" if zone == "Z" else zone)) + delta
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + zone

    return _ISO_DATETIME.sub(shift, body.decode("utf-8")).encode("utf-8")


FORECAST_2011 = "32-39_11_13_250206_VTSE41.xml"  # real: 佐渡 (341) under 津波予報（若干の海面変動）until ValidDateTime


def tsunami_forecast_slight_change() -> bytes:
    """The real 2011-03-13 17:58 津波予報 (32-39_11_13): 佐渡 (341) under 津波予報（若干の海面変動）, ValidDateTime
    2011-03-14 18:00. Not edited: it names Sado itself."""
    return sample_bytes(FORECAST_2011)


def tsunami_advisory_downgraded() -> bytes:
    """SYNTHETIC: the advisory of `tsunami_advisory()` one hour later, its 佐渡 item downgraded to 津波予報（若干の
    海面変動）(Kind 71, LastKind 62) as JMA words a downgrade; head and headline as the 07:20 lifting's."""
    text = tsunami_advisory().decode("utf-8")
    item = re.compile(r"(<Name>佐渡</Name>\s*<Code>341</Code>\s*</Area>\s*<Category>\s*<Kind>\s*)"
                      r"<Name>津波注意報</Name>\s*<Code>62</Code>(\s*</Kind>\s*<LastKind>\s*)"
                      r"<Name>津波なし</Name>\s*<Code>00</Code>")
    text, count = item.subn(r"\1<Name>津波予報（若干の海面変動）</Name><Code>71</Code>"
                            r"\2<Name>津波注意報</Name><Code>62</Code>", text)
    assert count == 1, "the 佐渡 item of the advisory sample changed shape"
    text = text.replace("2015-11-14T05:56:00+09:00", "2015-11-14T06:56:00+09:00")
    return text.replace("2015-11-13T20:56:28Z", "2015-11-13T21:56:28Z").encode()


EEW_2024 = "37_01_01_240613_VXSE43.xml"  # 2024-04-17 豊後水道: 緊急地震速報（警報）, first report


def eew_warning(*, region: str = "愛媛県南予", code: str = "622") -> bytes:
    """SYNTHETIC: the real 緊急地震速報（警報）of 2024-04-17 23:14:59 (37_01_01) with one forecast region renamed to
    新潟県佐渡 (地震情報／細分区域 375). 愛媛県南予 (622) carries 「既に主要動到達と推測」 and 5弱; 高知県西部 (632) an
    arrival time and 4."""
    text = _text(EEW_2024)
    return text.replace(f"<Name>{region}</Name><Code>{code}</Code>", "<Name>新潟県佐渡</Name><Code>375</Code>").encode()
