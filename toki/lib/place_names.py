"""Place names in the reader's language: Japanese pages show the Japanese name, others the romanised one.

Kanji place names are hard to read for many visitors, while signage on the island carries both; so a
non-Japanese page shows `Ryotsu (両津)` when the profile gives an English name.
"""

from django import template
from django.utils import translation

register = template.Library()

JAPANESE = ("ja", "ja-easy")


def local_name(place) -> str:
    """`place` has `name` and `name_en` (Municipality, District)."""
    if place is None:
        return ""
    name_en = getattr(place, "name_en", "")
    if translation.get_language() in JAPANESE or not name_en:
        return place.name
    return f"{name_en} ({place.name})"


def in_language(term) -> str:
    """A profile term ({"ja": …, "ja-easy": …, "en": …, "zh-hans": …, "ko": …}) in the page's language ("" for
    none); the Japanese text where the term lacks the language."""
    if not isinstance(term, dict):
        return ""
    return term.get(translation.get_language() or "ja") or term.get("ja", "")


register.filter("local_name", local_name)
register.filter("in_language", in_language)
