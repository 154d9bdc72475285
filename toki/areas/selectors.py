"""Reads of the municipality profile. Public data: no user scoping needed."""

from django.http import Http404

from toki.areas.locator import COAST_TOLERANCE_KM, DistrictLocator
from toki.areas.models import District, Municipality


def default_municipality() -> Municipality | None:
    """The municipality this site serves (the profile loaded as default)."""
    return Municipality.objects.filter(is_default=True).first()


def district_locator(municipality: Municipality | None = None, *,
                     tolerance_km: float = COAST_TOLERANCE_KM) -> DistrictLocator:
    """A locator over the districts of `municipality` (all municipalities when None), loaded with one query.

    Use it when placing many points (an import); `district_for` builds one per call.
    """
    districts = District.objects.filter(boundary__isnull=False)
    if municipality is not None:
        districts = districts.filter(municipality=municipality)
    return DistrictLocator(districts, tolerance_km=tolerance_km)


def district_for(lat: float, lon: float, municipality: Municipality | None = None) -> District | None:
    """The district containing the point; for a point just outside every boundary (within 3 km: a pier, a site
    off the approximate coast) the district whose boundary is nearest; otherwise None. See docs/areas.md."""
    return district_locator(municipality).find(lat, lon)


def default_municipality_or_404() -> Municipality:
    """For views: the site's municipality, or a 404 before any profile is loaded."""
    municipality = default_municipality()
    if municipality is None:
        raise Http404("no municipality profile is loaded")
    return municipality


def district_by_code(municipality_id: int, code: str) -> District | None:
    """The municipality's district with this code (its boundary not loaded), or None."""
    return District.objects.filter(municipality_id=municipality_id, code=code).defer("boundary").first()


def municipality_by_id(pk: int) -> Municipality:
    """One municipality by its id (Municipality.DoesNotExist if none): for tasks that were handed the id."""
    return Municipality.objects.get(pk=pk)
