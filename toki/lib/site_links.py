"""Absolute links to the public site that open in the reader's language, for messages sent outside the site
(LINE replies and alerts). The portal takes the language from its cookie, which the language switch link
(`/language/<code>/?next=<page>`, portal:choose_language) sets before showing the page; the default language
needs no switch."""

from urllib.parse import quote

from django.conf import settings
from django.urls import reverse


def site_link(path: str, language: str = "") -> str:
    """SITE_URL + `path`, through the language switch when `language` is not the site's default."""
    base = settings.SITE_URL.rstrip("/")
    if not language or language == settings.LANGUAGE_CODE or language not in dict(settings.LANGUAGES):
        return base + path
    return base + reverse("portal:choose_language", args=[language]) + "?next=" + quote(path, safe="/")
