"""Absolute links to the public site for messages that leave it (LINE, push, e-mail), in the reader's language."""

from django.conf import settings
from django.urls import reverse


def public_link(page: str, language: str) -> str:
    """`page` (a path on this site) for a reader of `language`: the page itself in the default language, else the
    language switch, which sets the reader's language and then shows the page."""
    site = settings.SITE_URL.rstrip("/")
    if language == settings.LANGUAGE_CODE:
        return site + page
    return site + reverse("portal:choose_language", args=[language]) + "?next=" + page
