"""Applying check-in events (docs/shelter-ops-sync.md): the tablet's outbox, and the staff desk forms too.

Idempotent on the event id: each event is applied and stored in one savepoint; the unique constraint on
`CheckinEvent.event_id` turns a concurrent second copy into a rolled-back savepoint answered `duplicate`. One
AuditEvent per batch (counts only), in the same transaction.

Occupancy stays exact without a recount: a check-in or check-out locks its household row first (so changes to one
household's registrations are serialised), works out how many people and households it added or removed, and the
batch ends with one `UPDATE … SET people_in = people_in + Δ` of the opening, the last statement before COMMIT, so the
opening row is locked only for that moment (docs/shelter-ops.md, "Counts under load"). On SQLite, writers queue on a
file lock rather than on SQLite's busy handler, which polls with sleeps of up to 100 ms (see `_writer_turn`).
"""

import fcntl
import logging
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from toki.accounts import audit
from toki.lib.db import update_returning
from toki.shelters import events as shelter_events
from toki.shelters.actions import payloads
from toki.shelters.actions.errors import NotAllowed
from toki.shelters.actions.households import detect_duplicates, link_card
from toki.shelters.actions.payloads import Rejected
from toki.shelters.card_readers import card_hash
from toki.shelters.matching import contains_personal_number
from toki.shelters.models import (
    CheckinEvent,
    Household,
    Member,
    OpeningStatus,
    Registration,
    ShelterOpening,
)
from toki.shelters.permissions import may_manage_shelter
from toki.shelters.selectors import belongs_to_opening

logger = logging.getLogger(__name__)

MAX_EVENTS = 200
MAX_MERGE_HOPS = 5  # a household merged into one merged into another…: followed this far, never in a loop
FUTURE_TOLERANCE = timedelta(minutes=10)
QR_PREFIX = "TOKI-SHELTER:1:"
# What a handler may raise on input its validation missed (a bug): the event is rejected, the batch goes on. Not
# OperationalError (a deadlock, a lost connection): that fails the batch, and the tablet sends it again.
UNREADABLE = (ValueError, TypeError, OverflowError, RecursionError, KeyError, AttributeError, DataError)


@dataclass
class EventIn:
    id: uuid.UUID | None  # None: the tablet's id is not a UUID (answered `invalid_event:id`, never stored)
    type: str
    occurred_at: object  # str or datetime; checked here (naive → rejected)
    payload: object = field(default_factory=dict)  # checked here (`payloads.check_shape`)
    sent_id: str = ""  # the id exactly as sent, echoed in the answer (the tablet matches answers on it)
    problem: str = ""  # why the event cannot even be read: it is answered rejected with this code


def read_event(raw) -> EventIn:
    """One event of a request body as sent (any JSON value), never raising: what cannot be read is kept as a
    `problem` and answered per event, so one broken event does not fail its batch (security issue 13, finding 6)."""
    if not isinstance(raw, dict):
        return EventIn(id=None, type="", occurred_at=None, problem="invalid_event")
    sent_id = raw.get("id")
    sent_id = sent_id[:80] if isinstance(sent_id, str) else ""
    try:
        event_id = uuid.UUID(sent_id) if sent_id else None
    except ValueError:
        event_id = None
    # What is stored as the type is one of ours, never what was sent.
    type_ = raw["type"] if isinstance(raw.get("type"), str) and raw["type"] in HANDLERS else ""
    event = EventIn(id=event_id, type=type_, occurred_at=raw.get("occurred_at"), payload=raw.get("payload", {}),
                    sent_id=sent_id)
    if event_id is None:
        event.problem = "invalid_event:id"
    return event


@dataclass
class _Outcome:
    household_id: uuid.UUID | None = None
    member_ids: list = field(default_factory=list)
    details: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    people_delta: int = 0
    households_delta: int = 0
    occupancy_changed: bool = False
    checked_in_ids: list = field(default_factory=list)  # Registration ids that arrived (for shelters.people_checked_in)


def apply_events(*, acting_user, opening: ShelterOpening, device_id: str, events: list[EventIn],
                 source: str = Household.Source.TABLET) -> list[dict]:
    """Apply `events` in order; one result dict per event (contract §3). Raises NotAllowed for a stranger."""
    if acting_user is not None and not may_manage_shelter(acting_user, opening.shelter_id):
        raise NotAllowed("not your shelter")
    if len(events) > MAX_EVENTS:
        raise ValueError(f"at most {MAX_EVENTS} events per request")
    counts: Counter = Counter()
    results = []
    known = _stored_events(events)
    with _writer_turn(), transaction.atomic():
        occupancy_changed, people_delta, households_delta = False, 0, 0
        arrivals: list[int] = []
        for event in events:
            stored = known.get(event.id)
            if event.id is None:  # nothing to store it under: answered, never stored
                result = {"id": event.sent_id, "status": "rejected", "error": event.problem, "server_ids": {}}
            elif stored is not None:
                result = _duplicate_result(stored)
            else:
                result, stored, outcome = _apply_one(acting_user, opening, device_id, event, source)
                known[event.id] = stored
                if outcome is not None:
                    arrivals.extend(outcome.checked_in_ids)
                if outcome is not None and outcome.occupancy_changed:
                    occupancy_changed = True
                    people_delta += outcome.people_delta
                    households_delta += outcome.households_delta
            if event.sent_id:
                result["id"] = event.sent_id
            counts[result["status"]] += 1
            results.append(result)
        audit.record(actor=acting_user, action="shelters.events.sync", obj=opening,
                     changes={"applied": counts["applied"], "duplicate": counts["duplicate"],
                              "rejected": counts["rejected"], "source": source})
        if occupancy_changed:
            _add_occupancy(opening, people_delta, households_delta)
        if arrivals:
            shelter_events.people_checked_in(opening, arrivals)
    return results


def _stored_events(events: list[EventIn]) -> dict:
    """Events of a batch already stored (a tablet's retry), read before the write transaction to keep it short.
    One stored meanwhile by a concurrent request is caught by the unique event id and answered `duplicate` all the
    same (`_apply_one`), and that is how a lone event is checked: a batch of one (a check-in at the desk) skips this
    read, one query fewer on the busiest path, and a retried lone event costs one rolled-back savepoint instead."""
    if len(events) < 2:
        return {}
    return {e.event_id: e for e in CheckinEvent.objects.filter(event_id__in=[e.id for e in events if e.id])}


@contextmanager
def _writer_turn():
    """On a SQLite file database, wait for this write transaction's turn on an exclusive file lock (flock) next to
    the database before BEGIN IMMEDIATE. SQLite itself lets a second writer retry on a timer (sleeps of 1 … 100 ms,
    no queue), so under a steady stream of check-ins from several gunicorn processes, waiting writers overslept
    and starved (p95 of seconds at 50 requests/s); the kernel's flock wakes the next writer as soon as the lock is
    released. Not taken inside an outer transaction (which may already hold SQLite's lock), nor on PostgreSQL, nor
    on in-memory databases (tests)."""
    name = str(connection.settings_dict.get("NAME") or "")
    if (connection.vendor != "sqlite" or connection.in_atomic_block or not name or name == ":memory:"
            or name.startswith("file:") or "mode=memory" in name):
        yield
        return
    with open(f"{name}.writers", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _add_occupancy(opening: ShelterOpening, people_delta: int, households_delta: int) -> None:
    """Add the batch's changes to the opening's counts; announce a change of crowding. The UPDATE locks the row
    until COMMIT (PostgreSQL): batches of one opening queue only for this last statement, and each adds to the
    value the previous one committed, so the counts stay equal to the registrations."""
    row = update_returning(ShelterOpening, opening.pk, set_values={"updated_at": timezone.now()},
                           add={"people_in": people_delta, "households_in": households_delta},
                           returning=("people_in", "households_in", "status", "crowding_override"))
    opening.status, opening.crowding_override = row["status"], row["crowding_override"]
    opening.people_in = row["people_in"] - people_delta
    crowding_before = opening.crowding
    opening.people_in, opening.households_in = row["people_in"], row["households_in"]
    if opening.crowding != crowding_before:
        shelter_events.opening_changed(opening, "crowding")


def new_event(type_: str, payload: dict, occurred_at: datetime | None = None) -> EventIn:
    """An event made on the server (the staff desk forms): a fresh uuid, now."""
    return EventIn(id=uuid.uuid4(), type=type_, occurred_at=occurred_at or timezone.now(), payload=payload)


def _duplicate_result(stored: CheckinEvent) -> dict:
    return {"id": str(stored.event_id), "status": "duplicate", "error": stored.error,
            "original_status": stored.status, "server_ids": _server_ids(stored.household_id, stored.member_ids)}


def _server_ids(household_id, member_ids) -> dict:
    if household_id is None:
        return {}
    return {"household_id": str(household_id), "member_ids": [str(m) for m in member_ids]}


def _apply_one(acting_user, opening, device_id, event: EventIn, source,
               _retried: bool = False) -> tuple[dict, CheckinEvent, "_Outcome | None"]:
    base = {"event_id": event.id, "opening": opening, "type": event.type, "device_id": device_id[:64],
            "actor": acting_user if acting_user is not None and acting_user.is_authenticated else None}
    occurred_at = None
    try:
        with transaction.atomic():
            if event.problem:
                raise Rejected(event.problem)
            event_payload = payloads.check_shape(event.payload)
            if contains_personal_number(event_payload):
                raise Rejected("personal_number_refused")
            occurred_at = payloads.parse_occurred_at(event.occurred_at)
            if occurred_at > timezone.now() + FUTURE_TOLERANCE:
                raise Rejected("invalid_time")
            handler = HANDLERS.get(event.type)
            if handler is None:
                raise Rejected("invalid_payload:type")
            outcome = handler(opening, event_payload, occurred_at, source)
            details = {**outcome.details, **({"warnings": outcome.warnings} if outcome.warnings else {})}
            stored = CheckinEvent.objects.create(
                **base, occurred_at=occurred_at, status=CheckinEvent.Status.APPLIED,
                household_id=outcome.household_id, member_ids=[str(m) for m in outcome.member_ids],
                details=details)
    except UNREADABLE as error:
        # Defence in depth: validation should have named the field. The event is rejected as `malformed` (its
        # savepoint rolled back) rather than failing the batch; the class is logged, never the values.
        logger.warning("sync event %s of type %s unreadable: %s", event.id, event.type, type(error).__name__)
        return _reject(base, event, None, "malformed")
    except Rejected as rejection:
        return _reject(base, event, occurred_at, rejection.code)
    except IntegrityError:
        if CheckinEvent.objects.filter(event_id=event.id).exists():
            return _concurrent_duplicate(event.id)
        if _retried:
            raise
        # Another tablet registered the same person at this moment (unique registration): apply again, now
        # that its row is visible (it becomes "already checked in").
        return _apply_one(acting_user, opening, device_id, event, source, _retried=True)
    result = {"id": str(event.id), "status": "applied", "error": "",
              "server_ids": _server_ids(outcome.household_id, outcome.member_ids)}
    if outcome.warnings:
        result["warnings"] = outcome.warnings
    return result, stored, outcome


def _reject(base: dict, event: EventIn, occurred_at, code: str) -> tuple[dict, CheckinEvent, None]:
    """Store the event as rejected (so a retry is answered `duplicate`), in a savepoint of its own."""
    try:
        with transaction.atomic():
            stored = CheckinEvent.objects.create(**base, occurred_at=occurred_at,
                                                 status=CheckinEvent.Status.REJECTED, error=code[:80])
    except IntegrityError:
        return _concurrent_duplicate(event.id)
    return {"id": str(event.id), "status": "rejected", "error": stored.error, "server_ids": {}}, stored, None


def _concurrent_duplicate(event_id) -> tuple[dict, CheckinEvent, None]:
    # Another transaction stored this event id first (it committed while we waited on the unique index).
    stored = CheckinEvent.objects.get(event_id=event_id)
    return _duplicate_result(stored), stored, None


def _households_delta(opening, people_by_household: Counter, present_before: dict) -> int:
    """How many households became present (+1) or left (-1), given the people each gained or lost here and the
    people present before for the households whose registrations were read (under the household's row lock);
    any other household is counted after the change."""
    delta = 0
    for household_id, people in people_by_household.items():
        if not people:
            continue
        if household_id in present_before:
            before = present_before[household_id]
        else:
            before = Registration.objects.filter(opening=opening, household_id=household_id,
                                                 state=Registration.State.CHECKED_IN).count() - people
        delta += (before + people > 0) - (before > 0)
    return delta


def _recount(opening: ShelterOpening) -> None:
    """The full recount (a merge of households moves registrations between households); the caller locks the row."""
    totals = (Registration.objects.filter(opening=opening, state=Registration.State.CHECKED_IN)
              .aggregate(people=Count("id"), households=Count("household_id", distinct=True)))
    opening.people_in, opening.households_in = totals["people"], totals["households"]
    opening.save(update_fields=["people_in", "households_in", "updated_at"])


# --- handlers ----------------------------------------------------------------------------------------------

def _register_household(opening, payload, occurred_at, source) -> _Outcome:
    household_id = payloads.parse_uuid(payload.get("household_id"), "household_id")
    fields = payloads.household_fields(payload)
    members = payloads.members_list(payload.get("members"), required=True)
    if not any(values.get("name_kana") or values.get("name") for _id, values in members):
        raise Rejected("invalid_payload:members.0.name_kana")
    if Household.objects.filter(pk=household_id).exists():
        raise Rejected("household_exists")
    if Member.objects.filter(pk__in=[m for m, _v in members]).exists():
        raise Rejected("invalid_payload:members")
    household = Household.objects.create(id=household_id, municipality_id=opening.shelter.municipality_id,
                                         source=source, registered_opening=opening, **fields)
    created = [_new_member(household.pk, member_id, values) for member_id, values in members]
    detect_duplicates(created)
    return _Outcome(household_id, [m.pk for m in created], {"members": len(created), "fields": sorted(fields)})


def _new_member(household_id, member_id, values) -> Member:
    from toki.shelters.matching import kana_key, name_key

    member = Member(id=member_id, household_id=household_id, **values)
    member.kana_key, member.name_key = kana_key(member.name_kana), name_key(member.name)
    member.save(force_insert=True)
    return member


def _lock_household(household_id, opening: ShelterOpening | None = None) -> uuid.UUID:
    """Lock the household's row (followed through merges) and mark it changed for the tablets' roster; return its
    id. Every handler that changes an existing household starts here (check-in, check-out, update), so this is the
    one place that follows merges, and the one place that keeps a team to its own households: with `opening`, the
    household named by the event must belong to it (`selectors.belongs_to_opening`: registered, planned or with a
    registration here), else the answer is `unknown_household`, the same as for an id that does not exist, so ids
    of other shelters cannot be probed. Only a QR or card check-in passes no opening: the holder is present. A
    merge is followed without that condition, since it was decided by staff allowed to decide it.

    The lock serialises the changes to one household's registrations, and so its presence in the counts. One
    UPDATE … RETURNING per hop (the scope is a subquery of the same statement): taking the lock and touching
    `updated_at` cost one round trip, not a SELECT … FOR UPDATE and a later UPDATE. A check-in or check-out that
    changes nothing (already checked in) touches it too, and the roster then sends that household again, which is
    harmless; a rejected one rolls back with its savepoint."""
    now, hops = timezone.now(), 0
    scope = belongs_to_opening(opening) if opening is not None else None
    while True:
        row = update_returning(Household, household_id, set_values={"updated_at": now}, returning=("merged_into",),
                               only_if=scope)
        if row is None:
            raise Rejected("unknown_household")
        if row["merged_into"] is None or hops >= MAX_MERGE_HOPS:
            return household_id
        household_id, hops, scope = row["merged_into"], hops + 1, None


def _update_household(opening, payload, occurred_at, source) -> _Outcome:
    from toki.shelters.matching import kana_key, name_key

    household_id = _lock_household(payloads.parse_uuid(payload.get("household_id"), "household_id"), opening)
    fields = payloads.household_fields(payload.get("fields") or {}, "fields.")
    members = payloads.members_list(payload.get("members"), required=False)
    existing = {m.pk: m for m in Member.objects.filter(pk__in=[m for m, _v in members])}
    if any(m.household_id != household_id for m in existing.values()):
        raise Rejected("not_in_household")
    if fields:
        Household.objects.filter(pk=household_id).update(**fields)  # updated_at: touched by the lock
    touched, changed_fields = [], set(fields)
    for member_id, values in members:
        member = existing.get(member_id)
        if member is None:
            touched.append(_new_member(household_id, member_id, values))
            continue
        for name, value in values.items():
            setattr(member, name, value)
        member.kana_key, member.name_key = kana_key(member.name_kana), name_key(member.name)
        member.save()
        touched.append(member)
        changed_fields |= {f"member.{name}" for name in values}
    detect_duplicates(touched)
    return _Outcome(household_id, [m.pk for m in touched], {"fields": sorted(changed_fields)})


def _resolve_for_check_in(opening, payload) -> tuple[uuid.UUID, str]:
    if payload.get("qr_token"):
        token = payloads.parse_text(payload["qr_token"], "qr_token", 100).removeprefix(QR_PREFIX)
        household = Household.objects.filter(qr_token=token).only("pk").first()
        if household is None:
            raise Rejected("unknown_qr")
        return _lock_household(household.pk), "qr"
    if payload.get("card_id") and not payload.get("household_id"):
        member = Member.objects.filter(card_hash=card_hash(payloads.parse_text(payload["card_id"], "card_id"))).first()
        if member is None:
            raise Rejected("unknown_card")
        return _lock_household(member.household_id), "card"
    return _lock_household(payloads.parse_uuid(payload.get("household_id"), "household_id"), opening), "id"


def _members_of(household_id, requested) -> list[Member]:
    members = list(Member.objects.filter(household_id=household_id, merged_into__isnull=True))
    if requested is None:
        return members
    by_id = {m.pk: m for m in members}
    missing = [m for m in requested if m not in by_id]
    if missing:
        raise Rejected("unknown_member" if not Member.objects.filter(pk__in=missing).exists()
                       else "not_in_household")
    return [by_id[m] for m in requested]


def _check_in(opening, payload, occurred_at, source) -> _Outcome:
    if opening.status == OpeningStatus.CLOSED and opening.closed_at and occurred_at > opening.closed_at:
        raise Rejected("opening_closed")
    household_id, via = _resolve_for_check_in(opening, payload)
    members = _members_of(household_id, payloads.member_ids(payload.get("member_ids")))
    if not members:
        raise Rejected("unknown_member")
    if payload.get("card_id") and payload.get("household_id"):
        if len(members) != 1:
            raise Rejected("invalid_payload:member_ids")
        link_card(members[0], payloads.parse_text(payload["card_id"], "card_id"))
        via = "card_linked"
    # The members' registrations here, and the household's others (how many of it are present already).
    read = list(Registration.objects.select_for_update().filter(opening=opening).filter(
        Q(member__in=members) | Q(household_id=household_id)))
    wanted = {m.pk for m in members}
    registrations = {r.member_id: r for r in read if r.member_id in wanted}
    present_before = {household_id: sum(r.household_id == household_id and r.state == Registration.State.CHECKED_IN
                                        for r in read)}
    warnings, arrived, new, arrived_ids = set(), Counter(), [], []
    for member in members:
        reg = registrations.get(member.pk)
        if reg is None:
            new.append(Registration(opening=opening, household_id=household_id, member=member,
                                    state=Registration.State.CHECKED_IN, state_at=occurred_at,
                                    checked_in_at=occurred_at))
            arrived[household_id] += 1
        elif reg.state_at > occurred_at:
            warnings.add("superseded")
        elif reg.state == Registration.State.CHECKED_IN:
            warnings.add("already_checked_in")
        else:
            reg.state, reg.state_at, reg.checked_in_at = Registration.State.CHECKED_IN, occurred_at, occurred_at
            reg.checked_out_at, reg.destination, reg.destination_note, reg.transfer_opening = None, "", "", None
            reg.save()
            arrived[reg.household_id] += 1
            arrived_ids.append(reg.pk)
    if new:
        Registration.objects.bulk_create(new)
        arrived_ids += [reg.pk for reg in new]
    return _Outcome(household_id, [m.pk for m in members], {"via": via}, sorted(warnings),
                    people_delta=arrived.total(), households_delta=_households_delta(opening, arrived, present_before),
                    occupancy_changed=bool(arrived), checked_in_ids=arrived_ids)


def _check_out(opening, payload, occurred_at, source) -> _Outcome:
    requested_household = payloads.parse_uuid(payload.get("household_id"), "household_id")
    dest, note = payloads.destination(payload)
    requested = payloads.member_ids(payload.get("member_ids"))
    transfer_id = payload.get("transfer_opening_id")
    if transfer_id is not None:
        transfer_id = payloads.parse_id(transfer_id, "transfer_opening_id")
    household_id = _lock_household(requested_household, opening)
    transfer = None
    if transfer_id is not None:
        transfer = ShelterOpening.objects.filter(pk=transfer_id).exclude(status=OpeningStatus.CLOSED).first()
        if transfer is None or transfer.pk == opening.pk:
            raise Rejected("invalid_payload:transfer_opening_id")
        dest = Registration.Destination.OTHER_SHELTER
    registrations = list(Registration.objects.select_for_update().filter(
        opening=opening, household_id=household_id).select_related("member"))
    present_before = {household_id: sum(r.state == Registration.State.CHECKED_IN for r in registrations)}
    if requested is not None:
        by_member = {r.member_id: r for r in registrations}
        if any(m not in by_member for m in requested):
            raise Rejected("not_checked_in")
        registrations = [by_member[m] for m in requested]
    else:
        registrations = [r for r in registrations if r.state == Registration.State.CHECKED_IN]
        if not registrations:
            raise Rejected("not_checked_in")
    new_state = Registration.State.TRANSFERRED if transfer else Registration.State.CHECKED_OUT
    warnings, left = set(), Counter()
    for reg in registrations:
        if reg.state_at > occurred_at:
            warnings.add("superseded")
            continue
        if reg.state != Registration.State.CHECKED_IN:
            warnings.add("not_checked_in")
            continue
        reg.state, reg.state_at, reg.checked_out_at = new_state, occurred_at, occurred_at
        reg.destination, reg.destination_note, reg.transfer_opening = dest, note, transfer
        reg.save()
        left[reg.household_id] -= 1
        if transfer is not None:
            Registration.objects.get_or_create(opening=transfer, member=reg.member, defaults={
                "household_id": household_id, "state": Registration.State.PLANNED, "state_at": occurred_at})
    details = {"destination": dest, **({"transfer_opening": transfer.pk} if transfer else {})}
    return _Outcome(household_id, [r.member_id for r in registrations], details, sorted(warnings),
                    people_delta=left.total(), households_delta=_households_delta(opening, left, present_before),
                    occupancy_changed=bool(left))


HANDLERS = {
    CheckinEvent.Type.REGISTER_HOUSEHOLD: _register_household,
    CheckinEvent.Type.UPDATE_HOUSEHOLD: _update_household,
    CheckinEvent.Type.CHECK_IN: _check_in,
    CheckinEvent.Type.CHECK_OUT: _check_out,
}
