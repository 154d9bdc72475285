"""JSON API of the HQ module under /api/v1/hq (mounted in toki/api.py): incidents (read), instructions (list,
create, acknowledge, start, complete) and the chronology (list, create).

Session authentication (a logged-in staff browser or client; CSRF token required for POST) as the damage API;
the same permission rules as the pages: members of incident-work org units read, HQ gives instructions and
writes the chronology, addressees answer their instructions; anyone else gets 404, anonymous callers 401."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from toki.areas.models import District
from toki.areas.selectors import district_by_code
from toki.hq import selectors
from toki.hq.actions import chronology as chronology_actions
from toki.hq.actions import instructions as instruction_actions
from toki.hq.models import ChronologyEntry, Incident, Instruction
from toki.hq.permissions import may_read_incidents
from toki.lib.bounded import Id, Moment, Offset

router = Router(tags=["hq"])


class ErrorsOut(Schema):
    errors: dict[str, list[str]]


class HqStatusOut(Schema):
    level: str
    established_at: datetime
    dissolved_at: datetime | None


class IncidentOut(Schema):
    id: int
    name: str
    kind: str
    is_drill: bool = Field(description="A drill (訓練): every output is marked and nothing is published")
    started_at: datetime
    ended_at: datetime | None
    districts: list[str] = Field(description="Codes of the affected districts")
    relief_act_applied_on: str | None = Field(description="災害救助法 application date (ISO), if applied")
    hq_statuses: list[HqStatusOut] = Field(description="警戒本部 / 災害対策本部 periods, oldest first")


class InstructionOut(Schema):
    id: int
    incident: int
    title: str
    content: str
    priority: str
    status: str
    to_org_unit: str | None
    to_user: str | None
    district: str | None
    due_at: datetime | None
    issued_at: datetime
    issued_by: str
    acknowledged_at: datetime | None
    started_at: datetime | None
    done_at: datetime | None
    result: str
    overdue: bool
    unacknowledged_late: bool = Field(description="Still not acknowledged 15 minutes after it was issued")


class InstructionIn(Schema):
    title: str
    content: str = ""
    priority: Instruction.Priority = Instruction.Priority.NORMAL
    due_at: Moment | None = None
    to_org_unit: Id | None = Field(None, description="Org unit id; give this or to_user")
    to_user: str | None = Field(None, description="Username; give this or to_org_unit")
    district: str | None = Field(None, description="District code")


class ResultIn(Schema):
    result: str


class EntryOut(Schema):
    id: int
    at: datetime
    sender: str
    recipient: str
    content: str
    category: str
    district: str | None
    source_type: str
    source_id: str
    is_automatic: bool
    annotations: list[str]


class EntryIn(Schema):
    content: str
    category: str = "other"
    at: Moment | None = None
    sender: str = ""
    recipient: str = ""
    district: str | None = Field(None, description="District code")


class PageIn(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


class InstructionFilter(PageIn):
    state: str = Field("open", description="open, attention (overdue or not acknowledged), closed or all")


class ChronologyFilter(PageIn):
    category: str = ""
    district: str = Field("", description="District code")


def _errors(exc: ValidationError) -> dict:
    return {"errors": exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}}


def _district(incident: Incident, code: str | None) -> District | None:
    if not code:
        return None
    district = district_by_code(incident.municipality_id, code)
    if district is None:
        raise ValidationError({"district": f"unknown district {code!r}"})
    return district


def _incident_out(incident: Incident) -> dict:
    return {"id": incident.pk, "name": incident.name, "kind": incident.kind, "is_drill": incident.is_drill,
            "started_at": incident.started_at, "ended_at": incident.ended_at,
            "districts": [d.code for d in incident.districts.all()],
            "relief_act_applied_on": incident.relief_act_applied_on.isoformat() if incident.relief_act_applied_on
            else None,
            "hq_statuses": [{"level": s.level, "established_at": s.established_at, "dissolved_at": s.dissolved_at}
                            for s in incident.hq_statuses.all()]}


def _instruction_out(i: Instruction) -> dict:
    return {"id": i.pk, "incident": i.incident_id, "title": i.title, "content": i.content, "priority": i.priority,
            "status": i.status, "to_org_unit": i.to_org_unit.name if i.to_org_unit else None,
            "to_user": i.to_user.username if i.to_user else None, "district": i.district.code if i.district else None,
            "due_at": i.due_at, "issued_at": i.issued_at, "issued_by": i.issued_by.username,
            "acknowledged_at": i.acknowledged_at, "started_at": i.started_at, "done_at": i.done_at,
            "result": i.result, "overdue": i.is_overdue(), "unacknowledged_late": i.is_unacknowledged_late()}


def _entry_out(e: ChronologyEntry) -> dict:
    return {"id": e.pk, "at": e.at, "sender": e.sender, "recipient": e.recipient, "content": e.content,
            "category": e.category, "district": e.district.code if e.district else None,
            "source_type": e.source_type, "source_id": e.source_id, "is_automatic": e.is_automatic,
            "annotations": [a.text for a in e.annotations.all()]}


def _require_reader(request) -> None:
    if not may_read_incidents(request.user):
        raise Http404


@router.get("/incidents", response=list[IncidentOut], auth=django_auth, summary="Incidents, newest first")
def list_incidents(request, page: Query[PageIn]):
    _require_reader(request)
    incidents = selectors.incidents_for(request.user).prefetch_related("hq_statuses")
    return [_incident_out(i) for i in incidents[page.offset:page.offset + page.limit]]


@router.get("/incidents/{incident_id}", response=IncidentOut, auth=django_auth, summary="One incident")
def incident_detail(request, incident_id: Id):
    return _incident_out(selectors.get_incident_for_user(request.user, incident_id))


@router.get("/incidents/{incident_id}/instructions", response=list[InstructionOut], auth=django_auth,
            summary="An incident's instructions, those needing attention first")
def list_instructions(request, incident_id: Id, filters: Query[InstructionFilter]):
    incident = selectors.get_incident_for_user(request.user, incident_id, with_districts=False)
    state = filters.state if filters.state in ("open", "attention", "closed") else ""
    instructions = selectors.instructions_for(request.user, incident, state=state)
    return [_instruction_out(i) for i in instructions[filters.offset:filters.offset + filters.limit]]


@router.post("/incidents/{incident_id}/instructions", response={201: InstructionOut, 422: ErrorsOut},
             auth=django_auth, summary="Give an instruction (HQ editors)")
def create_instruction(request, incident_id: Id, data: InstructionIn):
    incident = selectors.get_incident_for_user(request.user, incident_id, with_districts=False)
    try:
        to_org_unit, to_user = selectors.addressee(data.to_org_unit, data.to_user)
        if (data.to_org_unit and to_org_unit is None) or (data.to_user and to_user is None):
            raise ValidationError({"to": "unknown addressee"})
        instruction = instruction_actions.give_instruction(
            acting_user=request.user, incident=incident, title=data.title, content=data.content,
            priority=data.priority, due_at=data.due_at, to_org_unit=to_org_unit, to_user=to_user,
            district=_district(incident, data.district))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return 422, _errors(exc)
    return 201, _instruction_out(instruction)


@router.get("/instructions/mine", response=list[InstructionOut], auth=django_auth,
            summary="Open instructions addressed to me or my org units")
def my_instructions(request, page: Query[PageIn]):
    _require_reader(request)
    return [_instruction_out(i) for i in selectors.my_instructions(request.user)[page.offset:page.offset + page.limit]]


def _answer(request, instruction_id: Id, action, **kwargs):
    _require_reader(request)
    instruction = selectors.get_instruction_for_user(request.user, instruction_id)
    try:
        instruction = action(acting_user=request.user, instruction=instruction, **kwargs)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return 422, _errors(exc)
    return 200, _instruction_out(instruction)


@router.post("/instructions/{instruction_id}/acknowledge", response={200: InstructionOut, 422: ErrorsOut},
             auth=django_auth, summary="受領: acknowledge (the addressee or HQ)")
def acknowledge(request, instruction_id: Id):
    return _answer(request, instruction_id, instruction_actions.acknowledge_instruction)


@router.post("/instructions/{instruction_id}/start", response={200: InstructionOut, 422: ErrorsOut},
             auth=django_auth, summary="着手: work started (the addressee or HQ)")
def start(request, instruction_id: Id):
    return _answer(request, instruction_id, instruction_actions.start_instruction)


@router.post("/instructions/{instruction_id}/complete", response={200: InstructionOut, 422: ErrorsOut},
             auth=django_auth, summary="完了報告: done, with the result (the addressee or HQ)")
def complete(request, instruction_id: Id, data: ResultIn):
    return _answer(request, instruction_id, instruction_actions.complete_instruction, result=data.result)


@router.get("/incidents/{incident_id}/chronology", response=list[EntryOut], auth=django_auth,
            summary="The chronology, newest first")
def list_chronology(request, incident_id: Id, filters: Query[ChronologyFilter]):
    incident = selectors.get_incident_for_user(request.user, incident_id, with_districts=False)
    try:
        district = _district(incident, filters.district)
    except ValidationError:
        raise Http404 from None
    entries = selectors.chronology_for(request.user, incident, category=filters.category, district=district)
    return [_entry_out(e) for e in entries[filters.offset:filters.offset + filters.limit]]


@router.post("/incidents/{incident_id}/chronology", response={201: EntryOut, 422: ErrorsOut}, auth=django_auth,
             summary="Write a chronology entry (HQ reporters and above)")
def create_entry(request, incident_id: Id, data: EntryIn):
    incident = selectors.get_incident_for_user(request.user, incident_id, with_districts=False)
    try:
        entry = chronology_actions.write_entry(
            acting_user=request.user, incident=incident, content=data.content, category=data.category, at=data.at,
            sender=data.sender, recipient=data.recipient, district=_district(incident, data.district))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return 422, _errors(exc)
    return 201, _entry_out(selectors.chronology_for(request.user, incident).get(pk=entry.pk))
