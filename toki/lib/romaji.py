"""A reading in Latin letters of a Japanese name (a hypocentre, a seismic station, a JMA office), for readers of
English and Korean (and Chinese, for names with kana) when no translation table knows the name.

Words and their readings come from MeCab (fugashi) with the UniDic-lite dictionary, so a name is read word by
word (「カムチャツカ半島東岸」 → "Kamuchatsuka hantou tougan", not a syllable soup); each reading is turned into
Latin letters by jaconv (Hepburn-style, long vowels written ou/uu as JMA's romanised names are). It is a
reading, not a translation: pages show it beside the Japanese. (cutlet, which does the same, needs mojimoji,
which has no wheel for Python 3.13 and would need a C++ compiler on a fresh Debian 13 machine.)"""

import re
import unicodedata
from functools import cache, lru_cache

PUNCTUATION = {"、": ",", "，": ",", "。": ".", "・": " ", "　": " "}
# A long-vowel mark the tagger splits off on its own (「あいぽーと」 → あい / ぽ / ー / と): the vowel is long, no
# letter is added (as inside a word, where ー is dropped).
LONG_VOWEL_MARKS = ("ー", "〜")
DASHES = "‐–—―−－"


@cache
def _tagger():
    import fugashi  # imported on first use: the dictionary costs memory only in processes that render

    return fugashi.Tagger()


def _word_reading(word) -> str:
    import jaconv

    surface = word.surface
    if surface in PUNCTUATION:
        return PUNCTUATION[surface]
    if surface.isascii():
        return surface
    if all(unicodedata.category(c)[0] in "PSZ" for c in surface):  # a dash, a bracket, a symbol: kept readable
        return "".join("-" if c in DASHES else (c if c.isascii() else " ") for c in surface)
    kana = getattr(word.feature, "kana", None)
    if not kana or kana == "*":  # a word the dictionary does not know: read its kana as written
        kana = jaconv.hira2kata(surface)
    latin = jaconv.kana2alphabet(jaconv.kata2hira(kana)).replace("-", "")  # ー: the vowel is long, not a dash
    if not latin.isascii():
        return ""  # a kanji the dictionary has no reading for: no reading rather than a wrong one
    return latin.capitalize() if word.feature.pos2 == "固有名詞" else latin


@lru_cache(maxsize=4096)
def latin_reading(text: str) -> str:
    """The reading of `text` in Latin letters, or "" when there is nothing Japanese to read or no sure reading."""
    if not text or text.isascii():
        return ""
    words = [_word_reading(word) for word in _tagger()(unicodedata.normalize("NFKC", text))
             if word.surface not in LONG_VOWEL_MARKS]
    if any(not reading for reading in words):
        return ""
    reading = " ".join(words).replace(" ,", ",").replace(" .", ".").replace("( ", "(").replace(" )", ")")
    reading = re.sub(r"(\d) - (\d)", r"\1-\2", reading)  # 「200-1」, a lot number, stays one
    reading = " ".join(reading.split())
    return reading[:1].upper() + reading[1:] if reading != text else ""
