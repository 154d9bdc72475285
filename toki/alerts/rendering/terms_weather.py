"""Weather warning terms by JMA code, in 日本語, やさしい日本語, English, 简体中文, 한국어.

Codes: JMA's 気象警報・注意報 kind codes (shared by the older, H27 and R06 telegrams: the R06 names add the
警戒レベル, which the renderer prefixes from the facts, e.g. 03 + level 3 = 「レベル３大雨警報」). English, Chinese
and Korean follow the terms of JMA's multilingual dictionary where known (大雨警報 = Heavy Rain Warning / 大雨警报
/ 호우 경보, 特別警報 = Emergency Warning, 注意報 = Advisory); the terms marked [unsure] in
docs/alert-rendering.md need a check against the dictionary's current edition. Each line: ja, ja-easy, en,
zh-hans, ko.
"""

from toki.alerts.rendering.terms_base import t

WEATHER = {
    "00": t(
        "警報・注意報",
        "警報（けいほう）・注意報（ちゅういほう）",
        "Warnings and advisories",
        "警报・注意报",
        "경보・주의보",
    ),
    "02": t("暴風雪警報", "暴風雪警報（ぼうふうせつ けいほう）", "Snowstorm Warning", "暴风雪警报", "폭풍설 경보"),
    "03": t("大雨警報", "大雨警報（おおあめ けいほう）", "Heavy Rain Warning", "大雨警报", "호우 경보"),
    "04": t("洪水警報", "洪水警報（こうずい けいほう）", "Flood Warning", "洪水警报", "홍수 경보"),
    "05": t("暴風警報", "暴風警報（ぼうふう けいほう）", "Storm Warning", "暴风警报", "폭풍 경보"),
    "06": t("大雪警報", "大雪警報（おおゆき けいほう）", "Heavy Snow Warning", "大雪警报", "대설 경보"),
    "07": t("波浪警報", "波浪警報（はろう けいほう）", "High Wave Warning", "波浪警报", "파랑 경보"),
    "08": t("高潮警報", "高潮警報（たかしお けいほう）", "Storm Surge Warning", "风暴潮警报", "폭풍해일 경보"),
    "09": t(
        "土砂災害警報", "土砂災害警報（どしゃさいがい けいほう）", "Landslide Warning", "土砂灾害警报", "토사재해 경보"
    ),
    "10": t("大雨注意報", "大雨注意報（おおあめ ちゅういほう）", "Heavy Rain Advisory", "大雨注意报", "호우 주의보"),
    "12": t("大雪注意報", "大雪注意報（おおゆき ちゅういほう）", "Heavy Snow Advisory", "大雪注意报", "대설 주의보"),
    "13": t("風雪注意報", "風雪注意報（ふうせつ ちゅういほう）", "Gale and Snow Advisory", "风雪注意报", "풍설 주의보"),
    "14": t("雷注意報", "雷注意報（かみなり ちゅういほう）", "Thunderstorm Advisory", "雷电注意报", "뇌우 주의보"),
    "15": t("強風注意報", "強風注意報（きょうふう ちゅういほう）", "Gale Advisory", "强风注意报", "강풍 주의보"),
    "16": t("波浪注意報", "波浪注意報（はろう ちゅういほう）", "High Wave Advisory", "波浪注意报", "파랑 주의보"),
    "17": t("融雪注意報", "融雪注意報（ゆうせつ ちゅういほう）", "Snowmelt Advisory", "融雪注意报", "융설 주의보"),
    "18": t("洪水注意報", "洪水注意報（こうずい ちゅういほう）", "Flood Advisory", "洪水注意报", "홍수 주의보"),
    "19": t(
        "高潮注意報", "高潮注意報（たかしお ちゅういほう）", "Storm Surge Advisory", "风暴潮注意报", "폭풍해일 주의보"
    ),
    "20": t("濃霧注意報", "濃霧注意報（のうむ ちゅういほう）", "Dense Fog Advisory", "浓雾注意报", "짙은 안개 주의보"),
    "21": t("乾燥注意報", "乾燥注意報（かんそう ちゅういほう）", "Dry Air Advisory", "干燥注意报", "건조 주의보"),
    "22": t("なだれ注意報", "なだれ注意報（ちゅういほう）", "Avalanche Advisory", "雪崩注意报", "눈사태 주의보"),
    "23": t(
        "低温注意報", "低温注意報（ていおん ちゅういほう）", "Low Temperature Advisory", "低温注意报", "저온 주의보"
    ),
    "24": t("霜注意報", "霜注意報（しも ちゅういほう）", "Frost Advisory", "霜冻注意报", "서리 주의보"),
    "25": t(
        "着氷注意報", "着氷注意報（ちゃくひょう ちゅういほう）", "Ice Accretion Advisory", "积冰注意报", "착빙 주의보"
    ),
    "26": t(
        "着雪注意報",
        "着雪注意報（ちゃくせつ ちゅういほう）",
        "Snow Accretion Advisory",
        "积雪附着注意报",
        "착설 주의보",
    ),
    "27": t("その他の注意報", "その他（た）の 注意報（ちゅういほう）", "Other Advisory", "其他注意报", "기타 주의보"),
    "29": t(
        "土砂災害注意報",
        "土砂災害注意報（どしゃさいがい ちゅういほう）",
        "Landslide Advisory",
        "土砂灾害注意报",
        "토사재해 주의보",
    ),
    "32": t(
        "暴風雪特別警報",
        "暴風雪特別警報（ぼうふうせつ とくべつけいほう）",
        "Snowstorm Emergency Warning",
        "暴风雪特别警报",
        "폭풍설 특별경보",
    ),
    "33": t(
        "大雨特別警報",
        "大雨特別警報（おおあめ とくべつけいほう）",
        "Heavy Rain Emergency Warning",
        "大雨特别警报",
        "호우 특별경보",
    ),
    "35": t(
        "暴風特別警報",
        "暴風特別警報（ぼうふう とくべつけいほう）",
        "Storm Emergency Warning",
        "暴风特别警报",
        "폭풍 특별경보",
    ),
    "36": t(
        "大雪特別警報",
        "大雪特別警報（おおゆき とくべつけいほう）",
        "Heavy Snow Emergency Warning",
        "大雪特别警报",
        "대설 특별경보",
    ),
    "37": t(
        "波浪特別警報",
        "波浪特別警報（はろう とくべつけいほう）",
        "High Wave Emergency Warning",
        "波浪特别警报",
        "파랑 특별경보",
    ),
    "38": t(
        "高潮特別警報",
        "高潮特別警報（たかしお とくべつけいほう）",
        "Storm Surge Emergency Warning",
        "风暴潮特别警报",
        "폭풍해일 특별경보",
    ),
    "39": t(
        "土砂災害特別警報",
        "土砂災害特別警報（どしゃさいがい とくべつけいほう）",
        "Landslide Emergency Warning",
        "土砂灾害特别警报",
        "토사재해 특별경보",
    ),
    "43": t(
        "大雨危険警報",
        "大雨危険警報（おおあめ きけんけいほう）",
        "Heavy Rain Danger Warning",
        "大雨危险警报",
        "호우 위험경보",
    ),
    "48": t(
        "高潮危険警報",
        "高潮危険警報（たかしお きけんけいほう）",
        "Storm Surge Danger Warning",
        "风暴潮危险警报",
        "폭풍해일 위험경보",
    ),
    "49": t(
        "土砂災害危険警報",
        "土砂災害危険警報（どしゃさいがい きけんけいほう）",
        "Landslide Danger Warning",
        "土砂灾害危险警报",
        "토사재해 위험경보",
    ),
}

# 土砂災害警戒情報 (VXWW50), kind code 3 (警戒). In the R06 system the same telegram is titled
# 「レベル４土砂災害危険警報」 (warning code 49's name); the level comes from the facts.
LANDSLIDE = {
    "3": t(
        "土砂災害警戒情報",
        "土砂災害警戒情報（どしゃさいがい けいかい じょうほう）",
        "Landslide Alert",
        "土砂灾害警戒信息",
        "토사재해 경계 정보",
    ),
}
LANDSLIDE_R06 = {"3": WEATHER["49"]}

TORNADO = {
    "1": t(
        "竜巻注意情報",
        "竜巻注意情報（たつまき ちゅうい じょうほう）",
        "Tornado Alert",
        "龙卷风注意信息",
        "토네이도 주의 정보",
    ),
}

RECORD_RAIN = {
    "1": t(
        "記録的短時間大雨情報",
        "記録的短時間大雨情報（きろくてき たんじかん おおあめ じょうほう）",
        "Record Short-Time Heavy Rain Information",
        "记录性短时强降雨信息",
        "기록적 단시간 호우 정보",
    ),
}

# Rapid reports (府県気象防災速報 tags; the old 記録的短時間大雨情報), keyed as in facts.RAIN_REPORTS.
RAIN_REPORTS = {
    "record_rain": t(
        "記録的短時間大雨",
        "とても 強（つよ）い 雨（あめ）（記録的短時間大雨（きろくてき たんじかん おおあめ））",
        "Record short-time heavy rain",
        "记录性短时强降雨",
        "기록적 단시간 호우",
    ),
    "linear_rainband": t(
        "線状降水帯", "線状降水帯（せんじょう こうすいたい）", "Linear rainband", "线状降水带", "선상강수대"
    ),
    "heavy_snow": t(
        "短時間の大雪",
        "短（みじか）い 時間（じかん）に たくさんの 雪（ゆき）",
        "Heavy snowfall in a short time",
        "短时强降雪",
        "단시간 폭설",
    ),
}

RAIN_ELEMENTS = {
    "record_rain_1h": t(
        "1時間雨量", "1時間（じかん）の 雨（あめ）", "Rainfall in 1 hour", "1小时降雨量", "1시간 강우량"
    ),
    "analysed_rain_1h": t(
        "1時間解析雨量",
        "1時間（じかん）の 雨（あめ）（レーダーで 計算（けいさん））",
        "Rainfall in 1 hour (radar analysis)",
        "1小时解析雨量",
        "1시간 해석 우량",
    ),
    "rain_1h": t(
        "1時間降水量",
        "1時間（じかん）の 雨（あめ）（はかった 量（りょう））",
        "Rainfall in 1 hour (measured)",
        "1小时降水量",
        "1시간 강수량",
    ),
    "linear_rainband": t(
        "線状降水帯の発生",
        "線状降水帯（せんじょう こうすいたい）が できました",
        "Linear rainband formed",
        "线状降水带形成",
        "선상강수대 발생",
    ),
    "snowfall_6h": t(
        "6時間降雪量", "6時間（じかん）に ふった 雪（ゆき）", "Snowfall in 6 hours", "6小时降雪量", "6시간 강설량"
    ),
    "snowfall_12h": t(
        "12時間降雪量", "12時間（じかん）に ふった 雪（ゆき）", "Snowfall in 12 hours", "12小时降雪量", "12시간 강설량"
    ),
    "snow_depth": t("積雪の深さ", "つもった 雪（ゆき）の 深（ふか）さ", "Snow depth", "积雪深度", "적설 깊이"),
}

# River flood forecasts, keyed by 警戒レベル (JMA's river codes differ between the old and the R06 telegrams, the
# level is what they mean) and "lifted". Old system: 氾濫注意情報 … 氾濫発生情報; R06: 氾濫注意報 … 氾濫特別警報.
RIVER = {
    "2": t(
        "氾濫注意情報",
        "氾濫注意情報（はんらん ちゅうい じょうほう）",
        "River Flood Caution Information",
        "泛滥注意信息",
        "범람 주의 정보",
    ),
    "3": t(
        "氾濫警戒情報",
        "氾濫警戒情報（はんらん けいかい じょうほう）",
        "River Flood Alert Information",
        "泛滥警戒信息",
        "범람 경계 정보",
    ),
    "4": t(
        "氾濫危険情報",
        "氾濫危険情報（はんらん きけん じょうほう）",
        "River Flood Danger Information",
        "泛滥危险信息",
        "범람 위험 정보",
    ),
    "5": t(
        "氾濫発生情報",
        "氾濫発生情報（はんらん はっせい じょうほう）",
        "River Flooding Information",
        "泛滥发生信息",
        "범람 발생 정보",
    ),
    "lifted": t("洪水予報", "洪水予報（こうずい よほう）", "River Flood Forecast", "洪水预报", "홍수 예보"),
}
RIVER_R06 = {
    "2": t("氾濫注意報", "氾濫注意報（はんらん ちゅういほう）", "River Flood Advisory", "泛滥注意报", "범람 주의보"),
    "3": t("氾濫警報", "氾濫警報（はんらん けいほう）", "River Flood Warning", "泛滥警报", "범람 경보"),
    "4": t(
        "氾濫危険警報",
        "氾濫危険警報（はんらん きけんけいほう）",
        "River Flood Danger Warning",
        "泛滥危险警报",
        "범람 위험경보",
    ),
    "5": t(
        "氾濫特別警報",
        "氾濫特別警報（はんらん とくべつけいほう）",
        "River Flood Emergency Warning",
        "泛滥特别警报",
        "범람 특별경보",
    ),
    "lifted": RIVER["lifted"],
}

# 大雨警報 conditions (Kind/Condition).
CONDITIONS = {
    "landslide": t("土砂災害", "土砂災害（どしゃさいがい）", "landslides", "土砂灾害", "토사재해"),
    "inundation": t("浸水害", "浸水害（しんすいがい）", "inundation", "浸水灾害", "침수 피해"),
}

# Kind statuses (Kind/Status), normalised in facts.STATUSES.
STATUSES = {
    "issued": t("発表", "出（で）ました", "issued", "发布", "발표"),
    "continued": t("継続", "つづいて います", "continues", "持续", "계속"),
    "lifted": t("解除", "終（お）わりました", "lifted", "解除", "해제"),
    "downgraded": t("切り替え", "弱（よわ）く なりました", "downgraded", "降级", "격하"),
    "raised": t("引き上げ", "上（あ）がりました", "raised", "上调", "상향"),
    "lowered": t("引き下げ", "下（さ）がりました", "lowered", "下调", "하향"),
}
