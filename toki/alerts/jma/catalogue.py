"""Which message type a telegram is, and whether that kind of telegram matters to a city.

The XML carries no type code (VPWW54, VXSE53 …): that lives only in the feed's file name. The type is therefore
derived from Control/Title, which JMA fixes per type (see /work/shared/reference/alerts.md §3 and §9). A few
titles are shared by several codes (台風解析・予報情報 slots VPTW40/41, 南海トラフ地震関連解説情報 VYSE51/52, the
river offices' VXKOii); a code found in the file name or feed URL settles those, otherwise every candidate is
kept ("VYSE51/VYSE52"). A title the catalogue does not know falls back to Head/InfoKind, so a renamed telegram
is still parsed as its kind instead of being dropped.
"""

import re
import unicodedata
from dataclasses import dataclass

# Families decide which body parser runs; they are documented in docs/jma-parser.md.
WARNING = "warning"  # 気象警報・注意報 and other per-area warnings and rapid reports
RIVER = "river"  # 指定河川洪水予報, 水位周知河川
WEATHER_INFO = "weather_info"  # 気象情報 / 解説情報 (free text)
EARTHQUAKE = "earthquake"
EEW = "eew"  # 緊急地震速報
TSUNAMI = "tsunami"
VOLCANO = "volcano"
FORECAST = "forecast"
TYPHOON = "typhoon"
MARINE = "marine"
OBSERVATION = "observation"
CHART = "chart"
NOTICE = "notice"
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class MessageType:
    code: str  # e.g. "VPWW54"; "VYSE51/VYSE52" when the title alone cannot tell; "" when unknown
    name: str  # JMA's name of the type, e.g. "気象警報・注意報（Ｈ２７）"
    family: str
    city_relevant: bool  # False: parsed to Control/Head only (forecasts, charts, observations …)


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str
    titles: tuple[str, ...]
    family: str
    city_relevant: bool


def _e(code: str, titles: str, family: str, city_relevant: bool) -> _Entry:
    return _Entry(code, tuple(titles.split("|")), family, city_relevant)


_ENTRIES = (
    # Warnings, advisories, 防災速報 (feed: extra).
    _e("VPWW50", "気象警報・注意報", WARNING, True),
    _e("VPWW53", "気象特別警報・警報・注意報", WARNING, True),
    _e("VPWW54", "気象警報・注意報（Ｈ２７）", WARNING, True),
    _e("VPWW55", "気象警報・注意報（Ｒ０６）（大雨）", WARNING, True),
    _e("VPWW56", "気象警報・注意報（Ｒ０６）（土砂）|気象警報・注意報（Ｒ０６）（土砂災害）", WARNING, True),
    _e("VPWW57", "気象警報・注意報（Ｒ０６）（高潮）", WARNING, True),
    _e("VPWW58", "気象警報・注意報（Ｒ０６）（暴風）", WARNING, True),
    _e("VPWW59", "気象警報・注意報（Ｒ０６）（波浪）", WARNING, True),
    _e("VPWW60", "気象警報・注意報（Ｒ０６）（大雪）", WARNING, True),
    _e("VPWW61", "気象警報・注意報（Ｒ０６）（その他注意報）", WARNING, True),
    _e("VPWS50", "気象警報・注意報（Ｒ０６）（集約通報）", WARNING, True),
    _e("VPWP50", "気象警報・注意報時系列情報（Ｒ０６）", FORECAST, False),
    _e("VXWW50", "土砂災害警戒情報", WARNING, True),
    _e("VPOA50", "記録的短時間大雨情報", WARNING, True),
    _e("VPBS50", "府県気象防災速報", WARNING, True),
    _e("VPHW50", "竜巻注意情報", WARNING, True),
    _e("VPHW51", "竜巻注意情報（目撃情報付き）", WARNING, True),
    _e("VPNO50", "気象特別警報報知", WARNING, True),
    _e("VPFT50", "熱中症警戒アラート", WARNING, True),
    _e("VXKOii", "指定河川洪水予報", RIVER, True),
    _e("VXSUii", "水位周知河川に関する情報", RIVER, True),
    _e("VPRN50", "大雨危険度通知", FORECAST, False),
    # 気象情報 / 解説情報: the prefecture-level ones speak to the city, regional and national ones do not.
    _e("VPFJ50", "府県気象情報", WEATHER_INFO, True),
    _e("VPFJ51", "府県気象解説情報", WEATHER_INFO, True),
    _e("VPCJ50", "地方気象情報", WEATHER_INFO, False),
    _e("VPCJ51", "地方気象解説情報", WEATHER_INFO, False),
    _e("VPZJ50", "全般気象情報", WEATHER_INFO, False),
    _e("VPZJ51", "全般気象解説情報", WEATHER_INFO, False),
    _e("VMCJ50", "全般潮位情報", WEATHER_INFO, False),
    _e("VMCJ51", "地方潮位情報", WEATHER_INFO, False),
    _e("VMCJ52", "府県潮位情報", WEATHER_INFO, True),
    _e("VMCJ53", "全般気象解説情報（潮位）", WEATHER_INFO, False),
    _e("VMCJ54", "地方気象解説情報（潮位）", WEATHER_INFO, False),
    _e("VMCJ55", "府県気象解説情報（潮位）", WEATHER_INFO, True),
    # Earthquake and tsunami (feed: eqvol).
    _e("VXSE51", "震度速報", EARTHQUAKE, True),
    _e("VXSE52", "震源に関する情報", EARTHQUAKE, True),
    _e("VXSE53", "震源・震度に関する情報", EARTHQUAKE, True),
    _e("VXSE56", "地震の活動状況等に関する情報", EARTHQUAKE, False),
    _e("VXSE60", "地震回数に関する情報", EARTHQUAKE, False),
    _e("VXSE61", "顕著な地震の震源要素更新のお知らせ", EARTHQUAKE, True),
    _e("VXSE62", "長周期地震動に関する観測情報", EARTHQUAKE, True),
    _e("VTSE41", "津波警報・注意報・予報a", TSUNAMI, True),
    _e("VTSE51", "津波情報a", TSUNAMI, True),
    _e("VTSE52", "沖合の津波観測に関する情報", TSUNAMI, True),
    _e("VYSE50", "南海トラフ地震臨時情報", EARTHQUAKE, True),
    _e("VYSE51", "南海トラフ地震関連解説情報", EARTHQUAKE, False),
    _e("VYSE52", "南海トラフ地震関連解説情報", EARTHQUAKE, False),
    _e("VYSE60", "北海道・三陸沖後発地震注意情報", EARTHQUAKE, True),
    _e("VZSE40", "地震・津波に関するお知らせ", NOTICE, False),
    _e("VXSE42", "緊急地震速報配信テスト", EEW, False),
    _e("VXSE43", "緊急地震速報（警報）", EEW, True),
    _e("VXSE44", "緊急地震速報（予報）", EEW, True),
    _e("VXSE45", "緊急地震速報（地震動予報）", EEW, True),
    # Volcano (feed: eqvol).
    _e("VFVO50", "噴火警報・予報", VOLCANO, True),
    _e("VFVO51", "火山の状況に関する解説情報", VOLCANO, True),
    _e("VFVO52", "噴火に関する火山観測報", VOLCANO, True),
    _e("VFVO53", "降灰予報（定時）", VOLCANO, True),
    _e("VFVO54", "降灰予報（速報）", VOLCANO, True),
    _e("VFVO55", "降灰予報（詳細）", VOLCANO, True),
    _e("VFVO56", "噴火速報", VOLCANO, True),
    _e("VFVO60", "推定噴煙流向報", VOLCANO, False),
    _e("VFSVii", "火山現象に関する海上警報・海上予報", MARINE, False),
    _e("VZVO40", "火山に関するお知らせ", NOTICE, False),
    # Forecasts, seasonal outlooks, typhoon, marine, observations, charts: useful elsewhere, not as city alerts.
    _e("VPFD50", "府県天気予報", FORECAST, False),
    _e("VPFD51", "府県天気予報（Ｒ１）", FORECAST, False),
    _e("VPFD60", "警報級の可能性（明日まで）", FORECAST, False),
    _e("VPFD61", "早期注意情報（明後日まで）", FORECAST, False),
    _e("VPFW50", "府県週間天気予報", FORECAST, False),
    _e("VPFW60", "警報級の可能性（明後日以降）", FORECAST, False),
    _e("VPFG50", "府県天気概況", FORECAST, False),
    _e("VPAW51", "早期天候情報", FORECAST, False),
    _e("VPCI50", "地方天候情報", FORECAST, False),
    _e("VPZI50", "全般天候情報", FORECAST, False),
    _e("VPCK50", "地方１か月予報|地方３か月予報|地方暖・寒候期予報", FORECAST, False),
    _e("VPCK70", "地方季節予報（２週間気温予報）", FORECAST, False),
    _e("VPZK50", "全般１か月予報|全般３か月予報|全般暖・寒候期予報", FORECAST, False),
    _e("VPZK70", "全般季節予報（２週間気温予報）", FORECAST, False),
    _e("VPTA50", "台風の暴風域に入る確率", TYPHOON, False),
    _e("VPTI50", "全般台風情報", TYPHOON, False),
    _e("VPTI51", "全般台風情報（定型）", TYPHOON, False),
    _e("VPTI52", "全般台風情報（詳細）", TYPHOON, False),
    _e("VPTW40", "台風解析・予報情報（３日予報）", TYPHOON, False),
    _e("VPTW41", "台風解析・予報情報（３日予報）", TYPHOON, False),
    _e("VPTW50", "台風解析・予報情報（５日予報）", TYPHOON, False),
    _e("VPTW51", "台風解析・予報情報（５日予報）", TYPHOON, False),
    _e("VPTW60", "台風解析・予報情報（５日予報）（Ｈ３０）", TYPHOON, False),
    _e("VPTW61", "台風解析・予報情報（５日予報）（Ｈ３０）", TYPHOON, False),
    _e("VPTW62", "台風解析・予報情報（５日予報）（Ｈ３０）", TYPHOON, False),
    _e("VPZU50", "全般海上警報（定時）", MARINE, False),
    _e("VPZU51", "全般海上警報（臨時）", MARINE, False),
    _e("VPZU52", "全般海上警報（定時）（Ｈ２９）", MARINE, False),
    _e("VPZU53", "全般海上警報（臨時）（Ｈ２９）", MARINE, False),
    _e("VPCU50", "地方海上警報", MARINE, False),
    _e("VPCU51", "地方海上警報（Ｈ２８）", MARINE, False),
    _e("VPCY50", "地方海上予報", MARINE, False),
    _e("VPCY51", "地方海上予報（Ｈ２８）", MARINE, False),
    _e("VGSK50", "季節観測", OBSERVATION, False),
    _e("VGSK55", "生物季節観測", OBSERVATION, False),
    _e("VGSK60", "特殊気象報", OBSERVATION, False),
    _e("VGUV50", "紫外線観測データ", OBSERVATION, False),
    _e("VZSA50", "地上実況図", CHART, False),
    _e("VZSA60", "アジア太平洋地上実況図", CHART, False),
    _e("VZSF50", "地上２４時間予想図", CHART, False),
    _e("VZSF51", "地上４８時間予想図", CHART, False),
    _e("VZSF60", "アジア太平洋海上悪天２４時間予想図", CHART, False),
    _e("VZSF61", "アジア太平洋海上悪天４８時間予想図", CHART, False),
)

# When a title is unknown (renamed, or a typo in a live telegram), Head/InfoKind still says what it is.
_INFO_KIND_FALLBACK = {
    "気象警報・注意報": (WARNING, True),
    "土砂災害警戒情報": (WARNING, True),
    "記録的短時間大雨情報": (WARNING, True),
    "竜巻注意情報": (WARNING, True),
    "気象特別警報報知": (WARNING, True),
    "指定河川洪水予報": (RIVER, True),
    "水位周知河川に関する情報": (RIVER, True),
    "震度速報": (EARTHQUAKE, True),
    "震源速報": (EARTHQUAKE, True),
    "地震情報": (EARTHQUAKE, True),
    "津波警報・注意報・予報": (TSUNAMI, True),
    "津波情報": (TSUNAMI, True),
    "緊急地震速報": (EEW, True),
    "噴火警報・予報": (VOLCANO, True),
    "噴火速報": (VOLCANO, True),
}

_R06_WARNING_PREFIX = "気象警報・注意報(R06)"
_CODE_IN_NAME = re.compile(r"(?<![A-Z])(V[A-Z]{3}(?:\d\d|ii))(?![A-Za-z0-9])")


def _normalise(title: str) -> str:
    # NFKC folds full-width letters, digits and brackets, so "（Ｒ０６）" and "(R06)" are the same title.
    return unicodedata.normalize("NFKC", title).strip()


def _index_by_title() -> dict[str, tuple[_Entry, ...]]:
    index: dict[str, list[_Entry]] = {}
    for entry in _ENTRIES:
        for title in entry.titles:
            index.setdefault(_normalise(title), []).append(entry)
    return {title: tuple(entries) for title, entries in index.items()}


_BY_TITLE = _index_by_title()
_BY_CODE = {entry.code: entry for entry in _ENTRIES}


def code_hint_from_name(source_name: str) -> str:
    """The type code in a feed URL or file name (…_VXSE53_….xml, 32-35_06_03_240613_VXSE53.xml), or ""."""
    found = _CODE_IN_NAME.findall(source_name or "")
    return found[-1] if found else ""


def _code_matches(candidate: str, hint: str) -> bool:
    # "VXKOii" stands for every river office's code (VXKO50, VXKO51 …).
    if candidate.endswith("ii"):
        return hint[:4] == candidate[:4]
    return candidate == hint


def classify(control_title: str, info_kind: str, code_hint: str = "") -> MessageType:
    """The message type of a telegram from its Control/Title, Head/InfoKind and an optional file-name code."""
    entries = _BY_TITLE.get(_normalise(control_title), ())
    if entries:
        chosen = [entry for entry in entries if code_hint and _code_matches(entry.code, code_hint)]
        if chosen:
            entry = chosen[0]
            code = code_hint if entry.code.endswith("ii") else entry.code
            return MessageType(code, control_title, entry.family, entry.city_relevant)
        first = entries[0]
        code = "/".join(entry.code for entry in entries)
        return MessageType(code, control_title, first.family, first.city_relevant)
    if code_hint in _BY_CODE:
        entry = _BY_CODE[code_hint]
        return MessageType(code_hint, control_title, entry.family, entry.city_relevant)
    if _normalise(control_title).startswith(_R06_WARNING_PREFIX):
        return MessageType("", control_title, WARNING, True)
    family, relevant = _INFO_KIND_FALLBACK.get(info_kind.strip(), (UNKNOWN, False))
    return MessageType("", control_title, family, relevant)


def known_codes() -> tuple[str, ...]:
    """Every type code the catalogue knows, in table order (for documentation and tests)."""
    return tuple(entry.code for entry in _ENTRIES)
