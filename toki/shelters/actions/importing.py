"""Changes to the shelter master. Every write goes through here (DESIGN.md rule 2)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.areas.selectors import district_locator
from toki.shelters import events
from toki.shelters.importing import ShelterRow
from toki.shelters.models import Shelter

BATCH = 500


class ShelterImportConflict(ValueError):
    """A row's 共通ID already belongs to a shelter of another municipality."""


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def import_shelters(
    rows: Sequence[ShelterRow], *, acting_user, municipality, source: str, file_name: str, file_format: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Create or update one shelter per row, keyed on 共通ID, in one transaction with one AuditEvent.

    `rows` come from `toki.shelters.importing.read_shelter_file` (all checked). Each row sets only the fields
    its format carries, so a GSI import keeps a capacity that came from a standard CSV. The district is placed
    with `district_for` semantics. A row identical to the stored shelter is left untouched (and counted as
    unchanged), so importing the same file twice changes nothing.
    """
    locator = district_locator(municipality)
    now = timezone.now()
    created: list[Shelter] = []
    updated: dict[int, Shelter] = {}
    changed_fields: set[str] = set()
    unchanged = 0
    with transaction.atomic():
        existing = _existing(row.common_id for row in rows)
        for done, row in enumerate(rows, start=1):
            district = locator.find(row.lat, row.lon)
            values = {"municipality_id": municipality.pk, "district_id": district.pk if district else None,
                      "lat": row.lat, "lon": row.lon, "source": source, **row.fields}
            shelter = existing.get(row.common_id)
            if shelter is None:
                shelter = Shelter(common_id=row.common_id, **values)
                existing[row.common_id] = shelter
                created.append(shelter)
            elif shelter.pk is None:
                for name, value in values.items():  # the same 共通ID twice in one batch: the last row wins
                    setattr(shelter, name, value)
            else:
                if shelter.municipality_id != municipality.pk:
                    raise ShelterImportConflict(
                        f"{file_name}: {row.label}: 共通ID {row.common_id} belongs to a shelter of another "
                        "municipality")
                diff = [name for name, value in values.items() if getattr(shelter, name) != value]
                if diff:
                    for name in diff:
                        setattr(shelter, name, values[name])
                    shelter.updated_at = now
                    changed_fields.update(diff)
                    updated[shelter.pk] = shelter
                else:
                    unchanged += 1
            if progress:
                progress(done, len(rows))
        Shelter.objects.bulk_create(created, batch_size=BATCH)
        if updated:
            fields = sorted(changed_fields | {"updated_at"})
            Shelter.objects.bulk_update(list(updated.values()), fields, batch_size=BATCH)
        result = ImportResult(len(created), len(updated), unchanged)
        audit.record(actor=acting_user, action="shelters.import", obj=municipality, changes={
            "file": file_name, "format": file_format, "source": source, "rows": len(rows),
            "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        })
        if result.created or result.updated:
            events.master_changed(municipality.pk)  # the portal republishes the 軽量版 (docs/static-site.md)
    return result


def _existing(common_ids) -> dict[str, Shelter]:
    ids = list(dict.fromkeys(common_ids))
    found: dict[str, Shelter] = {}
    for start in range(0, len(ids), BATCH):
        for shelter in Shelter.objects.filter(common_id__in=ids[start:start + BATCH]):
            found[shelter.common_id] = shelter
    return found
