"""The public pages. Read-only, no login; everything shown here is public data."""

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.static import serve

from toki.areas.selectors import default_municipality, default_municipality_or_404
from toki.lifelines.models import Status as LifelineStatus
from toki.lifelines.selectors import lifelines_for_public
from toki.notices.presenters import shown_all
from toki.notices.selectors import latest_notices
from toki.portal.live import public_state
from toki.portal.presenters import (
    districts_with_shelters,
    hazards_in_force_context,
    home_shelter_summary,
    mark_open,
    open_shelter_rows,
    shelter_map_points,
)
from toki.portal.situation import situation
from toki.shelters import opendata
from toki.shelters.selectors import hazards_in_force, public_shelters


def _map_view(municipality) -> dict:
    return (municipality.profile.get("map") if municipality else None) or {}


def home(request):
    municipality = default_municipality()
    context = {"map_view": _map_view(municipality), "district_counts": [], "shelter_count": 0, "map_points": [],
               "now_date": timezone.now()}
    if municipality:
        context.update(home_shelter_summary(municipality))
        context.update(situation(municipality))
        context["notices"] = shown_all(latest_notices(municipality), translation.get_language() or "ja")
        context["disrupted_lifelines"] = [
            lifeline for lifeline in lifelines_for_public(municipality) if lifeline.status != LifelineStatus.NORMAL
        ]
    return render(request, "portal/home.html", context)


def live_version(request):
    """The version of the public situation (toki.portal.live), polled by pages left open. A few seconds of
    caching by a CDN or the browser are fine: the order must show within a minute."""
    response = JsonResponse({"version": public_state(default_municipality()).version})
    response["Cache-Control"] = "public, max-age=5"
    return response


def shelters(request):
    municipality = default_municipality()
    groups = districts_with_shelters(municipality) if municipality else []
    hazards = hazards_in_force(municipality) if municipality else ()
    open_rows = open_shelter_rows(municipality, hazards) if municipality else []
    open_by_shelter = {row["shelter_id"]: row for row in open_rows}
    for group in groups:
        for shelter in group["shelters"]:
            shelter.open_row = open_by_shelter.get(shelter.pk)
        # Open sites first in each district (issue 14, item 3), the list order otherwise; a district with an open
        # site is unfolded (the page folds the others: 86 sites are about 35,000 px on a phone).
        group["shelters"].sort(key=lambda s: s.open_row is None)
        group["has_open"] = sum(s.open_row is not None for s in group["shelters"])
    return render(request, "portal/shelters.html", {
        "district_groups": groups, "open_shelters": open_rows,
        "map_points": mark_open(shelter_map_points(groups), open_rows),
        "map_view": _map_view(municipality),
        **(hazards_in_force_context(municipality, hazards) if municipality else {}),
    })


def choose_language(request, code):
    """Remember the reader's language in a cookie and go back to the page they were on.

    A plain link (GET) rather than Django's POST-only set_language: the switcher then needs no CSRF token, so
    public pages set no cookie of their own and can be cached by nginx or a CDN on a disaster day. Choosing a
    language is a harmless preference, so a cross-site link that sets it does no damage.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _opendata_shelters():
    municipality = default_municipality_or_404()
    return municipality, public_shelters(municipality).order_by("common_id").prefetch_related("designations")


def shelters_csv(request):
    """The shelter master as the 自治体標準オープンデータセット 指定緊急避難場所一覧 CSV."""
    municipality, shelters = _opendata_shelters()
    response = HttpResponse("\ufeff" + opendata.standard_csv(shelters, municipality),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{municipality.code}_evacuation_space.csv"'
    response["Cache-Control"] = "public, max-age=300"
    return response


def shelters_geojson(request):
    municipality, shelters = _opendata_shelters()
    response = JsonResponse(opendata.geojson(shelters, municipality), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json; charset=utf-8"
    response["Cache-Control"] = "public, max-age=300"
    return response


def preparedness(request):
    return render(request, "portal/preparedness.html")


def opendata_index(request):
    return render(request, "portal/opendata.html", {"attribution": opendata.ATTRIBUTION})


def lite_preview(request, path=""):
    """Serve the static 軽量版 snapshot under /lite/ when running without nginx (`make run`, DEBUG only);
    production serves the same files with nginx (deploy/nginx/toki-static.conf)."""
    if not path or path.endswith("/"):
        path += "index.html"
    return serve(request, path, document_root=Path(settings.TOKI_STATIC_SITE_DIR) / "current")
