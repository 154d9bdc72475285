"""Loading a municipality profile. The only way areas data changes."""

from pathlib import Path

from django.db import transaction

from toki.accounts import audit
from toki.areas.boundaries import district_boundaries
from toki.areas.models import District, Municipality, Office
from toki.areas.profile import ProfileError, read_profile
from toki.areas.terms import forget as forget_terms

__all__ = ["ProfileError", "load_profile"]

# Keys of the profile file stored in columns or rows of their own rather than in Municipality.profile.
_OWN_COLUMNS = ("districts", "offices", "jma_codes")


def load_profile(path, *, acting_user=None, make_default: bool = True) -> Municipality:
    """Create or update the municipality, its districts (with boundaries) and offices from a profile file.

    The file is validated completely first (ProfileError names the file and field) and the boundaries are
    computed before the one transaction that writes everything, so a bad profile writes nothing. Districts and
    offices missing from the file are left alone (they may be referenced); reloading is idempotent.
    """
    path = Path(path)
    data = read_profile(path)
    boundaries = district_boundaries(data)
    with transaction.atomic():
        municipality, created = Municipality.objects.update_or_create(
            code=data["code"],
            defaults={
                "name": data["name"],
                "name_en": data.get("name_en", ""),
                "prefecture": data["prefecture"],
                "jma_codes": data.get("jma_codes", {}),
                "profile": {k: v for k, v in data.items() if k not in _OWN_COLUMNS},
            },
        )
        if make_default:
            Municipality.objects.exclude(pk=municipality.pk).update(is_default=False)
            Municipality.objects.filter(pk=municipality.pk).update(is_default=True)
            municipality.is_default = True
        for order, (item, boundary) in enumerate(zip(data["districts"], boundaries, strict=True)):
            District.objects.update_or_create(
                municipality=municipality,
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "name_en": item.get("name_en", ""),
                    "centre_lat": item["centre"][0],
                    "centre_lon": item["centre"][1],
                    "boundary": boundary.geometry,
                    "boundary_is_approximate": boundary.is_approximate,
                    "boundary_source": boundary.source,
                    "sort_order": order,
                },
            )
        districts = {d.code: d for d in municipality.districts.all()}
        for item in data.get("offices", []):
            Office.objects.update_or_create(
                municipality=municipality,
                name=item["name"],
                defaults={
                    "kind": item["kind"],
                    "address": item.get("address", ""),
                    "district": districts.get(item.get("district")),
                },
            )
        audit.record(
            actor=acting_user, action="areas.load_profile", obj=municipality,
            changes={
                "file": path.name,
                "created": created,
                "districts": len(data["districts"]),
                "approximate_boundaries": sum(b.is_approximate for b in boundaries),
                "offices": len(data.get("offices", [])),
                "default": make_default,
            },
        )
        forget_terms()  # this transaction reads its own terms at once, every process once it commits
        transaction.on_commit(forget_terms)
    return municipality
