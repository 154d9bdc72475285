"""Instructions (指示): HQ gives, the addressee acknowledges (受領), starts (着手) and reports done (完了報告).

Each step is one transaction with an AuditEvent and a chronology entry (reference §7)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.hq.actions.chronology import record_event
from toki.hq.models import ChronologyCategory, Incident, Instruction
from toki.hq.permissions import may_answer_instruction, may_give_instructions, may_read_incidents

TITLE_MAX = 200
TEXT_MAX = 4000
STEP_WORDS = {"acknowledged": "受領", "in_progress": "着手", "done": "完了報告", "cancelled": "取消"}


def _party(user) -> str:
    return str(user) if user is not None else ""


def _chronicle(instruction: Instruction, *, acting_user, content: str, step: str, sender: str, recipient: str,
               at: datetime) -> None:
    record_event(incident=instruction.incident, content=content, category=ChronologyCategory.INSTRUCTION, at=at,
                 sender=sender, recipient=recipient, district=instruction.district, source=instruction,
                 link=f"/hq/instructions/{instruction.pk}/", dedup_key=f"instruction:{instruction.pk}:{step}",
                 acting_user=acting_user)


def give_instruction(*, acting_user, incident: Incident, title: str, content: str = "",
                     priority: str = Instruction.Priority.NORMAL, due_at: datetime | None = None,
                     to_org_unit=None, to_user=None, district=None) -> Instruction:
    """Issue an instruction to one org unit or one person. Recorded as hq.instruction_given."""
    if not may_give_instructions(acting_user):
        raise PermissionDenied("giving instructions needs an HQ editor or admin role")
    now = timezone.now()
    errors = {}
    title, content = (title or "").strip(), (content or "").strip()
    if not title:
        errors["title"] = "give the instruction a subject"
    elif len(title) > TITLE_MAX:
        errors["title"] = f"at most {TITLE_MAX} characters"
    if len(content) > TEXT_MAX:
        errors["content"] = f"at most {TEXT_MAX} characters"
    if priority not in Instruction.Priority.values:
        errors["priority"] = f"unknown priority {priority!r}"
    if (to_org_unit is None) == (to_user is None):
        errors["to"] = "address the instruction to one organisation or one person"
    elif to_user is not None and not (to_user.is_active and may_read_incidents(to_user)):
        errors["to"] = "that person takes no part in incident work"
    if due_at is not None and due_at <= now:
        errors["due_at"] = "the due time has already passed"
    if not incident.is_active:
        errors["incident"] = "the incident is closed"
    if district is not None and district.municipality_id != incident.municipality_id:
        errors["district"] = "not a district of this municipality"
    if errors:
        raise ValidationError(errors)
    if district is None and to_org_unit is not None:
        district = to_org_unit.district
    with transaction.atomic():
        instruction = Instruction.objects.create(
            incident=incident, title=title, content=content, priority=priority, due_at=due_at,
            to_org_unit=to_org_unit, to_user=to_user, district=district, issued_at=now, issued_by=acting_user)
        audit.record(actor=acting_user, action="hq.instruction_given", obj=instruction, changes={
            "incident": incident.pk, "priority": priority, "to_org_unit": to_org_unit.pk if to_org_unit else None,
            "to_user": to_user.pk if to_user else None, "due_at": due_at.isoformat() if due_at else None})
        _chronicle(instruction, acting_user=acting_user, step="issued", at=now, sender=_party(acting_user),
                   recipient=str(instruction.addressee), content=f"指示: {title}" + (f"\n{content}" if content else ""))
    return instruction


def _step(*, acting_user, instruction: Instruction, allowed_from: tuple, to_status: str, fields: dict,
          action: str, text: str = "") -> Instruction:
    with transaction.atomic():
        instruction = Instruction.objects.select_for_update(of=("self",)).select_related(
            "incident", "to_org_unit", "to_user", "district").get(pk=instruction.pk)
        if not may_answer_instruction(acting_user, instruction):
            raise PermissionDenied("only the addressee or HQ may answer this instruction")
        if instruction.status == to_status:
            return instruction  # a double click or a retried request: nothing happens twice
        if instruction.status not in allowed_from:
            raise ValidationError({"status": f"the instruction is {instruction.get_status_display()}; "
                                             f"it cannot become {Instruction.Status(to_status).label} now"})
        now = timezone.now()
        before = instruction.status
        instruction.status = to_status
        for name, value in fields.items():
            setattr(instruction, name, now if value == "now" else acting_user if value == "user" else value)
        # Skipped steps are filled in: done without 受領 means it was received at the same moment.
        if to_status in ("in_progress", "done") and instruction.acknowledged_at is None:
            instruction.acknowledged_at, instruction.acknowledged_by = now, acting_user
        if to_status == "done" and instruction.started_at is None:
            instruction.started_at, instruction.started_by = now, acting_user
        instruction.save()
        audit.record(actor=acting_user, action=action, obj=instruction,
                     changes={"status": [before, to_status], "incident": instruction.incident_id})
        _chronicle(instruction, acting_user=acting_user, step=to_status, at=now, sender=_party(acting_user),
                   recipient=_party(instruction.issued_by) if to_status != "cancelled" else str(instruction.addressee),
                   content=f"{STEP_WORDS[to_status]}: {instruction.title}" + (f"\n{text}" if text else ""))
    return instruction


def acknowledge_instruction(*, acting_user, instruction: Instruction) -> Instruction:
    """受領: the addressee confirms they received it. Recorded as hq.instruction_acknowledged."""
    return _step(acting_user=acting_user, instruction=instruction, allowed_from=(Instruction.Status.ISSUED,),
                 to_status=Instruction.Status.ACKNOWLEDGED,
                 fields={"acknowledged_at": "now", "acknowledged_by": "user"}, action="hq.instruction_acknowledged")


def start_instruction(*, acting_user, instruction: Instruction) -> Instruction:
    """着手: work has started. Recorded as hq.instruction_started."""
    return _step(acting_user=acting_user, instruction=instruction,
                 allowed_from=(Instruction.Status.ISSUED, Instruction.Status.ACKNOWLEDGED),
                 to_status=Instruction.Status.IN_PROGRESS, fields={"started_at": "now", "started_by": "user"},
                 action="hq.instruction_started")


def complete_instruction(*, acting_user, instruction: Instruction, result: str) -> Instruction:
    """完了報告: done, with the result. Recorded as hq.instruction_done."""
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": "report the result (what was done)"})
    if len(result) > TEXT_MAX:
        raise ValidationError({"result": f"at most {TEXT_MAX} characters"})
    return _step(acting_user=acting_user, instruction=instruction, allowed_from=Instruction.OPEN_STATUSES,
                 to_status=Instruction.Status.DONE, fields={"done_at": "now", "done_by": "user", "result": result},
                 action="hq.instruction_done", text=result)


def cancel_instruction(*, acting_user, instruction: Instruction, reason: str) -> Instruction:
    """取消 by HQ, with the reason. Recorded as hq.instruction_cancelled."""
    if not may_give_instructions(acting_user):
        raise PermissionDenied("cancelling instructions needs an HQ editor or admin role")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "say why the instruction is cancelled"})
    return _step(acting_user=acting_user, instruction=instruction, allowed_from=Instruction.OPEN_STATUSES,
                 to_status=Instruction.Status.CANCELLED, fields={"cancelled_at": "now", "cancel_reason": reason},
                 action="hq.instruction_cancelled", text=reason)
