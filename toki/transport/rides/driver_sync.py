"""The driver's tablet's marks, synced: the shelter tablet's contract (docs/shelter-ops-sync.md) for rides.

    POST /rides/driver/events  {"device_id": "tablet-…", "events": [
        {"id": "<uuid>", "type": "boarded" | "no_show" | "dropped_off",
         "occurred_at": "2026-12-07T10:02:11.000Z", "payload": {"booking": 42}}, …]}
    → {"results": [{"id": "<uuid>", "status": "applied" | "duplicate" | "rejected", "error": "…",
                    "original_status": "applied" | "rejected" (duplicates)}, …]}

Each event is read and applied on its own, in the order sent (a boarding before its drop-off): a bad event is
rejected with what is wrong and where ("payload.booking: Booking 12 is not on this vehicle's plan."), and the events
behind it are still applied. An event id seen before is answered "duplicate" with its first answer, so a batch
sent twice (a lost answer) changes nothing the second time. A rejection is final; the tablet shows it."""

import uuid
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from toki.lib.report_fields import ReportInvalid, moment
from toki.transport.rides import actions, driver
from toki.transport.rides.models import Booking, DriverEvent, DriverTablet

MAX_EVENTS = 200
AHEAD = timedelta(minutes=2)  # the tablet's clock may run a little fast
BEHIND = timedelta(days=3)  # a tablet off the network over a long weekend still sends its marks


class Rejected(Exception):
    """One event cannot be applied; the message says where and what."""


def message_of(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


def _read(raw, now: datetime) -> tuple[str, uuid.UUID | None, dict]:
    """(id as sent, its UUID, the checked fields); a problem raises Rejected once the id is known."""
    if not isinstance(raw, dict):
        return "", None, {"problem": "event: an object is needed"}
    raw_id = raw.get("id")
    sent = raw_id if isinstance(raw_id, str) else ""
    try:
        event_id = uuid.UUID(sent[:40])
    except ValueError:
        return sent[:80], None, {"problem": "id: a UUID is needed"}
    fields: dict = {}
    try:
        if raw.get("type") not in DriverEvent.Kind.values:
            raise ReportInvalid(f"type: one of {', '.join(DriverEvent.Kind.values)}")
        fields["kind"] = raw["type"]
        fields["occurred_at"] = moment(raw.get("occurred_at"), "occurred_at", now, ahead=AHEAD, behind=BEHIND)
        payload = raw.get("payload")
        booking = payload.get("booking") if isinstance(payload, dict) else None
        if isinstance(booking, bool) or not isinstance(booking, int) or booking <= 0:
            raise ReportInvalid("payload.booking: the booking's number is needed")
        fields["booking_id"] = booking
    except ReportInvalid as error:
        fields["problem"] = str(error)
    return sent, event_id, fields


def _apply(tablet: DriverTablet, fields: dict) -> None:
    """The mark itself, through the rides actions (a no-show through the phone desk's own action and rule)."""
    kind, at, booking_id = fields["kind"], fields["occurred_at"], fields["booking_id"]
    if kind == DriverEvent.Kind.BOARDED:
        driver.mark_boarded(tablet=tablet, booking_id=booking_id, at=at)
    elif kind == DriverEvent.Kind.DROPPED_OFF:
        driver.mark_dropped_off(tablet=tablet, booking_id=booking_id, at=at)
    else:
        booking = driver.booking_of(tablet, booking_id)
        # The tablet's time of the mark is the moment the rule is checked against (never later than now).
        actions.mark_no_show(acting_user=None, booking=booking, now=min(at, timezone.now()))


def _applied(tablet: DriverTablet, event_id: uuid.UUID, fields: dict) -> DriverEvent:
    error = fields.get("problem", "")
    if not error:
        try:
            with transaction.atomic():  # the mark and nothing else, or nothing at all
                _apply(tablet, fields)
        except ValidationError as problem:
            error = message_of(problem)
    ours = "booking_id" in fields and Booking.objects.filter(pk=fields["booking_id"],
                                                              vehicle_id=tablet.vehicle_id).exists()
    return DriverEvent.objects.create(
        event_id=event_id, tablet=tablet, kind=fields.get("kind", ""),
        booking_id=fields["booking_id"] if ours else None,
        occurred_at=fields.get("occurred_at"), error=error[:200],
        status=DriverEvent.Status.REJECTED if error else DriverEvent.Status.APPLIED)


def _one(tablet: DriverTablet, raw, now: datetime) -> dict:
    sent, event_id, fields = _read(raw, now)
    if event_id is None:
        return {"id": sent, "status": "rejected", "error": fields["problem"]}
    stored = DriverEvent.objects.filter(event_id=event_id).first()
    if stored is not None:
        return {"id": sent, "status": "duplicate", "original_status": stored.status, "error": stored.error}
    try:
        with transaction.atomic():  # the mark and its record together: a request sent twice at once applies once
            row = _applied(tablet, event_id, fields)
    except IntegrityError:  # the same event stored meanwhile by a request sent twice at once
        stored = DriverEvent.objects.get(event_id=event_id)
        return {"id": sent, "status": "duplicate", "original_status": stored.status, "error": stored.error}
    return {"id": sent, "status": row.status, "error": row.error}


def apply_events(*, tablet: DriverTablet, events: list, now: datetime | None = None) -> list[dict]:
    """One answer per event, in order. Raises ValueError for a batch that is too long (nothing applied)."""
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS:
        raise ValueError(f"events: a list of 1 to {MAX_EVENTS}")
    now = now or timezone.now()
    driver.note_seen(tablet, now)
    return [_one(tablet, raw, now) for raw in events]
