"""Importing CAP 1.2 alerts from other agencies (a ferry operator, the prefecture, a neighbouring town).

    result = import_cap(body, acting_user=user, origin="POST /cap/import")
    result.outcome  # imported | duplicate | not_concerning | rejected (with result.reason)

One message, one outcome, nothing half-written:
- unusable input (not XML, not CAP 1.2, schema or semantic errors, a DTD, a status/type/scope Toki does not
  import, an identifier reused with other content) is **rejected**: a QuarantinedInput of kind "cap" with the
  reason and an AuditEvent, in one transaction (the same bytes are quarantined once);
- a valid message none of whose areas concerns the municipality (toki.alerts.cap.relevance), and that is not an
  update or cancellation of an Alert Toki holds, is **not concerning**: nothing is written;
- otherwise one Alert of source "cap", identifier `sender,identifier`, with its references linked to Alerts Toki
  already has, and an AuditEvent, in one transaction. Importing the same message again is a **duplicate**.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from enum import StrEnum

from django.db import IntegrityError, transaction

from toki.accounts import audit
from toki.alerts import events
from toki.alerts.cap.build import cap_sender
from toki.alerts.cap.mapping import MSG_TYPE_IN, STATUS_IN, category_of
from toki.alerts.cap.message import CapMessage
from toki.alerts.cap.parse import CapError, parse_cap
from toki.alerts.cap.relevance import Match, matches
from toki.alerts.models import Alert, QuarantinedInput
from toki.areas.selectors import default_municipality

logger = logging.getLogger(__name__)

SAMPLE_CHARS = 2000
_OWN_IDENTIFIER = re.compile(r"^toki-(\d{6})-(\d+)$")


class Outcome(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    NOT_CONCERNING = "not_concerning"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ImportResult:
    outcome: Outcome
    reason: str = ""
    alert: Alert | None = None
    message: CapMessage | None = None
    matches: tuple[Match, ...] = ()
    quarantined: QuarantinedInput | None = None

    @property
    def rejected(self) -> bool:
        return self.outcome == Outcome.REJECTED


def import_cap(xml_bytes: bytes, *, acting_user, origin: str, municipality=None) -> ImportResult:
    """Validate a CAP 1.2 message and store it as an Alert if it concerns `municipality` (default: the site's)."""
    municipality = municipality or default_municipality()
    if municipality is None:
        raise RuntimeError("no municipality profile is loaded (manage.py seed_demo or load_profile)")
    try:
        message = parse_cap(xml_bytes)
        refuse_unimportable(message)
    except CapError as exc:
        return _reject(bytes(xml_bytes), exc.reason, acting_user=acting_user, origin=origin)
    existing = Alert.objects.filter(identifier=message.key).first()
    if existing is not None:
        return _again(existing, message, bytes(xml_bytes), acting_user=acting_user, origin=origin)
    references, unresolved = _resolve_references(message, municipality)
    found = tuple(matches(message, municipality, municipality.districts.all()))
    if not found:  # an update or cancellation of an alert we hold concerns us, whatever its areas say
        found = tuple(Match("reference", f"alert {a.pk}") for a in references if a.municipality_id == municipality.pk)
    if not found:
        reason = f"no area of the message concerns {municipality.name} ({municipality.code})"
        logger.info("CAP %s from %s: not concerning", message.key, origin)
        return ImportResult(Outcome.NOT_CONCERNING, reason=reason, message=message)
    try:
        alert = _store(message, found, municipality, references, unresolved, acting_user=acting_user,
                       origin=origin)
    except IntegrityError:  # imported by a concurrent request between the check above and the insert
        existing = Alert.objects.get(identifier=message.key)
        return _again(existing, message, bytes(xml_bytes), acting_user=acting_user, origin=origin)
    logger.info("CAP %s from %s: imported as alert %s", message.key, origin, alert.pk)
    return ImportResult(Outcome.IMPORTED, alert=alert, message=message, matches=found)


def refuse_unimportable(message: CapMessage) -> None:
    """Raise CapError for valid CAP that Toki does not turn into an alert for the public."""
    if message.status not in STATUS_IN:
        raise CapError(f"status {message.status} is not imported (only Actual, Exercise and Test)")
    if message.msg_type not in MSG_TYPE_IN:
        raise CapError(f"msgType {message.msg_type} is not imported (only Alert, Update and Cancel)")
    if message.scope != "Public":
        raise CapError(f"scope {message.scope}: only Public messages are imported (Toki republishes them)")
    if len(message.key) > Alert._meta.get_field("identifier").max_length:
        raise CapError("sender and identifier together are longer than 250 characters")
    if len(message.sender) > Alert._meta.get_field("sender").max_length:
        raise CapError("sender is longer than 200 characters")


def _store(message: CapMessage, found: tuple[Match, ...], municipality, references: list[Alert],
           unresolved: list[str], *, acting_user, origin: str) -> Alert:
    info = message.primary_info()
    whole = any(not m.district_code for m in found if m.rule != "reference")
    expiries = [i.expires for i in message.infos if i.expires is not None]
    title = (info.headline or info.event) if info else f"{message.msg_type}: {message.identifier}"
    with transaction.atomic():
        alert = Alert.objects.create(
            municipality=municipality,
            source=Alert.Source.CAP,
            identifier=message.key,
            category=category_of(info.event, info.categories) if info else Alert.Category.OTHER,
            title=title[:200],
            status=STATUS_IN[message.status],
            msg_type=MSG_TYPE_IN[message.msg_type],
            sender=message.sender,
            sent_at=message.sent,
            expires_at=max(expiries) if expiries else None,
            headline=info.headline if info else message.note,
            severity=info.severity if info else "Unknown",
            facts={
                "source": "cap",
                "cap": message.as_facts(),
                "matches": [m.as_dict() for m in found],
                "district_codes": _district_codes(found, references, whole),
                "unresolved_references": unresolved,
                # A message without info (a cancellation often has none) is worded from what it refers to.
                "inherited_infos": [] if message.infos else _inherited_infos(references),
            },
        )
        alert.references.set(references)
        audit.record(actor=acting_user, action="alerts.cap.imported", obj=alert, changes={
            "identifier": message.key,
            "status": alert.status,
            "msg_type": alert.msg_type,
            "origin": origin[:200],
            "matched": sorted({m.rule for m in found}),
            "references": sorted(r.pk for r in references),
        })
        events.published(alert, public=alert.status == Alert.Status.ACTUAL)
    return alert


def _inherited_infos(references: list[Alert]) -> list[dict]:
    """The infos of the imported alerts a message refers to (the newest first that has any)."""
    for alert in sorted(references, key=lambda a: a.sent_at, reverse=True):
        facts = alert.facts or {}
        infos = (facts.get("cap") or {}).get("infos") or facts.get("inherited_infos") or []
        if infos:
            return infos
    return []


def _district_codes(found: tuple[Match, ...], references: list[Alert], whole: bool) -> list[str]:
    """The districts the alert is for ([] = the whole municipality); an update or cancellation matched only by
    its references is for the districts of the alerts it refers to."""
    if whole:
        return []
    codes = {m.district_code for m in found if m.rule != "reference"}
    if any(m.rule == "reference" for m in found):
        for alert in references:
            inherited = (alert.facts or {}).get("district_codes")
            if not inherited:
                return []
            codes.update(inherited)
    return sorted(codes)


def _resolve_references(message: CapMessage, municipality) -> tuple[list[Alert], list[str]]:
    """Alerts Toki has for the referenced messages (imported ones by `sender,identifier`, Toki's own published ones
    by their CAP identifier), and the references it does not know."""
    keys = [r.key for r in message.references]
    known = {a.identifier: a for a in Alert.objects.filter(identifier__in=keys)}
    own_pks = {}
    for reference in message.references:
        own = _OWN_IDENTIFIER.match(reference.identifier)
        if reference.sender == cap_sender() and own and own.group(1) == municipality.code:
            own_pks[reference.key] = int(own.group(2))
    own_alerts = Alert.objects.in_bulk(list(own_pks.values())) if own_pks else {}
    found, unresolved = [], []
    for reference in message.references:
        alert = known.get(reference.key) or own_alerts.get(own_pks.get(reference.key))
        if alert is None:
            unresolved.append(f"{reference.key},{reference.sent.isoformat()}")
        else:
            found.append(alert)
    return found, unresolved


def _again(existing: Alert, message: CapMessage, data: bytes, *, acting_user, origin: str) -> ImportResult:
    """The message's key is already stored: the same message again, or another message reusing the identifier."""
    if (existing.facts or {}).get("cap", {}).get("sha256") == message.sha256:
        return ImportResult(Outcome.DUPLICATE, reason=f"already imported as alert {existing.pk}", alert=existing,
                            message=message)
    reason = (f"identifier {message.identifier!r} of {message.sender} was imported before with other content "
              f"(alert {existing.pk}); a changed message needs a new identifier and references")
    return _reject(data, reason, acting_user=acting_user, origin=origin)


def _reject(data: bytes, reason: str, *, acting_user, origin: str) -> ImportResult:
    """Quarantine the input with the reason (once per content) and an AuditEvent, in one transaction."""
    sha256 = hashlib.sha256(data).hexdigest()
    logger.warning("CAP from %s rejected: %s", origin, reason[:300])
    with transaction.atomic():
        quarantined = QuarantinedInput.objects.filter(kind=QuarantinedInput.Kind.CAP, sha256=sha256).first()
        if quarantined is None:
            quarantined = QuarantinedInput.objects.create(
                kind=QuarantinedInput.Kind.CAP, url=origin[:500], reason=reason, sha256=sha256,
                sample=data[:SAMPLE_CHARS].decode("utf-8", errors="replace"),
            )
            audit.record(actor=acting_user, action="alerts.cap.rejected", obj=quarantined,
                         changes={"reason": reason[:500], "origin": origin[:200]})
    return ImportResult(Outcome.REJECTED, reason=reason, quarantined=quarantined)
