"""Supply requests (物資要請): a shelter asks HQ for items; HQ answers (accepted / partly / delivered / declined)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.shelters.actions.errors import NotAllowed
from toki.shelters.models import OpeningStatus, ShelterOpening, SupplyItem, SupplyRequest
from toki.shelters.permissions import is_hq_manager, may_manage_shelter

MAX_ITEMS = 30
ANSWERS = (SupplyRequest.Status.ACCEPTED, SupplyRequest.Status.PARTLY, SupplyRequest.Status.DELIVERED,
           SupplyRequest.Status.DECLINED)


def request_supplies(*, acting_user, opening: ShelterOpening, items: list[tuple[str, int, str]],
                     urgency: str = SupplyRequest.Urgency.NORMAL, note: str = "") -> SupplyRequest:
    """`items`: (name, quantity, unit). The shelter's team or HQ, for a live opening."""
    if not may_manage_shelter(acting_user, opening.shelter_id):
        raise NotAllowed("not your shelter")
    if opening.status == OpeningStatus.CLOSED:
        raise ValidationError("this opening is closed", code="closed")
    cleaned = [(str(n).strip(), int(q), str(u).strip()) for n, q, u in items if str(n).strip()]
    if not cleaned or len(cleaned) > MAX_ITEMS or any(q <= 0 or q > 100000 for _n, q, _u in cleaned):
        raise ValidationError("between 1 and 30 items, each with a quantity of at least 1", code="items")
    if urgency not in SupplyRequest.Urgency.values:
        raise ValidationError("unknown urgency", code="invalid")
    with transaction.atomic():
        request = SupplyRequest.objects.create(opening=opening, urgency=urgency, note=note.strip(),
                                               requested_by=acting_user)
        SupplyItem.objects.bulk_create([SupplyItem(request=request, name=n[:100], quantity=q, unit=u[:20])
                                        for n, q, u in cleaned])
        audit.record(actor=acting_user, action="shelters.supplies.request", obj=request,
                     changes={"opening": opening.pk, "items": len(cleaned), "urgency": urgency})
    return request


def answer_supply_request(*, acting_user, request: SupplyRequest, status: str, note: str = "") -> SupplyRequest:
    """HQ answers; an answer may be revised (e.g. accepted → delivered). HQ editors only."""
    if not is_hq_manager(acting_user):
        raise NotAllowed("only HQ answers supply requests")
    if status not in ANSWERS:
        raise ValidationError("unknown answer", code="invalid")
    if status in (SupplyRequest.Status.DECLINED, SupplyRequest.Status.PARTLY) and not note.strip():
        raise ValidationError("say why in the note", code="note_required")
    with transaction.atomic():
        locked = SupplyRequest.objects.select_for_update().get(pk=request.pk)
        before = locked.status
        locked.status, locked.answer_note = status, note.strip()
        locked.answered_by, locked.answered_at = acting_user, timezone.now()
        locked.save(update_fields=["status", "answer_note", "answered_by", "answered_at"])
        audit.record(actor=acting_user, action="shelters.supplies.answer", obj=locked,
                     changes={"from": before, "to": status})
    return locked
