"""The visitors' page (観光客向け): the same facts as residents get, in the visitor's language, with what to do
now, where to go, ferry and flight status and the numbers to call. Linked from the LINE tourist menu by its own
URL, one per language (/tourist/en/ …)."""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from toki.areas.selectors import default_municipality
from toki.lifelines.models import Kind as LifelineKind
from toki.lifelines.selectors import lifelines_for_public
from toki.portal.presenters import home_shelter_summary
from toki.portal.situation import situation

TOURIST_LANGUAGES = ("en", "zh-hans", "ko", "ja-easy")


def tourist(request):
    municipality = default_municipality()
    context = {"map_view": {}, "map_points": [], "tourist_languages": TOURIST_LANGUAGES}
    if municipality:
        context.update(home_shelter_summary(municipality))
        context.update(situation(municipality))
        context["map_view"] = municipality.profile.get("map") or {}
    context.update(transport_status(municipality))
    return render(request, "portal/tourist.html", context)


def tourist_in(request, code):
    """/tourist/<language>/: the LINE tourist menu's link; remembers the language and shows the page."""
    if code not in TOURIST_LANGUAGES:
        raise Http404
    response = HttpResponseRedirect(reverse("portal:tourist"))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                        secure=settings.LANGUAGE_COOKIE_SECURE, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response


def transport_status(municipality) -> dict:
    """Ferry and flight status, from the lifelines the city and the operators keep up to date."""
    if municipality is None:
        return {"transport": []}
    kinds = (LifelineKind.FERRY, LifelineKind.FLIGHT)
    return {"transport": [item for item in lifelines_for_public(municipality) if item.kind in kinds]}
