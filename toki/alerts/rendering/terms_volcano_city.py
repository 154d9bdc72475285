"""Volcano terms by JMA code, and the city's evacuation information (避難情報) by level and hazard.

Volcano: JMA's kind codes of 噴火警報・予報, 噴火速報, 降灰予報 and 噴火に関する火山観測報 (one code list; the codes
do not collide). For 噴火警戒レベル kinds (11–15) the text is the level's keyword; the renderer adds the level.
English keywords follow JMA's Volcanic Alert Level leaflet. Evacuation: the Cabinet Office's 避難情報に関する
ガイドライン (2021): 警戒レベル３ 高齢者等避難, ４ 避難指示, ５ 緊急安全確保. Each entry: ja, ja-easy, en, zh-hans, ko.
"""

from toki.alerts.rendering.terms_base import t

_ALERT = t(
    "活火山であることに留意",
    "活火山（かっかざん）です。気（き）を つけて ください",
    "Potential for increased activity",
    "注意是活火山",
    "활화산임에 유의",
)

VOLCANO = {
    "01": t("噴火警報", "噴火警報（ふんか けいほう）", "Eruption Warning", "喷发警报", "분화 경보"),
    "02": t(
        "火口周辺警報",
        "火口周辺警報（かこう しゅうへん けいほう）",
        "Near-crater Warning",
        "火山口周边警报",
        "화구 주변 경보",
    ),
    "03": t(
        "噴火警報（周辺海域）",
        "噴火警報（ふんか けいほう）（まわりの 海（うみ））",
        "Eruption Warning (surrounding sea)",
        "喷发警报（周边海域）",
        "분화 경보(주변 해역)",
    ),
    "04": t(
        "噴火予報：警報解除",
        "噴火予報（ふんか よほう）：警報（けいほう）は 終（お）わりました",
        "Eruption Forecast (warning lifted)",
        "喷发预报：警报解除",
        "분화 예보: 경보 해제",
    ),
    "05": t("噴火予報", "噴火予報（ふんか よほう）", "Eruption Forecast", "喷发预报", "분화 예보"),
    "06": t(
        "降灰予報（定時）",
        "降灰予報（こうはい よほう）",
        "Ashfall Forecast (scheduled)",
        "降灰预报（定时）",
        "화산재 낙하 예보(정시)",
    ),
    "07": t(
        "降灰予報（速報）",
        "降灰予報（こうはい よほう）（すぐに 出（だ）す もの）",
        "Ashfall Forecast (preliminary)",
        "降灰预报（速报）",
        "화산재 낙하 예보(속보)",
    ),
    "08": t(
        "降灰予報（詳細）",
        "降灰予報（こうはい よほう）（くわしい もの）",
        "Ashfall Forecast (detailed)",
        "降灰预报（详细）",
        "화산재 낙하 예보(상세)",
    ),
    "11": _ALERT,
    "12": t(
        "火口周辺規制",
        "火口（かこう）の 近（ちか）くに 行（い）かないで ください",
        "Do not approach the crater",
        "火山口周边限制",
        "화구 주변 규제",
    ),
    "13": t(
        "入山規制", "山（やま）に 入（はい）らないで ください", "Do not approach the volcano", "禁止入山", "입산 규제"
    ),
    "14": t(
        "高齢者等避難",
        "お年寄（としよ）りなどは にげて ください",
        "Elderly people, etc. evacuate",
        "老年人等避难",
        "고령자 등 대피",
    ),
    "15": t("避難", "にげて ください", "Evacuate", "避难", "대피"),
    "21": _ALERT,
    "22": t(
        "火口周辺危険",
        "火口（かこう）の 近（ちか）くは あぶないです",
        "Danger near the crater",
        "火山口周边危险",
        "화구 주변 위험",
    ),
    "23": t("入山危険", "山（やま）に 入（はい）ると あぶないです", "Danger on the volcano", "入山危险", "입산 위험"),
    "35": t(
        "活火山であることに留意（海底火山）",
        "海（うみ）の 底（そこ）の 活火山（かっかざん）です",
        "Potential for increased activity (submarine volcano)",
        "注意是活火山（海底火山）",
        "활화산임에 유의(해저 화산)",
    ),
    "36": t(
        "周辺海域警戒",
        "まわりの 海（うみ）に 気（き）を つけて ください",
        "Alert for the surrounding sea",
        "周边海域警戒",
        "주변 해역 경계",
    ),
    "41": t(
        "噴火警報：避難等",
        "噴火警報（ふんか けいほう）：にげて ください",
        "Eruption Warning: evacuation, etc.",
        "喷发警报：避难等",
        "분화 경보: 대피 등",
    ),
    "43": t(
        "火口周辺警報：入山規制等",
        "火口周辺警報（かこう しゅうへん けいほう）：山（やま）に 入（はい）らないで ください",
        "Near-crater Warning: do not approach the volcano",
        "火山口周边警报：禁止入山等",
        "화구 주변 경보: 입산 규제 등",
    ),
    "44": t(
        "火口周辺警報：火口周辺規制等",
        "火口周辺警報（かこう しゅうへん けいほう）：火口（かこう）の 近（ちか）くに 行（い）かないで ください",
        "Near-crater Warning: do not approach the crater",
        "火山口周边警报：火山口周边限制等",
        "화구 주변 경보: 화구 주변 규제 등",
    ),
    "45": _ALERT,
    "51": t("爆発", "爆発（ばくはつ）", "Explosion", "爆发", "폭발"),
    "52": t("噴火", "噴火（ふんか）", "Eruption", "喷发", "분화"),
    "53": t("噴火開始", "噴火（ふんか）が 始（はじ）まりました", "Eruption started", "喷发开始", "분화 개시"),
    "54": t(
        "連続噴火継続",
        "噴火（ふんか）が つづいて います",
        "Continuous eruption continues",
        "连续喷发持续",
        "연속 분화 계속",
    ),
    "55": t(
        "連続噴火停止",
        "噴火（ふんか）が 止（と）まりました",
        "Continuous eruption stopped",
        "连续喷发停止",
        "연속 분화 정지",
    ),
    "56": t("噴火多発", "噴火（ふんか）が 何回（なんかい）も あります", "Frequent eruptions", "频繁喷发", "분화 다발"),
    "62": t(
        "噴火したもよう",
        "噴火（ふんか）したと 思（おも）われます",
        "Eruption likely occurred",
        "可能已喷发",
        "분화한 것으로 보임",
    ),
    "70": t("降灰", "火山灰（かざんばい）が ふります", "Ashfall", "降灰", "화산재 낙하"),
    "71": t(
        "少量の降灰", "火山灰（かざんばい）が 少（すこ）し ふります", "Light ashfall", "少量降灰", "소량의 화산재 낙하"
    ),
    "72": t(
        "やや多量の降灰",
        "火山灰（かざんばい）が 多（おお）めに ふります",
        "Moderate ashfall",
        "较多降灰",
        "다소 많은 화산재 낙하",
    ),
    "73": t("多量の降灰", "火山灰（かざんばい）が たくさん ふります", "Heavy ashfall", "大量降灰", "많은 화산재 낙하"),
    "75": t(
        "小さな噴石の落下",
        "小（ちい）さな 石（いし）が 落（お）ちて きます",
        "Falling small volcanic rocks",
        "小火山石降落",
        "작은 분석 낙하",
    ),
}

EVACUATION_ORDERS = {
    "3": t(
        "高齢者等避難",
        "高齢者等避難（こうれいしゃとう ひなん）",
        "Evacuation of Elderly People, etc.",
        "老年人等避难",
        "고령자 등 대피",
    ),
    "4": t("避難指示", "避難指示（ひなん しじ）", "Evacuation Instruction", "避难指示", "대피 지시"),
    "5": t(
        "緊急安全確保",
        "緊急安全確保（きんきゅう あんぜん かくほ）",
        "Emergency Safety Measures",
        "紧急安全确保",
        "긴급 안전 확보",
    ),
}

# EvacuationOrder.Hazard values.
HAZARDS = {
    "flood": t("洪水", "洪水（こうずい）", "flood", "洪水", "홍수"),
    "landslide": t("土砂災害", "土砂災害（どしゃさいがい）（がけくずれ など）", "landslides", "土砂灾害", "토사재해"),
    "storm_surge": t("高潮", "高潮（たかしお）", "storm surge", "风暴潮", "폭풍해일"),
    "tsunami": t("津波", "津波（つなみ）", "tsunami", "海啸", "쓰나미"),
    "earthquake": t("地震", "地震（じしん）", "earthquake", "地震", "지진"),
    "large_fire": t("大規模な火事", "大（おお）きな 火事（かじ）", "large fire", "大规模火灾", "대규모 화재"),
    "inland_flood": t(
        "内水氾濫",
        "内水氾濫（ないすい はんらん）（町（まち）に 水（みず）が あふれる）",
        "inland flooding",
        "内涝",
        "내수 범람",
    ),
    "volcano": t("火山", "火山（かざん）", "volcanic eruption", "火山喷发", "화산 분화"),
    "other": t("その他", "そのほか", "other", "其他", "기타"),
}
