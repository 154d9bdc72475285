"""Changes to the shelter master. Every write goes through here (DESIGN.md rule 2)."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction

from toki.accounts import audit
from toki.areas.selectors import district_locator
from toki.shelters import events, sites
from toki.shelters.importing import ShelterRow
from toki.shelters.merging import ensure_designations
from toki.shelters.models import Shelter, ShelterDesignation

BATCH = 500


class ShelterImportConflict(ValueError):
    """A row's 共通ID already belongs to a shelter of another municipality."""


@dataclass(frozen=True)
class ImportResult:
    created: int  # rows (listings) new to Toki
    updated: int
    unchanged: int
    joined: int = 0  # of the new rows, those that joined a site already listed (one place per site)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def import_shelters(
    rows: Sequence[ShelterRow], *, acting_user, municipality, source: str, file_name: str, file_format: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Record each row as a listing (ShelterDesignation, keyed on its 共通ID) of one site, in one transaction
    with one AuditEvent.

    `rows` come from `toki.shelters.importing.read_shelter_file` (all checked). A row whose 共通ID is new joins
    the site it is the same place as (toki.shelters.sites.same_site: a 指定緊急避難場所 row joins its 指定避難所),
    else makes a new site. A site's fields follow from its listings (sites.site_values), and only the fields the
    listings carry are set, so a GSI import keeps a capacity HQ entered. A row identical to its stored listing is
    left untouched (unchanged), so importing the same files twice, in any order, changes nothing.
    """
    locator = district_locator(municipality)
    created = updated = unchanged = joined = 0
    with transaction.atomic():
        ensure_designations()  # a row written without one (by hand, or before sites existed) is a listing too
        listed = _Listed(municipality, [row.common_id for row in rows])
        touched: dict[int, _Site] = {}
        for done, row in enumerate(rows, start=1):
            district = locator.find(row.lat, row.lon)
            values = _as_stored({"district_id": district.pk if district else None, "lat": row.lat, "lon": row.lon,
                                 "source": source, **row.fields})
            if row.common_id in listed.elsewhere:
                raise ShelterImportConflict(
                    f"{file_name}: {row.label}: 共通ID {row.common_id} belongs to a shelter of another "
                    "municipality")
            site = listed.site_by_id.get(row.common_id)
            if site is None:
                site = listed.site_for(ShelterDesignation(common_id=row.common_id, kind=_kind(row), values=values))
                joined += len(site.designations) > 1
                created += 1
            elif site.set_values(row.common_id, values) or site.drifted():
                updated += 1  # the row changed, or the site no longer reads as its listings say (repaired)
            else:
                unchanged += 1
                continue
            touched[id(site)] = site
            if progress:
                progress(done, len(rows))
        changed = [site for site in touched.values() if site.save()]
        result = ImportResult(created, updated, unchanged, joined)
        audit.record(actor=acting_user, action="shelters.import", obj=municipality, changes={
            "file": file_name, "format": file_format, "source": source, "rows": len(rows),
            "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "joined": result.joined,
        })
        if changed or created or updated:
            events.master_changed(municipality.pk)  # the portal republishes the 軽量版 (docs/static-site.md)
    return result


def _kind(row: ShelterRow) -> str:
    if row.fields.get("is_emergency_site"):
        return ShelterDesignation.Kind.EMERGENCY_SITE
    return ShelterDesignation.Kind.DESIGNATED_SHELTER


def _as_stored(values: dict) -> dict:
    """Values as they come back from the JSON column (what a stored listing is compared with)."""
    return json.loads(json.dumps(values))


def _listing(designation: ShelterDesignation) -> sites.Listing:
    return sites.Listing.of(designation.common_id, designation.kind, designation.values)


class _Site:
    """A site during an import: its Shelter (unsaved when new), its listings, and those changed."""

    def __init__(self, shelter: Shelter):
        self.shelter = shelter
        self.designations: list[ShelterDesignation] = []
        self.dirty: set[str] = set()

    def add(self, designation: ShelterDesignation, *, new: bool = False) -> None:
        self.designations.append(designation)
        if new:
            self.dirty.add(designation.common_id)

    def set_values(self, common_id: str, values: dict) -> bool:
        """The row's values for its listing; False when they are what is stored."""
        designation = next(d for d in self.designations if d.common_id == common_id)
        if designation.values == values:
            return False
        designation.values = values
        self.dirty.add(common_id)
        return True

    def listings(self) -> list[sites.Listing]:
        return [_listing(d) for d in self.designations]

    def values(self) -> dict:
        return sites.site_values([(d.common_id, d.kind, d.values) for d in self.designations])

    def drifted(self) -> bool:
        """The stored site differs from what its listings give (changed by hand, or by an earlier rule)."""
        return self.shelter.pk is None or any(getattr(self.shelter, f) != v for f, v in self.values().items())

    def save(self) -> bool:
        """Write the site's fields as its listings give them, then the changed listings. True when the site
        changed."""
        values = self.values()
        shelter = self.shelter
        changed = self.drifted()
        if changed:
            if shelter.pk is not None and shelter.common_id != values["common_id"]:
                # The primary listing changed (a 指定避難所 row joined an emergency site): the site takes its ID.
                Shelter.objects.filter(pk=shelter.pk).update(common_id=f"~{shelter.pk}")
            for field, value in values.items():
                setattr(shelter, field, value)
            shelter.save()
        for designation in self.designations:
            if designation.common_id not in self.dirty:
                continue
            if designation.pk is None:
                designation.shelter = shelter
                designation.save()
            else:
                designation.save(update_fields=["values"])
        return changed


class _Listed:
    """The municipality's sites and listings, loaded once: a row's listing is found by 共通ID, a new row's site
    by the matching rule (toki.shelters.sites.may_join)."""

    def __init__(self, municipality, common_ids: list[str]):
        self.municipality = municipality
        by_pk = {s.pk: _Site(s) for s in Shelter.objects.filter(municipality=municipality)}
        self.site_by_id: dict[str, _Site] = {}
        for designation in ShelterDesignation.objects.filter(shelter__municipality=municipality):
            by_pk[designation.shelter_id].add(designation)
            self.site_by_id[designation.common_id] = by_pk[designation.shelter_id]
        self.by_name: dict[str, list[_Site]] = {}
        for site in by_pk.values():
            for key in {sites.text_key(listing.name) for listing in site.listings()}:
                self.by_name.setdefault(key, []).append(site)
        # 共通IDs listed by another municipality: refused, never joined.
        self.elsewhere: set[str] = set()
        for start in range(0, len(common_ids), BATCH):
            self.elsewhere.update(ShelterDesignation.objects.filter(common_id__in=common_ids[start:start + BATCH])
                                  .exclude(shelter__municipality=municipality).values_list("common_id", flat=True))

    def site_for(self, designation: ShelterDesignation) -> _Site:
        """Adds a new listing to the site it is the same place as, or to a new site; returns that site."""
        listing = _listing(designation)
        key = sites.text_key(listing.name)
        site = next((s for s in self.by_name.get(key, []) if sites.may_join(listing, s.listings())), None)
        if site is None:
            site = _Site(Shelter(municipality=self.municipality))
            self.by_name.setdefault(key, []).append(site)
        site.add(designation, new=True)
        self.site_by_id[designation.common_id] = site
        return site
