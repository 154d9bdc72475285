"""A reading in Latin letters of a Japanese name (a hypocentre, a seismic station, a JMA office), for readers of
English, Chinese and Korean when no translation table knows the name. cutlet (MeCab through fugashi, with the
UniDic-lite dictionary) segments words, so 「カムチャツカ半島東岸」 reads "Kamchatka hantou tougan", not a
syllable soup. It is a reading, not a translation: pages show it beside the Japanese."""

from functools import cache, lru_cache


@cache
def _converter():
    import cutlet  # imported on first use: the dictionary costs memory only in processes that render

    return cutlet.Cutlet(system="hepburn")


@lru_cache(maxsize=4096)
def latin_reading(text: str) -> str:
    """The Hepburn reading of `text`, or "" when it has nothing Japanese to read (already Latin, empty)."""
    if not text or text.isascii():
        return ""
    reading = _converter().romaji(text).strip()
    return "" if not reading or reading == text else reading
