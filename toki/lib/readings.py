"""Names of places and services (shelters, lifelines) for readers of other languages (issue 14, item 4).

A Japanese page shows the name as the city wrote it. Any other page shows the municipality's own translation when
it gave one (`translations`, {"en": {"name": …, "address": …}}), else a reading in Latin letters
(toki.lib.romaji), always beside the Japanese: the sign at the door is in Japanese, and the reader must match it.
Chinese readers get the reading too: many kanji names (両津, 湊) are read differently in Chinese, and a taxi
driver or a passer-by is asked by the Japanese reading.
"""

from dataclasses import dataclass

from django import template
from django.utils import translation
from django.utils.html import format_html

from toki.lib.romaji import latin_reading

JAPANESE = ("ja", "ja-easy")
LANGUAGES = ("en", "zh-hans", "ko")  # what `translations` may hold
FIELDS = ("name", "address")


@dataclass(frozen=True)
class LocalText:
    """A text as a page in `language` shows it: the Japanese original and, for other languages, the
    municipality's translation (`is_translation`) or the Latin reading ("" when there is none)."""

    original: str
    local: str = ""
    is_translation: bool = False

    def __str__(self) -> str:
        return f"{self.local} ({self.original})" if self.local else self.original


def local_text(text: str, translations: dict | None = None, field: str = "name",
               language: str | None = None) -> LocalText:
    language = language or translation.get_language() or "ja"
    if language in JAPANESE or not text:
        return LocalText(text or "")
    own = ((translations or {}).get(language) or {}).get(field, "")
    if own:
        return LocalText(text, own, True)
    return LocalText(text, latin_reading(text))


def translation_errors(value) -> list[str]:
    """What is wrong with a `translations` value (HQ input): {language: {field: text}} for LANGUAGES, FIELDS."""
    if not isinstance(value, dict):
        return ["must be an object of languages"]
    errors = []
    for language, texts in value.items():
        if language not in LANGUAGES:
            errors.append(f"{language!r}: not one of {', '.join(LANGUAGES)}")
        elif not isinstance(texts, dict):
            errors.append(f"{language}: must be an object of fields")
        else:
            for field, text in texts.items():
                if field not in FIELDS:
                    errors.append(f"{language}.{field}: not one of {', '.join(FIELDS)}")
                elif not isinstance(text, str) or len(text) > 300:
                    errors.append(f"{language}.{field}: must be text of at most 300 characters")
    return errors


# Template tags, `{% load local_text %}` (settings.TEMPLATES libraries).
register = template.Library()


@register.simple_tag
def local(text, translations=None, field="name"):
    """「両津小学校体育館」 on a Japanese page; on others the Japanese with its translation or Latin reading beside it
    (marked up so the reading is read out in Latin, the original in Japanese)."""
    value = local_text(text, translations, field)
    if not value.local:
        return value.original
    return format_html('<span class="local-name">{}</span> <span class="original-name" lang="ja">{}</span>',
                       value.local, value.original)


@register.simple_tag
def local_plain(text, translations=None, field="name"):
    """The same as plain text ("Ryoutsu shou gakkou taiiku kan (両津小学校体育館)"), for attributes and scripts."""
    return str(local_text(text, translations, field))
