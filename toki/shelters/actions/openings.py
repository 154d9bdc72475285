"""Opening, filling and closing a shelter for an incident; crowding overrides; "still current" confirmations.

Every change: one transaction, an AuditEvent and a domain event (toki.shelters.events), to which the portal
(static 軽量版 republish) and the HQ chronology subscribe; this app never imports them (ADR 0005, 0007).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from toki.accounts import audit
from toki.shelters import events
from toki.shelters.actions.errors import NotAllowed
from toki.shelters.models import Crowding, OpeningStatus, Shelter, ShelterOpening
from toki.shelters.permissions import may_manage_shelter


def _require(acting_user, shelter_id: int) -> None:
    if acting_user is not None and not may_manage_shelter(acting_user, shelter_id):
        raise NotAllowed("not your shelter")


def _announce(opening: ShelterOpening, change: str) -> None:
    # The portal (static 軽量版 republish) and the HQ chronology subscribe (ADR 0007).
    events.opening_changed(opening, change)


def open_shelter(*, acting_user, shelter: Shelter, incident, at=None) -> ShelterOpening:
    """Open `shelter` for `incident` (active). HQ or the shelter's own team. One live opening per pair."""
    _require(acting_user, shelter.pk)
    if incident.ended_at is not None:
        raise ValidationError("the incident has ended", code="incident_ended")
    if incident.municipality_id != shelter.municipality_id:
        raise ValidationError("the shelter is not in the incident's municipality", code="invalid")
    now = timezone.now()
    try:
        with transaction.atomic():
            opening = ShelterOpening.objects.create(
                shelter=shelter, incident=incident, status=OpeningStatus.OPEN, opened_at=at or now,
                opened_by=acting_user if acting_user is not None else None, confirmed_at=now)
            audit.record(actor=acting_user, action="shelters.opening.open", obj=opening,
                         changes={"shelter": shelter.pk, "incident": incident.pk})
            _announce(opening, "opened")
    except IntegrityError:
        raise ValidationError("this shelter is already open for this incident", code="already_open") from None
    return opening


def set_opening_status(*, acting_user, opening: ShelterOpening, status: str) -> ShelterOpening:
    """開設 ⇄ 満員, or 閉鎖 (final: a closed opening is not reopened; open a new one)."""
    _require(acting_user, opening.shelter_id)
    if status not in OpeningStatus.values:
        raise ValidationError("unknown status", code="invalid")
    with transaction.atomic():
        locked = ShelterOpening.objects.select_for_update().select_related("incident", "shelter").get(pk=opening.pk)
        if locked.status == OpeningStatus.CLOSED:
            raise ValidationError("this opening is closed", code="closed")
        if locked.status == status:
            return locked
        before, now = locked.status, timezone.now()
        locked.status, locked.confirmed_at = status, now
        fields = ["status", "confirmed_at", "updated_at"]
        if status == OpeningStatus.CLOSED:
            locked.closed_at = now
            fields.append("closed_at")
        locked.save(update_fields=fields)
        audit.record(actor=acting_user, action="shelters.opening.status", obj=locked,
                     changes={"from": before, "to": status})
        _announce(locked, "closed" if status == OpeningStatus.CLOSED else "status")
    return locked


def close_opening(*, acting_user, opening: ShelterOpening) -> ShelterOpening:
    return set_opening_status(acting_user=acting_user, opening=opening, status=OpeningStatus.CLOSED)


def set_crowding(*, acting_user, opening: ShelterOpening, crowding: str) -> ShelterOpening:
    """Override the computed crowding (空き / 混雑 / 満員); "" returns to the computed value. Who/when kept."""
    _require(acting_user, opening.shelter_id)
    if crowding and crowding not in (Crowding.VACANT, Crowding.CROWDED, Crowding.FULL):
        raise ValidationError("unknown crowding", code="invalid")
    with transaction.atomic():
        locked = ShelterOpening.objects.select_for_update().select_related("incident", "shelter").get(pk=opening.pk)
        if locked.status == OpeningStatus.CLOSED:
            raise ValidationError("this opening is closed", code="closed")
        now = timezone.now()
        before = locked.crowding_override
        locked.crowding_override, locked.crowding_set_by, locked.crowding_set_at = (
            crowding, acting_user if crowding else None, now if crowding else None)
        locked.confirmed_at = now
        locked.save(update_fields=["crowding_override", "crowding_set_by", "crowding_set_at", "confirmed_at",
                                   "updated_at"])
        audit.record(actor=acting_user, action="shelters.opening.crowding", obj=locked,
                     changes={"from": before, "to": crowding, "computed": locked.computed_crowding})
        _announce(locked, "crowding")
    return locked


def confirm_status(*, acting_user, opening: ShelterOpening) -> ShelterOpening:
    """One tap: "the status shown is still current" (状況確認日時)."""
    _require(acting_user, opening.shelter_id)
    with transaction.atomic():
        locked = ShelterOpening.objects.select_for_update().select_related("incident", "shelter").get(pk=opening.pk)
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["confirmed_at", "updated_at"])
        audit.record(actor=acting_user, action="shelters.opening.confirm", obj=locked)
        _announce(locked, "confirmed")
    return locked
