"""Loading a municipality profile. The only way areas data changes."""

import json
from pathlib import Path

from django.db import transaction

from toki.accounts import audit
from toki.areas.models import District, Municipality, Office


class ProfileError(ValueError):
    """The profile file is not usable; the message names the field."""


def _read_profile(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read profile: {exc}") from exc
    for field in ("code", "name", "prefecture", "districts"):
        if field not in data:
            raise ProfileError(f"{path}: missing field {field!r}")
    return data


def load_profile(path, *, acting_user=None, make_default: bool = True) -> Municipality:
    """Create or update the municipality, its districts and offices from a profile file."""
    data = _read_profile(Path(path))
    with transaction.atomic():
        municipality, _ = Municipality.objects.update_or_create(
            code=data["code"],
            defaults={
                "name": data["name"],
                "name_en": data.get("name_en", ""),
                "prefecture": data["prefecture"],
                "jma_codes": data.get("jma_codes", {}),
                "profile": {k: v for k, v in data.items() if k not in ("districts", "offices", "jma_codes")},
            },
        )
        if make_default:
            Municipality.objects.exclude(pk=municipality.pk).update(is_default=False)
            Municipality.objects.filter(pk=municipality.pk).update(is_default=True)
            municipality.is_default = True
        for order, item in enumerate(data["districts"]):
            District.objects.update_or_create(
                municipality=municipality,
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "name_en": item.get("name_en", ""),
                    "centre_lat": item["centre"][0],
                    "centre_lon": item["centre"][1],
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
        audit.record(actor=acting_user, action="areas.load_profile", obj=municipality,
                     changes={"districts": len(data["districts"])})
    return municipality
