"""Reads of the municipality profile. Public data: no user scoping needed."""

from django.core.cache import cache

from toki.areas.models import District, Municipality

DEFAULT_MUNICIPALITY_CACHE_KEY = "areas:default-municipality"


def default_municipality() -> Municipality | None:
    """The municipality this site serves. Cached: every page needs it and it changes only on a profile load
    (which clears the key on commit; other processes see the change within the timeout)."""
    municipality = cache.get(DEFAULT_MUNICIPALITY_CACHE_KEY)
    if municipality is None:
        municipality = Municipality.objects.filter(is_default=True).first()
        if municipality is not None:
            cache.set(DEFAULT_MUNICIPALITY_CACHE_KEY, municipality, timeout=300)
    return municipality


def districts_of(municipality: Municipality) -> list[District]:
    return list(municipality.districts.all())
