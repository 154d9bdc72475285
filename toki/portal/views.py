"""The public pages. Read-only, no login; everything shown here is public data."""

from django.shortcuts import render


def home(request):
    return render(request, "portal/home.html", {"shelter_count": 0, "map_points": []})


def shelters(request):
    return render(request, "portal/shelters.html", {"map_points": []})
