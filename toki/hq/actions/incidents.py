"""Every change to incidents (DESIGN.md rules 2–3): one transaction, an AuditEvent in it."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.hq.actions.chronology import record_event
from toki.hq.models import ChronologyCategory, HqStatus, Incident, IncidentKind
from toki.hq.permissions import may_manage_incidents

NAME_MAX = 200


def _require_manager(user) -> None:
    if not may_manage_incidents(user):
        raise PermissionDenied("managing incidents needs an HQ editor or admin role")


def _clean_districts(municipality, districts) -> list:
    districts = list(districts)
    foreign = [d.code for d in districts if d.municipality_id != municipality.pk]
    if foreign:
        raise ValidationError({"districts": f"not districts of {municipality.name}: {', '.join(foreign)}"})
    return districts


def open_incident(*, acting_user, municipality, name: str, kind: str, started_at: datetime | None = None,
                  districts=(), is_drill: bool = False, description: str = "",
                  hq_level: str | None = None) -> Incident:
    """Open an incident, optionally with an HQ body established at its start. Recorded as hq.incident_opened."""
    _require_manager(acting_user)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "give the incident a name (災害名)"
    elif len(name) > NAME_MAX:
        errors["name"] = f"at most {NAME_MAX} characters"
    if kind not in IncidentKind.values:
        errors["kind"] = f"unknown kind {kind!r}; one of {', '.join(IncidentKind.values)}"
    if hq_level is not None and hq_level not in HqStatus.Level.values:
        errors["hq_level"] = f"unknown HQ level {hq_level!r}"
    if errors:
        raise ValidationError(errors)
    districts = _clean_districts(municipality, districts)
    started_at = started_at or timezone.now()
    with transaction.atomic():
        incident = Incident.objects.create(
            municipality=municipality, name=name, kind=kind, started_at=started_at, is_drill=is_drill,
            description=(description or "").strip(), created_by=acting_user)
        incident.districts.set(districts)
        if hq_level:
            HqStatus.objects.create(incident=incident, level=hq_level, established_at=started_at)
        audit.record(actor=acting_user, action="hq.incident_opened", obj=incident, changes={
            "name": name, "kind": kind, "is_drill": is_drill, "districts": [d.code for d in districts],
            "hq_level": hq_level})
        record_event(incident=incident, category=ChronologyCategory.HQ, at=started_at, sender=str(acting_user),
                     content=f"災害 {name} 対応開始" + (f"、{HqStatus.Level(hq_level).label} 設置" if hq_level else ""),
                     source=incident, dedup_key="incident:opened", acting_user=acting_user)
    return incident


def set_affected_districts(*, acting_user, incident: Incident, districts) -> Incident:
    """Replace the affected districts. Recorded as hq.incident_districts_changed."""
    _require_manager(acting_user)
    districts = _clean_districts(incident.municipality, districts)
    with transaction.atomic():
        before = sorted(incident.districts.values_list("code", flat=True))
        incident.districts.set(districts)
        after = sorted(d.code for d in districts)
        audit.record(actor=acting_user, action="hq.incident_districts_changed", obj=incident,
                     changes={"districts": [before, after]})
    return incident


def set_hq_status(*, acting_user, incident: Incident, level: str | None, at: datetime | None = None) -> HqStatus | None:
    """Establish an HQ body (警戒本部 or 災害対策本部) or, with level None, dissolve the current one.

    Raising 警戒本部 to 災害対策本部 dissolves the first at the moment the second is established. Recorded as
    hq.hq_status_changed."""
    _require_manager(acting_user)
    if level is not None and level not in HqStatus.Level.values:
        raise ValidationError({"level": f"unknown HQ level {level!r}"})
    at = at or timezone.now()
    with transaction.atomic():
        Incident.objects.select_for_update().filter(pk=incident.pk).first()  # one change at a time per incident
        current = incident.hq_statuses.filter(dissolved_at__isnull=True).first()
        if current and current.level == level:
            return current
        if current and at < current.established_at:
            raise ValidationError({"at": "the time is before the current HQ body was established"})
        if current:
            current.dissolved_at = at
            current.save(update_fields=["dissolved_at"])
        status = HqStatus.objects.create(incident=incident, level=level, established_at=at) if level else None
        audit.record(actor=acting_user, action="hq.hq_status_changed", obj=incident, changes={
            "level": [current.level if current else None, level], "at": at.isoformat()})
        words = [f"{HqStatus.Level(current.level).label} 解散"] if current else []
        words += [f"{HqStatus.Level(level).label} 設置"] if level else []
        record_event(incident=incident, category=ChronologyCategory.HQ, at=at, sender=str(acting_user),
                     content="、".join(words), source=incident, acting_user=acting_user)
    return status


def apply_relief_act(*, acting_user, incident: Incident, applied_on: date | None) -> Incident:
    """Record (or clear) the date the 災害救助法 was applied. Recorded as hq.relief_act_applied."""
    _require_manager(acting_user)
    with transaction.atomic():
        before = incident.relief_act_applied_on
        incident.relief_act_applied_on = applied_on
        incident.save(update_fields=["relief_act_applied_on"])
        audit.record(actor=acting_user, action="hq.relief_act_applied", obj=incident, changes={
            "relief_act_applied_on": [before.isoformat() if before else None,
                                      applied_on.isoformat() if applied_on else None]})
        record_event(incident=incident, category=ChronologyCategory.HQ, sender=str(acting_user), source=incident,
                     content=(f"災害救助法 適用 ({applied_on:%Y-%m-%d})" if applied_on else "災害救助法 適用日を取消"),
                     acting_user=acting_user)
    return incident


def close_incident(*, acting_user, incident: Incident, at: datetime | None = None) -> Incident:
    """End the incident; an HQ body still standing is dissolved at the same moment. Recorded as
    hq.incident_closed."""
    _require_manager(acting_user)
    at = at or timezone.now()
    if at < incident.started_at:
        raise ValidationError({"at": "an incident cannot end before it started"})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.ended_at is not None:
            return incident
        incident.hq_statuses.filter(dissolved_at__isnull=True).update(dissolved_at=at)
        incident.ended_at = at
        incident.save(update_fields=["ended_at"])
        audit.record(actor=acting_user, action="hq.incident_closed", obj=incident, changes={"at": at.isoformat()})
        record_event(incident=incident, category=ChronologyCategory.HQ, at=at, sender=str(acting_user),
                     content="災害対応 終了", source=incident, dedup_key="incident:closed", acting_user=acting_user)
    return incident
