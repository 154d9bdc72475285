"""Reads of the municipality profile. Public data: no user scoping needed."""

from toki.areas.models import District, Municipality


def default_municipality() -> Municipality | None:
    return Municipality.objects.filter(is_default=True).first()


def districts_of(municipality: Municipality) -> list[District]:
    return list(municipality.districts.all())
