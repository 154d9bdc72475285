"""Normalising names for matching (duplicates, the 安否 search) and refusing the 個人番号 (マイナンバー).

Kana: NFKC (half-width katakana → full width), hiragana → katakana, spaces and middle dots removed, so
「さど　はなこ」, 「ｻﾄﾞ ﾊﾅｺ」 and 「サド・ハナコ」 are the same key. Names in kanji: NFKC, spaces removed. Exact keys
only — no fuzzy matching, so a search cannot fish for similar names.
"""

import re
import unicodedata

_SPACES = re.compile(r"[\s\u3000・･.\-‐－]+")
_TWELVE_DIGITS = re.compile(r"^\d{12}$")


def kana_key(text: str) -> str:
    text = _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))
    return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)


def name_key(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))


def looks_like_personal_number(value) -> bool:
    """A 12-digit number (spaces and hyphens ignored, full-width digits too): possibly a マイナンバー."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return False
    compact = re.sub(r"[\s\u3000\-‐－]", "", unicodedata.normalize("NFKC", value))
    return bool(_TWELVE_DIGITS.match(compact))


def contains_personal_number(data) -> bool:
    """Anywhere in a JSON-like structure (dict values, list items, nested)."""
    if isinstance(data, dict):
        return any(contains_personal_number(v) for v in data.values())
    if isinstance(data, (list, tuple)):
        return any(contains_personal_number(v) for v in data)
    return looks_like_personal_number(data)
