"""A supporter's phone sends its 安否 answers later (docs/registry.md "Supporters offline"): the shelter tablet's
contract (docs/shelter-ops-sync.md) applied to 安否確認 — every answer or attempt an immutable event with a
device-made UUID, sent in batches of at most MAX_EVENTS, answered per event `applied` / `duplicate` /
`rejected` with a clear reason, idempotent on the event id, a rejection final. Each event is checked and applied
on its own (its own savepoint): a bad event never blocks the good ones. Applying goes through
actions_safety.record_safety, so the conflict rule holds (an answer kept in the history only is `applied` with
the warning `held:…`).

An event: {"id": UUID, "type": "answer", "occurred_at": ISO 8601 with offset,
           "payload": {"round": id, "person": id, "status": Safety, "source": person|relative|supporter,
                       "relation": "" (required for a relative), "step": ""|message|call|visit}}"""

import uuid
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from toki.accounts import audit
from toki.registry import actions_safety
from toki.registry.models import Safety, SafetyStatus, SafetySyncEvent, Source, Step

MAX_EVENTS = 50
FUTURE_TOLERANCE = timedelta(minutes=10)
# What a supporter's phone may say answered: the person, a relative (relation required), or the supporter.
PHONE_SOURCES = (Source.PERSON, Source.RELATIVE, Source.SUPPORTER)
NOT_FOUND = "payload: no such person in an open round that you may record for"


class Invalid(Exception):
    """One event is wrong: the message says what and where."""


def _when(raw) -> datetime:
    occurred = raw.get("occurred_at")
    try:
        when = datetime.fromisoformat(occurred) if isinstance(occurred, str) and len(occurred) <= 40 else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise Invalid("occurred_at: an ISO 8601 time with a UTC offset is required")
    if when > timezone.now() + FUTURE_TOLERANCE or when.year < 2000:
        raise Invalid("occurred_at: in the future or before 2000")
    return when


def _payload(raw) -> dict:
    if raw.get("type") != "answer":
        raise Invalid("type: must be 'answer'")
    payload = raw.get("payload")
    if not isinstance(payload, dict):
        raise Invalid("payload: an object is required")
    for name in ("round", "person"):
        if not isinstance(payload.get(name), int) or isinstance(payload.get(name), bool) or payload[name] < 1:
            raise Invalid(f"payload.{name}: a positive integer id is required")
    if payload.get("status") not in Safety.values:
        raise Invalid(f"payload.status: one of {', '.join(Safety.values)}")
    if payload.get("source") not in PHONE_SOURCES:
        raise Invalid(f"payload.source: one of {', '.join(PHONE_SOURCES)}")
    step = payload.get("step") or ""
    if step not in ("", *Step.values):
        raise Invalid(f"payload.step: empty or one of {', '.join(Step.values)}")
    relation = payload.get("relation") or ""
    if not isinstance(relation, str):
        raise Invalid("payload.relation: text is required")
    if payload["source"] == Source.RELATIVE and not relation.strip():  # checked here too, so the error names the field
        raise Invalid("payload.relation: say who answered for the person (長男, 娘, …)")
    if len(relation) > 40:
        raise Invalid("payload.relation: at most 40 characters")
    return {"round": payload["round"], "person": payload["person"], "status": payload["status"],
            "source": payload["source"], "step": step, "relation": relation}


def apply_events(*, acting_user, device_id: str, events: list) -> list[dict]:
    """One result per event, in order. The caller checked who may send and the batch's shape."""
    results, counts = [], {"applied": 0, "duplicate": 0, "rejected": 0, "held": 0}
    for raw in events:
        result = _apply_one(acting_user, device_id, raw)
        counts[result["status"]] += 1
        counts["held"] += bool(result["warnings"])
        results.append(result)
    audit.record(actor=acting_user, action="registry.safety_sync", changes=counts)
    return results


def _apply_one(user, device_id: str, raw) -> dict:
    if not isinstance(raw, dict):
        return {"id": "", "status": "rejected", "error": "event: an object is required", "warnings": []}
    raw_id = raw.get("id")
    sent = raw_id[:80] if isinstance(raw_id, str) else ""
    try:
        event_id = uuid.UUID(sent)
    except ValueError:
        return {"id": sent, "status": "rejected", "error": "id: a UUID made on the device is required",
                "warnings": []}
    stored = SafetySyncEvent.objects.filter(event_id=event_id).first()
    if stored is not None:
        return _duplicate(sent, stored)
    occurred, outcome, error, warnings = None, SafetySyncEvent.Outcome.APPLIED, "", []
    try:
        with transaction.atomic():  # the answer and its record of receipt, or neither
            try:
                occurred = _when(raw)
                answer = _payload(raw)
                row = _row_for(user, answer)
                row = actions_safety.record_safety(
                    actor=user, status_row=row, status=answer["status"], source=answer["source"],
                    step=answer["step"], relation=answer["relation"], at=occurred)
            except Invalid as invalid:
                outcome, error = SafetySyncEvent.Outcome.REJECTED, str(invalid)
            except PermissionDenied:
                outcome, error = SafetySyncEvent.Outcome.REJECTED, NOT_FOUND
            except ValueError as refused:  # record_safety's own checks (relation, a closed round)
                outcome, error = SafetySyncEvent.Outcome.REJECTED, f"payload.{refused}"
            else:
                if row.held:  # type: ignore[attr-defined]
                    outcome, warnings = SafetySyncEvent.Outcome.HELD, [row.held]  # type: ignore[attr-defined]
            SafetySyncEvent.objects.create(event_id=event_id, device_id=device_id, recorded_by=user,
                                           occurred_at=occurred, received_at=timezone.now(), outcome=outcome,
                                           error=error[:200])
    except IntegrityError:  # the same event stored meanwhile by a concurrent request: its answer stands
        return _duplicate(sent, SafetySyncEvent.objects.get(event_id=event_id))
    if outcome == SafetySyncEvent.Outcome.REJECTED:
        return {"id": sent, "status": "rejected", "error": error, "warnings": []}
    return {"id": sent, "status": "applied", "error": "", "warnings": warnings}


def _row_for(user, answer: dict) -> SafetyStatus:
    row = SafetyStatus.objects.filter(round_id=answer["round"], person_id=answer["person"],
                                      round__closed_at__isnull=True).first()
    if row is None or not actions_safety.may_record_for(user, row.person_id, row.district_id):
        raise Invalid(NOT_FOUND)  # the same answer whether it does not exist or is not yours
    return row


def _duplicate(sent: str, stored: SafetySyncEvent) -> dict:
    original = "rejected" if stored.outcome == SafetySyncEvent.Outcome.REJECTED else "applied"
    return {"id": sent, "status": "duplicate", "original_status": original, "error": stored.error,
            "warnings": []}
