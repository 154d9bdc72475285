"""HQ edits the shelter master (type, capacity, contact, accessibility) and links shelter teams to shelters."""

from django.core.exceptions import ValidationError
from django.db import transaction

from toki.accounts import audit
from toki.accounts.models import OrgUnit
from toki.lib.readings import translation_errors
from toki.shelters import events
from toki.shelters.actions.errors import NotAllowed
from toki.shelters.models import Shelter, ShelterKind, ShelterTeam
from toki.shelters.permissions import is_hq_manager
from toki.shelters.sites import DETAIL_FIELDS


def update_shelter_details(*, acting_user, shelter: Shelter, **values) -> Shelter:
    """Set any of DETAIL_FIELDS. HQ editors only. Audited with the names of the changed fields."""
    if acting_user is not None and not is_hq_manager(acting_user):
        raise NotAllowed("only HQ edits the shelter master")
    unknown = set(values) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if values.get("kind") and values["kind"] not in ShelterKind.values:
        raise ValidationError({"kind": "unknown shelter type"}, code="invalid")
    if values.get("capacity") is not None and int(values["capacity"]) < 0:
        raise ValidationError({"capacity": "must not be negative"}, code="invalid")
    if "translations" in values:
        problems = translation_errors(values["translations"])
        if problems:
            raise ValidationError({"translations": problems}, code="invalid")
    with transaction.atomic():
        locked = Shelter.objects.select_for_update().get(pk=shelter.pk)
        changed = [f for f, v in values.items() if getattr(locked, f) != v]
        for field in changed:
            setattr(locked, field, values[field])
        if changed:
            locked.full_clean(exclude=["municipality", "district"])
            locked.save(update_fields=[*changed, "updated_at"])
            audit.record(actor=acting_user, action="shelters.master.update", obj=locked,
                         changes={"fields": sorted(changed),
                                  **({"capacity": locked.capacity} if "capacity" in changed else {})})
            events.master_changed(locked.municipality_id)  # the portal republishes the 軽量版
    return locked


def link_shelter_team(*, acting_user, org_unit: OrgUnit, shelter: Shelter) -> ShelterTeam:
    """Tie a shelter_team org unit to the shelter it runs (idempotent). HQ editors only (None: the system)."""
    if acting_user is not None and not is_hq_manager(acting_user):
        raise NotAllowed("only HQ links shelter teams")
    if org_unit.kind != OrgUnit.Kind.SHELTER_TEAM:
        raise ValidationError("only an org unit of kind shelter team runs a shelter", code="invalid")
    with transaction.atomic():
        team, created = ShelterTeam.objects.get_or_create(org_unit=org_unit, shelter=shelter)
        if created:
            audit.record(actor=acting_user, action="shelters.team.link", obj=team,
                         changes={"org_unit": org_unit.pk, "shelter": shelter.pk})
    return team
