"""Writes of 個別避難計画: make or change a plan (each save a dated version), name supporters, record a supporter's
own consent, take a supporter off. Each in one transaction with an AuditEvent of ids and counts only."""

from dataclasses import asdict, dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.areas.models import District
from toki.registry.models import Consent, Person
from toki.registry.models_plans import (
    PLAN_FIELDS,
    AlertLevel,
    AuthorKind,
    Plan,
    PlanVersion,
    Supporter,
    SupporterConsent,
    SupporterRelation,
)
from toki.registry.selectors_plans import may_write_plan
from toki.shelters.models import Shelter

MAX_WAYPOINTS = 200


@dataclass
class PlanInput:
    author_kind: str
    review_due: date
    start_level: int = AlertLevel.LEVEL_3
    author_name: str = ""
    destination_shelter: Shelter | None = None  # of the person's municipality
    destination_other: str = ""
    destination_point: list | None = None
    home_point: list | None = None
    route: list = field(default_factory=list)
    considerations: str = ""
    carry_items: list = field(default_factory=list)
    timing_note: str = ""
    family_contacts: list = field(default_factory=list)


def _check_point(name: str, point) -> None:
    if point is None:
        return
    if not (isinstance(point, list | tuple) and len(point) == 2 and all(isinstance(v, int | float) for v in point)):
        raise ValueError(f"{name}: a point is [latitude, longitude]")
    lat, lon = point
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{name}: {lat}, {lon} is not a latitude and longitude")


def _check(municipality_id: int, data: PlanInput, today: date) -> None:
    if data.author_kind not in AuthorKind.values:
        raise ValueError(f"author_kind: one of {', '.join(AuthorKind.values)}")
    if data.start_level not in AlertLevel.values:
        raise ValueError("start_level: an alert level from 3 to 5")
    if data.destination_shelter is None and not data.destination_other.strip():
        raise ValueError("destination: choose a shelter or name another place")
    if data.destination_shelter is not None and (
            data.destination_shelter.municipality_id != municipality_id):
        raise ValueError("destination_shelter: a shelter of the person's municipality")
    for name in ("destination_point", "home_point"):
        _check_point(name, getattr(data, name))
    if len(data.route) > MAX_WAYPOINTS:
        raise ValueError(f"route: at most {MAX_WAYPOINTS} waypoints")
    for number, point in enumerate(data.route, start=1):
        _check_point(f"route point {number}", point)
    if data.review_due <= today:
        raise ValueError("review_due: a date after today")


def _snapshot(plan: Plan) -> dict:
    content = {name: getattr(plan, name) for name in PLAN_FIELDS}
    content.update(destination_shelter=plan.destination_shelter_id, start_level=plan.start_level)
    return content


@transaction.atomic
def save_plan(*, actor, person: Person, data: PlanInput) -> Plan:
    """Make the person's plan, or change it (a new version). Refused without the person's plan-scope consent
    (under the mode) or when `actor` may not write it."""
    if not may_write_plan(actor, person):
        raise PermissionDenied("no consent for a plan, or not a plan you may write")
    now, today = timezone.now(), timezone.localdate()
    _check(District.objects.values_list("municipality_id", flat=True).get(pk=person.district_id), data, today)
    values = asdict(data)
    values["destination_shelter"] = data.destination_shelter  # asdict copies model instances deeply
    plan = Plan.objects.select_for_update().filter(person=person).first()
    if plan is None:
        plan = Plan(person=person, version=1, created_at=now, created_by=actor, updated_at=now, updated_by=actor,
                    **values)
    else:
        for name, value in values.items():
            setattr(plan, name, value)
        plan.version, plan.updated_at, plan.updated_by = plan.version + 1, now, actor
    plan.save()
    PlanVersion.objects.create(plan=plan, number=plan.version, saved_at=now, saved_by=actor,
                               author_kind=plan.author_kind, review_due=plan.review_due, content=_snapshot(plan))
    audit.record(actor=actor, action="registry.plan_saved", obj=plan,
                 changes={"person": person.pk, "version": plan.version})
    return plan


def _require_writer(actor, plan: Plan) -> None:
    if not may_write_plan(actor, plan.person):
        raise PermissionDenied("not a plan you may write")


def _check_consent(state: str, text_version: str, method: str, given_on: date) -> None:
    if state not in Consent.State.values:
        raise ValueError(f"state: one of {', '.join(Consent.State.values)}")
    if method not in Consent.Method.values:
        raise ValueError(f"method: one of {', '.join(Consent.Method.values)}")
    if not text_version.strip() or len(text_version) > 40:
        raise ValueError("text_version: the version of the consent text shown (1–40 characters)")
    if given_on > timezone.localdate():
        raise ValueError("given_on: not a date in the future")


@transaction.atomic
def add_supporter(*, actor, plan: Plan, name: str, phone: str, relation: str, address: str = "", role: str = "",
                  state: str, text_version: str, method: str, given_on: date) -> Supporter:
    """Name a 避難支援等実施者 with their own answer (a supporter who has not answered yet: state 未回答)."""
    _require_writer(actor, plan)
    if not name.strip() or not phone.strip():
        raise ValueError("name and phone: a supporter is named with a way to reach them")
    if relation not in SupporterRelation.values:
        raise ValueError(f"relation: one of {', '.join(SupporterRelation.values)}")
    _check_consent(state, text_version, method, given_on)
    now = timezone.now()
    supporter = Supporter.objects.create(plan=plan, name=name.strip(), phone=phone.strip(), address=address.strip(),
                                         relation=relation, role=role.strip(), added_at=now, added_by=actor)
    SupporterConsent.objects.create(supporter=supporter, state=state, text_version=text_version.strip(),
                                    method=method, given_on=given_on, recorded_at=now, recorded_by=actor)
    audit.record(actor=actor, action="registry.plan_supporter_added", obj=supporter,
                 changes={"plan": plan.pk, "state": state})
    return supporter


@transaction.atomic
def record_supporter_consent(*, actor, supporter: Supporter, state: str, text_version: str, method: str,
                             given_on: date) -> SupporterConsent:
    """Append a supporter's answer (the earlier ones stay as history)."""
    _require_writer(actor, supporter.plan)
    _check_consent(state, text_version, method, given_on)
    answer = SupporterConsent.objects.create(supporter=supporter, state=state, text_version=text_version.strip(),
                                             method=method, given_on=given_on, recorded_at=timezone.now(),
                                             recorded_by=actor)
    audit.record(actor=actor, action="registry.plan_supporter_consent", obj=supporter,
                 changes={"plan": supporter.plan_id, "state": state})
    return answer


@transaction.atomic
def remove_supporter(*, actor, supporter: Supporter) -> Supporter:
    _require_writer(actor, supporter.plan)
    if supporter.removed_at is not None:
        raise ValueError("this supporter was already taken off the plan")
    supporter.removed_at = timezone.now()
    supporter.save(update_fields=["removed_at"])
    audit.record(actor=actor, action="registry.plan_supporter_removed", obj=supporter,
                 changes={"plan": supporter.plan_id})
    return supporter
