"""Uses recorded by checker devices, synced later (docs/fares.md "Sync"): the shelter tablet's contract
(docs/shelter-ops-sync.md) applied to fares — every use an immutable event with a device-made UUID, sent in
batches of at most 200, answered per event `applied` / `duplicate` / `rejected`, idempotent on the event id, a
rejection final. A second use of a single ride is detected here, whichever device saw it: the later use (by
`occurred_at`) is marked `double_use` and answered with the warning."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from toki.accounts import audit
from toki.transport.fares.models import Credential, UseEvent
from toki.transport.fares.permissions import may_check

MAX_EVENTS = 200
FUTURE_TOLERANCE = timedelta(minutes=10)
PLACES = ("ferry", "bus", "rides")
KINDS = tuple(Credential.Kind.values)


class NotAllowed(Exception):
    pass


def _read(raw) -> tuple[str, uuid.UUID | None, dict, str]:
    """(id as sent, UUID, fields, problem) of one event as sent; never raises."""
    if not isinstance(raw, dict):
        return "", None, {}, "invalid_event"
    raw_id = raw.get("id")
    sent = raw_id[:80] if isinstance(raw_id, str) else ""
    try:
        event_id = uuid.UUID(sent)
    except ValueError:
        return sent, None, {}, "invalid_event:id"
    if raw.get("type") != "use":
        return sent, event_id, {}, "invalid_event:type"
    payload = raw.get("payload")
    if not isinstance(payload, dict):
        return sent, event_id, {}, "invalid_payload"
    occurred = raw.get("occurred_at")
    try:
        when = datetime.fromisoformat(occurred) if isinstance(occurred, str) and len(occurred) <= 40 else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None or when > timezone.now() + FUTURE_TOLERANCE or when.year < 2000:
        return sent, event_id, {}, "invalid_time"
    fields: dict[str, Any] = {"occurred_at": when}
    try:
        fields["jti"] = uuid.UUID(payload.get("jti")) if isinstance(payload.get("jti"), str) else None
    except ValueError:
        fields["jti"] = None
    if fields["jti"] is None:
        return sent, event_id, fields, "invalid_payload:jti"
    if payload.get("kind") not in KINDS:
        return sent, event_id, fields, "invalid_payload:kind"
    if payload.get("place") not in PLACES:
        return sent, event_id, fields, "invalid_payload:place"
    fields.update(kind=payload["kind"], place=payload["place"])
    return sent, event_id, fields, ""


def apply_uses(*, acting_user, device_id: str, events: list) -> list[dict]:
    """Store each use once; one result per event, in order. Raises NotAllowed for a stranger, ValueError for a
    batch that is too long (nothing stored)."""
    if not may_check(acting_user):
        raise NotAllowed("not a checker")
    if len(events) > MAX_EVENTS:
        raise ValueError(f"at most {MAX_EVENTS} events per request")
    results, counts = [], {"applied": 0, "duplicate": 0, "rejected": 0}
    with transaction.atomic():
        for raw in events:
            sent, event_id, fields, problem = _read(raw)
            result = _apply_one(acting_user, device_id, event_id, fields, problem)
            result["id"] = sent
            counts[result["status"]] += 1
            results.append(result)
        audit.record(actor=acting_user, action="fares.uses.sync", obj=None, changes=counts)
    return results


def _apply_one(user, device_id: str, event_id, fields: dict, problem: str) -> dict:
    if event_id is None:
        return {"status": "rejected", "error": problem, "warnings": []}
    stored = UseEvent.objects.filter(event_id=event_id).first()
    if stored is not None:
        return {"status": "duplicate", "original_status": stored.status, "error": stored.error,
                "warnings": ["double_use"] if stored.double_use else []}
    occurred = fields.get("occurred_at") or timezone.now()
    if problem:
        row = UseEvent(event_id=event_id, device_id=device_id, occurred_at=occurred, recorded_by=user,
                       status=UseEvent.Status.REJECTED, error=problem[:40])
    else:
        row = UseEvent(event_id=event_id, device_id=device_id, jti=fields["jti"], kind=fields["kind"],
                       place=fields["place"], occurred_at=occurred, recorded_by=user,
                       status=UseEvent.Status.APPLIED)
    warnings = []
    if not problem:
        credential = Credential.objects.filter(jti=fields["jti"]).first()
        if credential is None:
            row.status, row.error = UseEvent.Status.REJECTED, "unknown_credential"
        elif credential.kind != row.kind:  # the device read the kind from the signed credential: not this one
            row.status, row.error = UseEvent.Status.REJECTED, "kind_mismatch"
        elif credential.revoked_at is not None and credential.revoked_at <= occurred:
            warnings.append("revoked")
        if row.status == UseEvent.Status.APPLIED and fields["kind"] == Credential.Kind.SINGLE:
            warnings += _mark_double_use(row)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same event stored meanwhile by a concurrent request
        return {"status": "duplicate", "original_status": row.status, "error": row.error, "warnings": []}
    if row.status == UseEvent.Status.REJECTED:
        return {"status": "rejected", "error": row.error, "warnings": []}
    return {"status": "applied", "error": "", "warnings": warnings}


def _mark_double_use(row: UseEvent) -> list[str]:
    """A single ride is used once: of two uses, the later one is the double use (flagged on the stored row)."""
    earlier = (UseEvent.objects.select_for_update()
               .filter(jti=row.jti, status=UseEvent.Status.APPLIED, double_use=False).order_by("occurred_at").first())
    if earlier is None:
        return []
    if earlier.occurred_at <= row.occurred_at:
        row.double_use = True
        return ["double_use"]
    UseEvent.objects.filter(pk=earlier.pk).update(double_use=True)  # this one came first: the stored one is second
    return ["double_use_of_later"]
