"""Earthquake and tsunami terms by code: 震度, 津波予報 categories, arrivals, heights, JMA's fixed comments.

English follows JMA's usage (seismic intensity 5 Lower / 5 Upper, Major Tsunami Warning, Tsunami Warning,
Tsunami Advisory, hypocenter). Each entry: ja, ja-easy, en, zh-hans, ko.
"""

from toki.alerts.rendering.terms_base import t

# 震度 in JMA's notation (Intensity/Observation/MaxInt).
NOT_YET_RECEIVED_5_LOWER = "震度５弱以上未入電"
INTENSITY = {
    "1": t("震度１", "震度（しんど）１", "seismic intensity 1", "震度1", "진도 1"),
    "2": t("震度２", "震度（しんど）２", "seismic intensity 2", "震度2", "진도 2"),
    "3": t("震度３", "震度（しんど）３", "seismic intensity 3", "震度3", "진도 3"),
    "4": t("震度４", "震度（しんど）４", "seismic intensity 4", "震度4", "진도 4"),
    "5-": t("震度５弱", "震度（しんど）５弱（じゃく）", "seismic intensity 5 Lower", "震度5弱", "진도 5약"),
    "5+": t("震度５強", "震度（しんど）５強（きょう）", "seismic intensity 5 Upper", "震度5强", "진도 5강"),
    "6-": t("震度６弱", "震度（しんど）６弱（じゃく）", "seismic intensity 6 Lower", "震度6弱", "진도 6약"),
    "6+": t("震度６強", "震度（しんど）６強（きょう）", "seismic intensity 6 Upper", "震度6强", "진도 6강"),
    "7": t("震度７", "震度（しんど）７", "seismic intensity 7", "震度7", "진도 7"),
    # A station whose reading has not arrived while nearby ones show 5弱 or more (JMA writes it in <Int>).
    NOT_YET_RECEIVED_5_LOWER: t(
        "震度５弱以上未入電",
        "震度（しんど）５弱（じゃく）以上（いじょう）かも しれません（まだ 届（とど）いて いません）",
        "not yet received (possibly seismic intensity 5 Lower or stronger)",
        "尚未收到（可能为震度5弱以上）",
        "미수신(진도 5약 이상일 가능성)",
    ),
}

# 津波予報 categories (Tsunami/Forecast/Item/Category/Kind/Code).
_FORECAST = t(
    "津波予報（若干の海面変動）",
    "津波予報（つなみ よほう）（海（うみ）の 高（たか）さが 少（すこ）し 変（か）わります）",
    "Tsunami Forecast (slight sea level change)",
    "海啸预报（海面轻微变化）",
    "쓰나미 예보(약간의 해수면 변동)",
)
_MAJOR = t("大津波警報", "大津波警報（おおつなみ けいほう）", "Major Tsunami Warning", "大海啸警报", "대형 쓰나미 경보")
TSUNAMI = {
    "00": t("津波なし", "津波（つなみ）は ありません", "No tsunami", "无海啸", "쓰나미 없음"),
    "50": t(
        "津波警報解除",
        "津波警報（つなみ けいほう）は 終（お）わりました",
        "Tsunami Warning lifted",
        "海啸警报解除",
        "쓰나미 경보 해제",
    ),
    "51": t("津波警報", "津波警報（つなみ けいほう）", "Tsunami Warning", "海啸警报", "쓰나미 경보"),
    "52": _MAJOR,
    "53": _MAJOR,
    "60": t(
        "津波注意報解除",
        "津波注意報（つなみ ちゅういほう）は 終（お）わりました",
        "Tsunami Advisory lifted",
        "海啸注意报解除",
        "쓰나미 주의보 해제",
    ),
    "62": t("津波注意報", "津波注意報（つなみ ちゅういほう）", "Tsunami Advisory", "海啸注意报", "쓰나미 주의보"),
    "71": _FORECAST,
    "72": _FORECAST,
    "73": _FORECAST,
}

ARRIVALS = {
    "arrived": t(
        "第１波の到達を確認",
        "最初（さいしょ）の 津波（つなみ）が 来（き）ました",
        "the first wave has arrived",
        "已确认第一波到达",
        "제1파 도달 확인",
    ),
    "arriving": t(
        "津波到達中と推測",
        "いま 津波（つなみ）が 来（き）て いると 思（おも）われます",
        "the tsunami is probably arriving now",
        "推测海啸正在到达",
        "쓰나미 도달 중으로 추정",
    ),
    "already_arrived": t(
        "既に津波到達と推測",
        "もう 津波（つなみ）が 来（き）て いると 思（おも）われます",
        "the tsunami has probably already arrived",
        "推测海啸已经到达",
        "이미 쓰나미 도달로 추정",
    ),
    "immediately": t(
        "ただちに津波来襲と予測",
        "すぐに 津波（つなみ）が 来（き）ます",
        "the tsunami is expected immediately",
        "预计海啸即将来袭",
        "즉시 쓰나미 내습 예상",
    ),
    "unidentifiable": t(
        "第１波識別不能",
        "最初（さいしょ）の 津波（つなみ）は わかりません",
        "first wave not identifiable",
        "无法识别第一波",
        "제1파 식별 불능",
    ),
    "missing": t("欠測", "はかれませんでした", "no data", "缺测", "결측"),
}

HEIGHT_CONDITIONS = {
    "observing": t("観測中", "はかって います", "still being observed", "观测中", "관측 중"),
    "rising": t("上昇中", "高（たか）く なって います", "rising", "上升中", "상승 중"),
    "slight": t("微弱", "とても 小（ちい）さい", "very small", "微弱", "미약"),
    "missing": t("欠測", "はかれませんでした", "no data", "缺测", "결측"),
    "important": t("重要", "大事（だいじ）", "important", "重要", "중요"),
}

INITIAL_MOTIONS = {
    "push": t("押し", "押（お）し", "initial rise", "初动上升", "초동 상승"),
    "pull": t("引き", "引（ひ）き", "initial fall", "初动下降", "초동 하강"),
}

# JMA's fixed comments (固定付加文), by code; the facts recover the codes (jma_fixed_texts.py). Codes 0121–0124
# and 0131 (the instructions of each tsunami category) are said by the tsunami templates instead.
FIXED_COMMENTS = {
    "0104": t(
        "今後もしばらく海面変動が続くと思われますので、海水浴や磯釣り等を行う際は注意してください。",
        "しばらく 海（うみ）の 高（たか）さが 変（か）わります。"
        "海（うみ）で 泳（およ）ぐ ときや 釣（つ）りの ときは 気（き）を つけて ください。",
        "Sea level changes are likely to continue for some time; take care when swimming or fishing from the shore.",
        "海面变化可能还会持续一段时间，游泳或在礁石钓鱼时请注意。",
        "당분간 해수면 변동이 계속될 것으로 보이므로 해수욕이나 갯바위 낚시 등을 할 때는 주의하십시오.",
    ),
    "0107": t(
        "現在、大津波警報・津波警報・津波注意報を発表している沿岸はありません。",
        "いま、津波（つなみ）の 警報（けいほう）や 注意報（ちゅういほう）が 出（で）て いる ところは ありません。",
        "No Major Tsunami Warning, Tsunami Warning or Tsunami Advisory is now in effect on any coast.",
        "目前没有任何沿岸发布大海啸警报、海啸警报或海啸注意报。",
        "현재 대형 쓰나미 경보・쓰나미 경보・쓰나미 주의보가 발표된 연안은 없습니다.",
    ),
    "0109": t(
        "津波と満潮が重なると、津波はより高くなりますので一層厳重な警戒が必要です。",
        "津波（つなみ）と 満潮（まんちょう）が 重（かさ）なると、津波（つなみ）は もっと 高（たか）く なります。"
        "とても 気（き）を つけて ください。",
        "A tsunami coinciding with high tide becomes higher; be on the strictest alert.",
        "海啸与满潮叠加时会更高，需要更加严加警戒。",
        "쓰나미와 만조가 겹치면 쓰나미는 더 높아지므로 한층 엄중한 경계가 필요합니다.",
    ),
    "0110": t(
        "津波と満潮が重なると、津波はより高くなりますので十分な注意が必要です。",
        "津波（つなみ）と 満潮（まんちょう）が 重（かさ）なると、津波（つなみ）は もっと 高（たか）く なります。"
        "気（き）を つけて ください。",
        "A tsunami coinciding with high tide becomes higher; take full care.",
        "海啸与满潮叠加时会更高，需要充分注意。",
        "쓰나미와 만조가 겹치면 쓰나미는 더 높아지므로 충분한 주의가 필요합니다.",
    ),
    "0111": t(
        "場所によっては、観測した津波の高さよりさらに大きな津波が到達しているおそれがあります。",
        "はかった 高（たか）さより 大（おお）きい 津波（つなみ）が 来（き）て いる "
        "場所（ばしょ）が あるかも しれません。",
        "In some places a tsunami higher than the observed heights may already be arriving.",
        "有些地方可能已有比观测到的高度更大的海啸到达。",
        "장소에 따라서는 관측된 높이보다 더 큰 쓰나미가 도달했을 우려가 있습니다.",
    ),
    "0112": t(
        "今後、津波の高さは更に高くなることも考えられます。",
        "津波（つなみ）は これから もっと 高（たか）く なるかも しれません。",
        "The tsunami may become even higher.",
        "今后海啸可能会进一步升高。",
        "앞으로 쓰나미가 더 높아질 수도 있습니다.",
    ),
    "0114": t(
        "津波による潮位変化が観測されてから最大波が観測されるまでに数時間以上かかることがあります。",
        "いちばん 高（たか）い 津波（つなみ）が 来（く）るまで、何時間（なんじかん）も かかる ことが あります。",
        "It can take several hours or more after the first change in sea level until the highest wave arrives.",
        "从观测到海啸引起的潮位变化到观测到最大波，可能需要数小时以上。",
        "쓰나미에 의한 조위 변화가 관측된 후 최대파가 관측될 때까지 수 시간 이상 걸릴 수 있습니다.",
    ),
    "0115": t(
        "沖合での観測値であり、沿岸では津波はさらに高くなります。",
        "これは 沖（おき）で はかった 高（たか）さです。海岸（かいがん）では もっと 高（たか）く なります。",
        "These are offshore observations; on the coast the tsunami will be higher.",
        "这是海上的观测值，海啸在沿岸会更高。",
        "먼바다에서의 관측값이며, 연안에서는 쓰나미가 더 높아집니다.",
    ),
    "0132": t(
        "場所によっては津波の高さが「予想される津波の高さ」より高くなる可能性があります。",
        "場所（ばしょ）に よっては、津波（つなみ）が 予想（よそう）より 高（たか）く なるかも しれません。",
        "In some places the tsunami may be higher than the expected height.",
        "有些地方的海啸高度可能超过“预计海啸高度”。",
        "장소에 따라서는 쓰나미 높이가 '예상 쓰나미 높이'보다 높아질 가능성이 있습니다.",
    ),
    "0141": t(
        "東日本大震災クラスの津波が来襲します。",
        "東日本大震災（ひがしにほん だいしんさい）と 同（おな）じくらい 大（おお）きい 津波（つなみ）が 来（き）ます。",
        "A tsunami on the scale of the Great East Japan Earthquake is coming.",
        "东日本大地震级别的海啸即将来袭。",
        "동일본 대지진급 쓰나미가 내습합니다.",
    ),
    "0143": t(
        "沖合で高い津波を観測したため大津波警報・津波警報を切り替えました。",
        "沖（おき）で 高（たか）い 津波（つなみ）を はかったので、警報（けいほう）を 変（か）えました。",
        "Major Tsunami Warnings and Tsunami Warnings were changed because high waves were observed offshore.",
        "由于在海上观测到高海啸，已切换大海啸警报和海啸警报。",
        "먼바다에서 높은 쓰나미가 관측되어 대형 쓰나미 경보・쓰나미 경보를 전환했습니다.",
    ),
    "0149": t(
        "ただちに避難してください。",
        "すぐに にげて ください。",
        "Evacuate immediately.",
        "请立即避难。",
        "즉시 대피하십시오.",
    ),
    "0201": t(
        "強い揺れに警戒してください。",
        "強（つよ）い ゆれに 気（き）を つけて ください。",
        "Be on alert for strong shaking.",
        "请警惕强烈摇晃。",
        "강한 흔들림에 경계하십시오.",
    ),
    "0203": t(
        "この地震による津波の心配はありません。",
        "この 地震（じしん）で 津波（つなみ）の 心配（しんぱい）は ありません。",
        "There is no tsunami threat from this earthquake.",
        "此次地震不会引发海啸。",
        "이 지진으로 인한 쓰나미 걱정은 없습니다.",
    ),
    "0210": t(
        "＊印は気象庁以外の震度観測点についての情報です。",
        "＊の ついた 場所（ばしょ）は 気象庁（きしょうちょう）では ない ところが はかって います。",
        "* marks seismic intensity stations not operated by JMA.",
        "带＊的是气象厅以外的震度观测点的信息。",
        "＊ 표시는 기상청 이외의 진도 관측점 정보입니다.",
    ),
    "0211": t(
        "津波警報等（大津波警報・津波警報あるいは津波注意報）を発表中です。",
        "いま 津波（つなみ）の 警報（けいほう）か 注意報（ちゅういほう）が 出（で）て います。",
        "Tsunami warnings or advisories are in effect.",
        "海啸警报等（大海啸警报、海啸警报或海啸注意报）正在发布中。",
        "쓰나미 경보 등(대형 쓰나미 경보・쓰나미 경보 또는 쓰나미 주의보)이 발표 중입니다.",
    ),
    "0217": t(
        "今後の情報に注意してください。",
        "これからの 情報（じょうほう）に 気（き）を つけて ください。",
        "Pay attention to further information.",
        "请注意今后发布的信息。",
        "앞으로의 정보에 주의하십시오.",
    ),
    "0221": t(
        "太平洋の広域に津波発生の可能性があります。",
        "太平洋（たいへいよう）の 広（ひろ）い ところで 津波（つなみ）が 起（お）きて いるかも しれません。",
        "A tsunami may have been generated over a wide area of the Pacific Ocean.",
        "太平洋大范围内可能发生海啸。",
        "태평양의 넓은 범위에 쓰나미가 발생했을 가능성이 있습니다.",
    ),
    "0228": t(
        "一般的に、この規模の地震が海域の浅い領域で発生すると津波が発生することがあります。",
        "この 大（おお）きさの 地震（じしん）が 海（うみ）の 浅（あさ）い ところで 起（お）きると、"
        "津波（つなみ）が 来（く）る ことが あります。",
        "Generally, an earthquake of this size in a shallow part of the sea can generate a tsunami.",
        "一般来说，这种规模的地震发生在海域浅层时可能引发海啸。",
        "일반적으로 이 규모의 지진이 해역의 얕은 곳에서 발생하면 쓰나미가 발생할 수 있습니다.",
    ),
    "0229": t(
        "日本への津波の有無については現在調査中です。",
        "日本（にほん）に 津波（つなみ）が 来（く）るか、いま 調（しら）べて います。",
        "Whether a tsunami will reach Japan is being investigated.",
        "目前正在调查海啸是否会到达日本。",
        "일본에 대한 쓰나미 유무는 현재 조사 중입니다.",
    ),
    "0241": t(
        "この地震について、緊急地震速報を発表しています。",
        "この 地震（じしん）で 緊急地震速報（きんきゅう じしん そくほう）を 出（だ）しました。",
        "An Earthquake Early Warning was issued for this earthquake.",
        "针对此次地震已发布紧急地震速报。",
        "이 지진에 대해 긴급지진속보를 발표했습니다.",
    ),
    "0256": t(
        "震源要素を訂正します。",
        "地震（じしん）が 起（お）きた 場所（ばしょ）などを 直（なお）します。",
        "The hypocenter parameters are corrected.",
        "更正震源要素。",
        "진원 요소를 정정합니다.",
    ),
}
