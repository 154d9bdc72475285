"""JMA's fixed comments (固定付加文) of earthquake and tsunami telegrams, recognised by their exact wording.

A telegram gives each fixed comment as text plus a code (`<Comments><ForecastComment codeType="固定付加文">`),
one code per line (earthquake) or per paragraph (tsunami). The parser keeps only the text, so the facts
builder recovers the codes here by exact comparison with JMA's wording (whitespace ignored), and renders the
codes from the phrase tables; anything it does not recognise stays free text. The texts are JMA's, taken from
the official samples (/work/shared/data/jma/samples/). When the parser keeps the codes, use them instead.
"""

import re
import unicodedata

# code → JMA's text. 0203 and 0215 (earthquake telegrams), 0210 and 0262 share their wording; 0211 has two.
FIXED_TEXTS: dict[str, tuple[str, ...]] = {
    "0104": ("今後もしばらく海面変動が続くと思われますので、海水浴や磯釣り等を行う際は注意してください。",),
    "0107": ("現在、大津波警報・津波警報・津波注意報を発表している沿岸はありません。",),
    "0109": ("津波と満潮が重なると、津波はより高くなりますので一層厳重な警戒が必要です。",),
    "0110": ("津波と満潮が重なると、津波はより高くなりますので十分な注意が必要です。",),
    "0111": ("場所によっては、観測した津波の高さよりさらに大きな津波が到達しているおそれがあります。",),
    "0112": ("今後、津波の高さは更に高くなることも考えられます。",),
    "0114": ("津波による潮位変化が観測されてから最大波が観測されるまでに数時間以上かかることがあります。",),
    "0115": ("沖合での観測値であり、沿岸では津波はさらに高くなります。",),
    "0121": (
        "＜大津波警報＞\n大きな津波が襲い甚大な被害が発生します。\n沿岸部や川沿いにいる人はただちに高台や避難ビルなど"
        "安全な場所へ避難してください。\n津波は繰り返し襲ってきます。警報が解除されるまで安全な場所から離れないでください。",
    ),
    "0122": (
        "＜津波警報＞\n津波による被害が発生します。\n沿岸部や川沿いにいる人はただちに高台や避難ビルなど安全な場所へ"
        "避難してください。\n津波は繰り返し襲ってきます。警報が解除されるまで安全な場所から離れないでください。",
    ),
    "0123": (
        "＜津波注意報＞\n海の中や海岸付近は危険です。\n海の中にいる人はただちに海から上がって、海岸から離れてください。\n"
        "潮の流れが速い状態が続きますので、注意報が解除されるまで海に入ったり海岸に近づいたりしないようにしてください。",
    ),
    "0124": ("＜津波予報（若干の海面変動）＞\n若干の海面変動が予想されますが、被害の心配はありません。",),
    "0131": (
        "警報が発表された沿岸部や川沿いにいる人はただちに高台や避難ビルなど安全な場所へ避難してください。\n"
        "到達予想時刻は、予報区のなかで最も早く津波が到達する時刻です。場所によっては、この時刻よりもかなり遅れて"
        "津波が襲ってくることがあります。\n到達予想時刻から津波が最も高くなるまでに数時間以上かかることがありますので、"
        "観測された津波の高さにかかわらず、警報が解除されるまで安全な場所から離れないでください。",
    ),
    "0132": ("場所によっては津波の高さが「予想される津波の高さ」より高くなる可能性があります。",),
    "0141": ("東日本大震災クラスの津波が来襲します。",),
    "0143": ("沖合で高い津波を観測したため大津波警報・津波警報を切り替えました。",),
    "0149": ("ただちに避難してください。",),
    "0201": ("強い揺れに警戒してください。",),
    "0203": ("この地震による津波の心配はありません。",),
    "0210": ("＊印は気象庁以外の震度観測点についての情報です。",),
    "0211": (
        "津波警報等（大津波警報・津波警報あるいは津波注意報）を発表中です。",
        "津波警報等（警報あるいは注意報）を発表中です。",
    ),
    "0215": ("この地震による津波の心配はありません。",),
    "0217": ("今後の情報に注意してください。",),
    "0221": ("太平洋の広域に津波発生の可能性があります。",),
    "0228": ("一般的に、この規模の地震が海域の浅い領域で発生すると津波が発生することがあります。",),
    "0229": ("日本への津波の有無については現在調査中です。",),
    "0241": ("この地震について、緊急地震速報を発表しています。",),
    "0256": ("震源要素を訂正します。",),
    "0262": ("＊印は気象庁以外の震度観測点についての情報です。",),
}

# Codes whose content the per-region templates already say (the tsunami category's own instructions), or that
# say nothing once rendered from codes; they are kept in the facts but not shown again.
COVERED_BY_TEMPLATES = frozenset({"0121", "0122", "0123", "0124", "0131"})

# Same wording, one code: the first code listed wins (0203 before 0215, 0210 before 0262).
_PREFERRED = {"0215": "0203", "0262": "0210"}

_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _code_of_text() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, texts in FIXED_TEXTS.items():
        for text in texts:
            index.setdefault(_key(text), _PREFERRED.get(code, code))
    return index


_CODE_OF_TEXT = _code_of_text()


def split_fixed(comment: str) -> tuple[list[str], str]:
    """(codes of the fixed comments recognised in `comment`, the rest as free text, "" when nothing is left).

    Paragraphs (blank-line separated, as tsunami telegrams write them) are tried first, then their lines (as
    earthquake telegrams write them)."""
    codes: list[str] = []
    rest: list[str] = []
    for paragraph in _BLANK_LINE.split(comment):
        if not paragraph.strip():
            continue
        code = _CODE_OF_TEXT.get(_key(paragraph))
        if code:
            codes.append(code)
            continue
        unknown_lines = []
        for line in paragraph.split("\n"):
            line_code = _CODE_OF_TEXT.get(_key(line)) if line.strip() else None
            if line_code:
                codes.append(line_code)
            elif line.strip():
                unknown_lines.append(line.strip())
        if unknown_lines:
            rest.append("\n".join(unknown_lines))
    return list(dict.fromkeys(codes)), "\n\n".join(rest)
