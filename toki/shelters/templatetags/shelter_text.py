"""{% load shelter_text %}: names, addresses and crowding of shelters as the page's language shows them."""

from django import template
from django.utils.html import format_html

from toki.shelters.readings import local_text

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
