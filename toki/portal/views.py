"""The public pages. Read-only, no login; everything shown here is public data."""

from django.shortcuts import render

from toki.areas.selectors import default_municipality
from toki.portal.presenters import districts_with_shelters, shelter_map_points


def _shelter_context():
    municipality = default_municipality()
    groups = districts_with_shelters(municipality) if municipality else []
    return {
        "district_groups": groups,
        "shelter_count": sum(len(group["shelters"]) for group in groups),
        "map_points": shelter_map_points(groups),
        "map_view": (municipality.profile.get("map") if municipality else None) or {},
    }


def home(request):
    return render(request, "portal/home.html", _shelter_context())


def shelters(request):
    return render(request, "portal/shelters.html", _shelter_context())
