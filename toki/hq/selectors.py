"""Permission-scoped reads of the HQ module (DESIGN.md rule 4): "not yours" is a 404."""

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from toki.accounts.models import Membership, OrgUnit, User
from toki.accounts.selectors import memberships_of
from toki.areas.models import District
from toki.hq.models import ChronologyEntry, Incident, Instruction
from toki.hq.models.instructions import ACKNOWLEDGE_WITHIN
from toki.hq.permissions import STAFF_KINDS, may_read_incidents


def active_incidents(municipality, *, include_drills: bool = True) -> QuerySet[Incident]:
    """Incidents not yet ended, newest first. For system use (shelter openings, the board); not user-scoped."""
    incidents = Incident.objects.filter(municipality=municipality, ended_at__isnull=True)
    return incidents if include_drills else incidents.filter(is_drill=False)


def incidents_for(user) -> QuerySet[Incident]:
    """Every incident `user` may read: all of them for members of incident-work org units, none otherwise."""
    if not may_read_incidents(user):
        return Incident.objects.none()
    return Incident.objects.select_related("municipality").prefetch_related(
        Prefetch("districts", queryset=District.objects.defer("boundary")))


def get_incident_for_user(user, pk, *, with_districts: bool = True) -> Incident:
    """The incident if `user` may read it, else 404. `with_districts=False` skips prefetching the affected
    districts (the board's polling partials do not show them: one query less per poll)."""
    incidents = incidents_for(user)
    if not with_districts:
        incidents = incidents.prefetch_related(None)
    try:
        return incidents.get(pk=pk)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404("no such incident") from None


# Instructions -------------------------------------------------------------------------------------------------

PRIORITY_RANK = Case(When(priority=Instruction.Priority.URGENT, then=Value(0)),
                     When(priority=Instruction.Priority.HIGH, then=Value(1)), default=Value(2),
                     output_field=IntegerField())


def _attention_q(now) -> Q:
    """Open and past due, or still unacknowledged after ACKNOWLEDGE_WITHIN."""
    return (Q(status__in=Instruction.OPEN_STATUSES, due_at__lt=now)
            | Q(status=Instruction.Status.ISSUED, issued_at__lt=now - ACKNOWLEDGE_WITHIN))


def _with_order(instructions: QuerySet[Instruction], now) -> QuerySet[Instruction]:
    """Those needing attention first, then by priority and due time."""
    return instructions.annotate(
        attention=Case(When(_attention_q(now), then=Value(0)), default=Value(1), output_field=IntegerField()),
        priority_rank=PRIORITY_RANK,
    ).order_by("attention", "priority_rank", "due_at", "-issued_at", "-pk")


def instructions_for(user, incident: Incident | None = None, *, state: str = "") -> QuerySet[Instruction]:
    """Instructions `user` may read (those of incidents they may read), filtered by `state`: "open",
    "attention" (overdue or unacknowledged too long), "closed" (done or cancelled), or "" for all."""
    if not may_read_incidents(user):
        return Instruction.objects.none()
    now = timezone.now()
    instructions = Instruction.objects.select_related("incident", "to_org_unit", "to_user", "issued_by",
                                                      "district").defer("district__boundary")
    if incident is not None:
        instructions = instructions.filter(incident=incident)
    if state == "open":
        instructions = instructions.filter(status__in=Instruction.OPEN_STATUSES)
    elif state == "attention":
        instructions = instructions.filter(_attention_q(now))
    elif state == "closed":
        instructions = instructions.exclude(status__in=Instruction.OPEN_STATUSES)
    return _with_order(instructions, now)


def my_instructions(user, *, open_only: bool = True) -> QuerySet[Instruction]:
    """Instructions addressed to `user` or to an org unit they are a member of; open ones by default."""
    if not user.is_authenticated:
        return Instruction.objects.none()
    org_units = [m.org_unit_id for m in memberships_of(user)]
    instructions = Instruction.objects.filter(Q(to_user=user) | Q(to_org_unit__in=org_units)).select_related(
        "incident", "to_org_unit", "to_user", "issued_by")
    if open_only:
        instructions = instructions.filter(status__in=Instruction.OPEN_STATUSES)
    return _with_order(instructions, timezone.now())


def get_instruction_for_user(user, pk) -> Instruction:
    """An instruction the user may read: any of an incident they read, or one addressed to them."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("no such instruction") from None
    instruction = instructions_for(user).filter(pk=pk).first() or my_instructions(user, open_only=False).filter(
        pk=pk).first()
    if instruction is None:
        raise Http404("no such instruction")
    return instruction


# Chronology ---------------------------------------------------------------------------------------------------

def chronology_for(user, incident: Incident, *, category: str = "", district=None) -> QuerySet[ChronologyEntry]:
    """The incident's chronology, newest first, filtered by category and district (an entry without a district
    concerns the whole municipality and is kept by a district filter too only when `district` is None)."""
    if not may_read_incidents(user):
        return ChronologyEntry.objects.none()
    entries = ChronologyEntry.objects.filter(incident=incident).select_related("district", "created_by").defer(
        "district__boundary")
    if category:
        entries = entries.filter(category=category)
    if district is not None:
        entries = entries.filter(district=district)
    return entries.prefetch_related("annotations__created_by").order_by("-at", "-pk")


def get_entry_for_user(user, incident: Incident, pk) -> ChronologyEntry:
    try:
        return chronology_for(user, incident).get(pk=pk)
    except (ChronologyEntry.DoesNotExist, ValueError, TypeError):
        raise Http404("no such entry") from None


def staff_users() -> QuerySet[User]:
    """People who take part in incident work (the possible addressees of an instruction), by name."""
    ids = Membership.objects.filter(org_unit__kind__in=STAFF_KINDS).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username")


def staff_org_units() -> QuerySet[OrgUnit]:
    """Org units that take part in incident work (the possible addressee units of an instruction), by name."""
    return OrgUnit.objects.filter(kind__in=STAFF_KINDS).order_by("name")


def addressee(org_unit_id: int | None, username: str | None) -> tuple[OrgUnit | None, User | None]:
    """The org unit and the person an instruction given through the API names (None for each not given or not
    found; the caller refuses an unknown one)."""
    to_org_unit = OrgUnit.objects.filter(pk=org_unit_id).first() if org_unit_id else None
    to_user = User.objects.filter(username=username).first() if username else None
    return to_org_unit, to_user
