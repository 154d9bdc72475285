"""/api/v1/shelters: public status of open shelters (no personal data) and the staff endpoints of the offline
sync contract (docs/shelter-ops-sync.md: session auth + CSRF header)."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from toki.areas.selectors import default_municipality
from toki.lib.bounded import Id, Latitude, Longitude
from toki.shelters import selectors
from toki.shelters.actions.households import record_read
from toki.shelters.actions.sync import MAX_EVENTS, apply_events, read_event
from toki.shelters.models import OpeningStatus
from toki.shelters.permissions import may_use_shelter_ops

router = Router(tags=["shelters"])
# A roster read with `since` also returns households changed shortly before it, to cover transactions that were
# still committing at the previous read (docs/shelter-ops-sync.md §2).
CURSOR_OVERLAP = timedelta(seconds=5)


class OpenShelterOut(Schema):
    opening_id: int
    shelter_id: int
    name: str
    address: str = ""
    lat: float
    lon: float
    hazards: list[str] = Field(default_factory=list, description="hazards the site is designated for: flood, "
                               "landslide, storm_surge, earthquake, tsunami, large_fire, inland_flood, volcano")
    status: str = Field(description="open (開設) or full (満員)")
    crowding: str = Field(description="vacant (空き), crowded (混雑), full (満員) or unknown")
    opened_at: datetime
    confirmed_at: datetime = Field(description="状況確認日時: when staff last confirmed the status")


class StatusOut(Schema):
    municipality: str
    open: int
    full: int
    openings: list[OpenShelterOut]


def _public(o) -> dict:
    return {"opening_id": o.opening_id, "shelter_id": o.shelter_id, "name": o.name, "address": o.address,
            "lat": o.lat, "lon": o.lon, "hazards": list(o.hazards), "status": o.status, "crowding": o.crowding,
            "opened_at": o.opened_at, "confirmed_at": o.confirmed_at}


@router.get("/status", response=StatusOut, summary="Open shelters now, with status and crowding (public)")
def status(request):
    municipality = default_municipality()
    if municipality is None:
        return {"municipality": "", "open": 0, "full": 0, "openings": []}
    openings = selectors.public_open_shelters(municipality)
    return {"municipality": municipality.code, "openings": [_public(o) for o in openings],
            "open": sum(o.status == OpeningStatus.OPEN for o in openings),
            "full": sum(o.status == OpeningStatus.FULL for o in openings)}


@router.get("/openings", response=list[OpenShelterOut], summary="Open shelters (public), nearest first with lat/lon")
def openings(request, lat: Latitude | None = None, lon: Longitude | None = None,
             limit: Annotated[int, Field(ge=1, le=500)] = 200):
    limit = max(1, min(limit, 500))
    municipality = default_municipality()
    if municipality is None:
        return []
    if lat is not None and lon is not None:
        return [_public(n.shelter) for n in selectors.nearest_open_shelters(lat, lon, limit,
                                                                            municipality=municipality)]
    return [_public(o) for o in selectors.public_open_shelters(municipality)[:limit]]


# --- staff ---------------------------------------------------------------------------------------------------

class ShelterRef(Schema):
    id: int
    name: str
    capacity: int | None


class IncidentRef(Schema):
    id: int
    name: str
    is_drill: bool


class StaffOpeningOut(Schema):
    id: int
    shelter: ShelterRef
    incident: IncidentRef
    status: str
    crowding: str
    people_in: int
    households_in: int
    opened_at: datetime
    closed_at: datetime | None


def _require_staff(request) -> None:
    if not may_use_shelter_ops(request.user):
        raise HttpError(403, "Forbidden")


def _staff_opening(o) -> dict:
    return {"id": o.pk, "shelter": {"id": o.shelter.pk, "name": o.shelter.name, "capacity": o.shelter.capacity},
            "incident": {"id": o.incident.pk, "name": o.incident.name, "is_drill": o.incident.is_drill},
            "status": o.status, "crowding": o.crowding, "people_in": o.people_in, "households_in": o.households_in,
            "opened_at": o.opened_at, "closed_at": o.closed_at}


@router.get("/staff/openings", response=list[StaffOpeningOut], auth=django_auth,
            summary="Openings the staff member works on (live, or closed within 24 h), with occupancy")
def staff_openings(request):
    _require_staff(request)
    return [_staff_opening(o) for o in selectors.working_openings_for(request.user)]


class CareCount(Schema):
    code: str
    count: int


class DayNight(Schema):
    date: str
    day: int
    night: int


class CountsOut(Schema):
    opening_id: int
    people_in: int
    households_in: int
    planned: int
    checked_out: int
    transferred: int
    care: list[CareCount]
    by_day: list[DayNight]


@router.get("/openings/{opening_id}/counts", response=CountsOut, auth=django_auth,
            summary="Counts of one opening: now, by day and night, 要配慮者 by type (staff)")
def counts(request, opening_id: Id):
    opening = selectors.get_opening_for_user(request.user, opening_id)
    c = selectors.opening_counts(opening)
    return {"opening_id": opening.pk, "people_in": c.people_in, "households_in": c.households_in,
            "planned": c.planned, "checked_out": c.checked_out, "transferred": c.transferred,
            "care": [{"code": k, "count": v} for k, v in c.care.items()],
            "by_day": [{"date": d.isoformat(), "day": day, "night": night} for d, day, night in c.by_day]}


class MemberOut(Schema):
    id: str
    name: str
    name_kana: str
    sex: str
    birth_date: str | None
    care_needs: list[str]
    state: str
    state_at: datetime | None


class HouseholdOut(Schema):
    id: str
    qr: bool
    qr_sha256: str | None = None  # lets an offline tablet name the household of a scanned QR (contract §2)
    pre_registered: bool
    removed: bool = False
    members: list[MemberOut]


class RosterOpening(Schema):
    id: int
    status: str
    crowding: str
    shelter_name: str
    capacity: int | None
    people_in: int
    households_in: int


class RosterOut(Schema):
    opening: RosterOpening
    cursor: str
    complete: bool
    households: list[HouseholdOut]


def _cursor(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1_000_000))


def _since(cursor: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(cursor) / 1_000_000, tz=UTC) - CURSOR_OVERLAP
    except (ValueError, OverflowError, OSError):
        raise HttpError(422, "invalid cursor") from None


def _household_out(household) -> dict:
    states = {r.member_id: r for r in household.here}
    removed = household.merged_into_id is not None
    members = [] if removed else [{
        "id": str(m.pk), "name": m.name, "name_kana": m.name_kana, "sex": m.sex,
        "birth_date": m.birth_date.isoformat() if m.birth_date else None, "care_needs": m.care_needs,
        "state": states[m.pk].state if m.pk in states else "planned",
        "state_at": states[m.pk].state_at if m.pk in states else None} for m in household.members.all()]
    return {"id": str(household.pk), "qr": bool(household.qr_token), "removed": removed,
            "qr_sha256": hashlib.sha256(household.qr_token.encode()).hexdigest() if household.qr_token else None,
            "pre_registered": household.source == "pre_registration", "members": members}


@router.get("/openings/{opening_id}/roster", response=RosterOut, auth=django_auth,
            summary="Roster snapshot for offline use (sync contract §2); audited")
def roster(request, opening_id: Id, since: str | None = None):
    opening = selectors.get_opening_for_user(request.user, opening_id, manage=True)
    read_at = timezone.now()
    households = selectors.roster_snapshot(opening, _since(since) if since else None)
    record_read(acting_user=request.user, what="roster", obj=opening, count=len(households),
                incremental=bool(since))
    return {"opening": {"id": opening.pk, "status": opening.status, "crowding": opening.crowding,
                        "shelter_name": opening.shelter.name, "capacity": opening.shelter.capacity,
                        "people_in": opening.people_in, "households_in": opening.households_in},
            "cursor": _cursor(read_at), "complete": since is None,
            "households": [_household_out(h) for h in households]}


class SyncEventIn(Schema):
    """One event (contract §3). Each is read on its own (`actions.sync.read_event`): an event that does not fit
    this shape is answered `rejected` with a reason, and the rest of the batch is applied."""

    id: uuid.UUID
    type: Literal["check_in", "check_out", "register_household", "update_household"]
    occurred_at: str = Field(max_length=40)
    payload: dict = Field(default_factory=dict)


class SyncIn(Schema):
    device_id: str = Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$",
                           description="random per tablet install, printable ASCII (e.g. tablet-<uuid>)")
    events: list[Any] = Field(min_length=1, max_length=MAX_EVENTS, json_schema_extra={
        "items": SyncEventIn.model_json_schema(ref_template="#/components/schemas/{model}")},
        description="SyncEventIn objects, applied in order; each is validated on its own")


class EventResult(Schema):
    id: str
    status: str
    error: str
    original_status: str | None = None
    warnings: list[str] | None = None
    server_ids: dict


class SyncOut(Schema):
    opening_id: int
    people_in: int
    households_in: int
    results: list[EventResult]


@router.post("/openings/{opening_id}/events", response=SyncOut, auth=django_auth, url_name="shelters_sync_events",
             summary="Send check-in events (sync contract §3); idempotent per event id")
def events(request, opening_id: Id, body: SyncIn):
    opening = selectors.get_opening_to_manage(request.user, opening_id)
    incoming = [read_event(raw) for raw in body.events]
    results = apply_events(acting_user=request.user, opening=opening, device_id=body.device_id, events=incoming)
    return {"opening_id": opening.pk, "people_in": opening.people_in, "households_in": opening.households_in,
            "results": results}


@router.get("/staff/board", response=list[StaffOpeningOut], auth=django_auth,
            summary="Every live opening of active incidents with occupancy (HQ)")
def board(request):
    from toki.shelters.permissions import is_hq_reader

    if not is_hq_reader(request.user):
        raise HttpError(403, "Forbidden")
    municipality = default_municipality()
    if municipality is None:
        raise Http404
    return [_staff_opening(o) for o in selectors.openings_for(request.user).filter(
        shelter__municipality=municipality, incident__ended_at__isnull=True).exclude(status=OpeningStatus.CLOSED)
        .order_by("shelter__name", "pk")]
