"""National JMA offices and message types in every language.

A municipality's place names are not here: they are data of its profile ("terms.places", keyed "<system>:<code>",
docs/areas.md), read through toki.areas.terms; so are the JMA offices that write its telegrams ("terms.offices",
e.g. 新潟地方気象台). OFFICES holds the national ones every municipality's telegrams carry: the agency itself
(気象庁 and the names of its headquarters departments). Offices are keyed by their Japanese name (telegrams carry no
office code). Each entry: ja, ja-easy, en, zh-hans, ko.
"""

from toki.alerts.rendering.terms_base import t

_JMA = t("気象庁", "気象庁（きしょうちょう）", "Japan Meteorological Agency", "日本气象厅", "일본 기상청")
OFFICES = {
    "気象庁": _JMA,
    "気象庁本庁": _JMA,
    "気象庁地震火山部": _JMA,
    "気象庁予報部": _JMA,
}

_WARNINGS = t(
    "気象警報・注意報",
    "気象警報（きしょう けいほう）・注意報（ちゅういほう）",
    "Weather Warnings and Advisories",
    "气象警报・注意报",
    "기상 경보・주의보",
)
_ASH = t("降灰予報", "降灰予報（こうはい よほう）", "Ashfall Forecast", "降灰预报", "화산재 낙하 예보")
_EEW = t(
    "緊急地震速報",
    "緊急地震速報（きんきゅう じしん そくほう）",
    "Earthquake Early Warning",
    "紧急地震速报",
    "긴급지진속보",
)
_TORNADO = t(
    "竜巻注意情報",
    "竜巻注意情報（たつまき ちゅうい じょうほう）",
    "Tornado Alert",
    "龙卷风注意信息",
    "토네이도 주의 정보",
)

# Message types by JMA type code (docs/jma-parser.md), and "evacuation" for the city's orders.
MESSAGE_TYPES = {
    "VPWW50": _WARNINGS,
    "VPWW53": t(
        "気象特別警報・警報・注意報",
        "特別警報（とくべつ けいほう）・警報（けいほう）・注意報（ちゅういほう）",
        "Emergency Warnings, Warnings and Advisories",
        "气象特别警报・警报・注意报",
        "기상 특별경보・경보・주의보",
    ),
    "VPWW54": _WARNINGS,
    "VPWW55": _WARNINGS,
    "VPWW56": _WARNINGS,
    "VPWW57": _WARNINGS,
    "VPWW58": _WARNINGS,
    "VPWW59": _WARNINGS,
    "VPWW60": _WARNINGS,
    "VPWW61": _WARNINGS,
    "VPWS50": _WARNINGS,
    "VXWW50": t(
        "土砂災害警戒情報",
        "土砂災害警戒情報（どしゃさいがい けいかい じょうほう）",
        "Landslide Alert",
        "土砂灾害警戒信息",
        "토사재해 경계 정보",
    ),
    "VPOA50": t(
        "記録的短時間大雨情報",
        "記録的短時間大雨情報（きろくてき たんじかん おおあめ じょうほう）",
        "Record Short-Time Heavy Rain Information",
        "记录性短时强降雨信息",
        "기록적 단시간 호우 정보",
    ),
    "VPBS50": t(
        "府県気象防災速報",
        "気象防災速報（きしょう ぼうさい そくほう）",
        "Prefectural Weather Disaster Bulletin",
        "府县气象防灾速报",
        "부현 기상 방재 속보",
    ),
    "VPHW50": _TORNADO,
    "VPHW51": _TORNADO,
    "VPNO50": t(
        "気象特別警報報知",
        "特別警報（とくべつ けいほう）の お知（し）らせ",
        "Emergency Warning Notice",
        "气象特别警报通知",
        "기상 특별경보 통지",
    ),
    "VPFT50": t(
        "熱中症警戒アラート",
        "熱中症（ねっちゅうしょう）に 気（き）を つけて ください",
        "Heatstroke Alert",
        "中暑警戒警报",
        "열사병 경계 경보",
    ),
    "VXKOii": t(
        "指定河川洪水予報",
        "川（かわ）の 洪水予報（こうずい よほう）",
        "Flood Forecast for Designated Rivers",
        "指定河流洪水预报",
        "지정 하천 홍수 예보",
    ),
    "VXSUii": t(
        "水位周知河川に関する情報",
        "川（かわ）の 水（みず）の 高（たか）さの 情報（じょうほう）",
        "River Water Level Information",
        "水位通报河流信息",
        "수위 주지 하천 정보",
    ),
    "VPFJ50": t(
        "府県気象情報",
        "天気（てんき）の 情報（じょうほう）",
        "Prefectural Weather Information",
        "府县气象信息",
        "부현 기상 정보",
    ),
    "VPFJ51": t(
        "府県気象解説情報",
        "天気（てんき）の 説明（せつめい）",
        "Prefectural Weather Commentary",
        "府县气象解说信息",
        "부현 기상 해설 정보",
    ),
    "VMCJ52": t(
        "府県潮位情報",
        "潮（しお）の 高（たか）さの 情報（じょうほう）",
        "Prefectural Tide Information",
        "府县潮位信息",
        "부현 조위 정보",
    ),
    "VMCJ55": t(
        "府県気象解説情報（潮位）",
        "潮（しお）の 高（たか）さの 説明（せつめい）",
        "Prefectural Weather Commentary (tide)",
        "府县气象解说信息（潮位）",
        "부현 기상 해설 정보(조위)",
    ),
    "VXSE51": t("震度速報", "震度速報（しんど そくほう）", "Seismic Intensity Information", "震度速报", "진도 속보"),
    "VXSE52": t(
        "震源に関する情報", "震源（しんげん）の 情報（じょうほう）", "Hypocenter Information", "震源信息", "진원 정보"
    ),
    "VXSE53": t(
        "震源・震度に関する情報",
        "震源（しんげん）と 震度（しんど）の 情報（じょうほう）",
        "Hypocenter and Seismic Intensity Information",
        "震源・震度信息",
        "진원・진도 정보",
    ),
    "VXSE61": t(
        "顕著な地震の震源要素更新のお知らせ",
        "大（おお）きな 地震（じしん）の 震源（しんげん）の お知（し）らせ",
        "Update of the Hypocenter of a Significant Earthquake",
        "显著地震震源要素更新通知",
        "현저한 지진의 진원 요소 갱신 알림",
    ),
    "VXSE62": t(
        "長周期地震動に関する観測情報",
        "ゆっくり 大（おお）きく ゆれる 地震（じしん）の 情報（じょうほう）",
        "Long-Period Ground Motion Observations",
        "长周期地震动观测信息",
        "장주기 지진동 관측 정보",
    ),
    "VXSE43": _EEW,
    "VXSE44": _EEW,
    "VXSE45": _EEW,
    "VTSE41": t(
        "津波警報・注意報・予報",
        "津波（つなみ）の 警報（けいほう）・注意報（ちゅういほう）・予報（よほう）",
        "Tsunami Warnings, Advisories and Forecasts",
        "海啸警报・注意报・预报",
        "쓰나미 경보・주의보・예보",
    ),
    "VTSE51": t("津波情報", "津波（つなみ）の 情報（じょうほう）", "Tsunami Information", "海啸信息", "쓰나미 정보"),
    "VTSE52": t(
        "沖合の津波観測に関する情報",
        "沖（おき）の 津波（つなみ）の 情報（じょうほう）",
        "Offshore Tsunami Observations",
        "海上海啸观测信息",
        "먼바다 쓰나미 관측 정보",
    ),
    "VYSE50": t(
        "南海トラフ地震臨時情報",
        "南海（なんかい）トラフ地震（じしん）臨時（りんじ）情報（じょうほう）",
        "Nankai Trough Earthquake Extra Information",
        "南海海槽地震临时信息",
        "난카이 해곡 지진 임시 정보",
    ),
    "VYSE60": t(
        "北海道・三陸沖後発地震注意情報",
        "北海道（ほっかいどう）・三陸沖（さんりくおき）の 地震（じしん）に 注意（ちゅうい）",
        "Subsequent Earthquake Advisory off Hokkaido and Sanriku",
        "北海道・三陆近海后续地震注意信息",
        "홋카이도・산리쿠 앞바다 후발 지진 주의 정보",
    ),
    "VFVO50": t(
        "噴火警報・予報",
        "噴火（ふんか）の 警報（けいほう）・予報（よほう）",
        "Eruption Warnings and Forecasts",
        "喷发警报・预报",
        "분화 경보・예보",
    ),
    "VFVO51": t(
        "火山の状況に関する解説情報",
        "火山（かざん）の ようすの 説明（せつめい）",
        "Volcanic Activity Commentary",
        "火山状况解说信息",
        "화산 상황 해설 정보",
    ),
    "VFVO52": t(
        "噴火に関する火山観測報",
        "噴火（ふんか）の 観測（かんそく）",
        "Eruption Observation Report",
        "喷发相关火山观测报告",
        "분화 관측 보고",
    ),
    "VFVO53": _ASH,
    "VFVO54": _ASH,
    "VFVO55": _ASH,
    "VFVO56": t("噴火速報", "噴火速報（ふんか そくほう）", "Eruption Notice", "喷发速报", "분화 속보"),
    "evacuation": t(
        "避難情報", "避難（ひなん）の 情報（じょうほう）", "Evacuation Information", "避难信息", "대피 정보"
    ),
}
