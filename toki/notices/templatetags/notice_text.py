"""`{{ version.body|notice_html }}`: a notice body, cleaned again with the allow-list as it is rendered (the
stored body was cleaned on save; cleaning twice means a row written around the actions is still safe)."""

from django import template
from django.utils import translation
from django.utils.safestring import mark_safe

from toki.lib.place_names import JAPANESE, local_name
from toki.notices import richtext

register = template.Library()


@register.filter
def notice_html(value) -> str:
    return mark_safe(richtext.clean(str(value or "")))  # noqa: S308 - cleaned by the allow-list just above


@register.filter
def place_list(places) -> str:
    """District names in the reader's language, joined as that language does (、 or a comma)."""
    separator = "、" if translation.get_language() in JAPANESE else ", "
    return separator.join(local_name(place) for place in places)
