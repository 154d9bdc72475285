"""Every change to lifelines: adding or editing a lifeline, reporting its status, importing a feed.

`acting_user` None means the system itself (management commands, the demo seed); views always pass the request's
user, whose permission is checked here as well as by the views' selectors.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from toki.accounts import audit
from toki.lib.readings import translation_errors
from toki.lifelines import permissions, selectors
from toki.lifelines.events import lifelines_changed
from toki.lifelines.models import Lifeline, StatusReport
from toki.lifelines.validation import lifeline_errors, report_errors

LIFELINE_FIELDS = ("code", "kind", "name", "district", "org_unit", "scheduled_service", "sort_order", "translations")


def _announce(municipality_id: int, lifeline_ids) -> None:
    # The portal subscribes (the 軽量版 republishes); ADR 0007.
    lifelines_changed(municipality_id, lifeline_ids)


def _require_hq(acting_user) -> None:
    if acting_user is not None and not permissions.is_lifeline_hq(acting_user):
        raise PermissionDenied("adding or changing lifelines needs an HQ editor or admin role")


def save_lifeline(*, acting_user, municipality, lifeline: Lifeline | None = None, **values) -> Lifeline:
    """Add a lifeline (lifeline None) or change one; `values` are among LIFELINE_FIELDS. HQ editors only."""
    _require_hq(acting_user)
    unknown = set(values) - set(LIFELINE_FIELDS)
    if unknown:
        raise TypeError(f"unknown lifeline fields: {sorted(unknown)}")
    creating = lifeline is None
    target = lifeline or Lifeline(municipality=municipality)
    if target.municipality_id != municipality.pk:
        raise ValidationError({"municipality": "the lifeline belongs to another municipality"})
    for name, value in values.items():
        setattr(target, name, value)
    errors = lifeline_errors(kind=target.kind, name=target.name)
    if target.district is not None and target.district.municipality_id != municipality.pk:
        errors["district"] = "the district belongs to another municipality"
    if target.org_unit is not None and target.org_unit.kind not in permissions.PARTNER_KINDS:
        errors["org_unit"] = "only a partner or agency org unit can be responsible for a lifeline"
    problems = translation_errors(target.translations)
    if problems:
        errors["translations"] = "; ".join(problems)
    if not target.code:
        errors["code"] = "give a code"
    elif Lifeline.objects.filter(municipality=municipality, code=target.code).exclude(pk=target.pk).exists():
        errors["code"] = f"another lifeline has the code {target.code!r}"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        target.save()
        audit.record(actor=acting_user, action="lifelines.create" if creating else "lifelines.update", obj=target,
                     changes={name: _plain(value) for name, value in values.items()})
        _announce(municipality.pk, [target.pk])
    return target


def _plain(value):
    return getattr(value, "pk", value) if hasattr(value, "_meta") else value


def _add_report(lifeline: Lifeline, report: StatusReport) -> bool:
    """Store `report` (lifeline locked by the caller); make it current when it is the newest. True if current."""
    before = (StatusReport.objects.filter(lifeline=lifeline, as_of__lte=report.as_of)
              .order_by("-as_of", "-id").values_list("status", flat=True).first())
    report.lifeline = lifeline
    report.previous_status = before or ""
    report.save()
    if lifeline.status_as_of is not None and report.as_of < lifeline.status_as_of:
        return False
    for name in ("status", "detail", "expected_restoration_at", "source", "source_url"):
        setattr(lifeline, name, getattr(report, name))
    lifeline.status_as_of = report.as_of
    lifeline.save(update_fields=["status", "detail", "expected_restoration_at", "source", "source_url",
                                 "status_as_of"])
    return True


def report_status(*, acting_user, lifeline: Lifeline, status: str, source: str, as_of: datetime, detail: str = "",
                  source_url: str = "", expected_restoration_at: datetime | None = None) -> StatusReport:
    """Record what `source` says about `lifeline` as of `as_of`. HQ editors, or editors of its partner."""
    if not permissions.may_update_lifeline(acting_user, lifeline):
        raise PermissionDenied("you may not update this lifeline")
    detail, source, source_url = detail.strip(), source.strip(), source_url.strip()
    errors = report_errors(status=status, source=source, as_of=as_of, detail=detail, source_url=source_url,
                           expected_restoration_at=expected_restoration_at)
    if errors:
        raise ValidationError(errors)
    report = StatusReport(status=status, detail=detail, source=source, source_url=source_url, as_of=as_of,
                          expected_restoration_at=expected_restoration_at, entered_by=acting_user)
    with transaction.atomic():
        locked = Lifeline.objects.select_for_update().get(pk=lifeline.pk)
        current = _add_report(locked, report)
        audit.record(actor=acting_user, action="lifelines.report_status", obj=locked, changes={
            "report": report.pk, "status": status, "previous": report.previous_status,
            "as_of": as_of.isoformat(), "current": current,
        })
        _announce(locked.municipality_id, [locked.pk])
    lifeline.refresh_from_db()
    return report


# --- Import ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportRow:
    """One validated row of an import (see toki/lifelines/importing.py)."""

    row: int
    code: str
    status: str
    source: str
    as_of: datetime
    detail: str = ""
    source_url: str = ""
    expected_restoration_at: datetime | None = None
    # Only for a lifeline the import creates:
    kind: str = ""
    name: str = ""
    district: object = None


@dataclass
class ImportResult:
    rows: int = 0
    created_lifelines: list[str] = field(default_factory=list)
    created_reports: int = 0
    unchanged: int = 0


def import_lifelines(*, acting_user, municipality, rows: list[ImportRow], origin: str) -> ImportResult:
    """Write validated rows in one transaction: create missing lifelines, add each report not already stored
    (same lifeline, time and content), so running the same feed twice changes nothing. One AuditEvent."""
    if acting_user is not None and not permissions.is_lifeline_hq(acting_user):
        allowed = set(selectors.lifelines_for_staff(acting_user, municipality).values_list("code", flat=True))
        if any(row.code not in allowed for row in rows):
            raise PermissionDenied("you may import only the lifelines you may update")
    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        codes = {row.code for row in rows}
        lifelines = {ll.code: ll for ll in Lifeline.objects.select_for_update()
                     .filter(municipality=municipality, code__in=codes)}
        for row in rows:
            if row.code not in lifelines:
                lifeline = Lifeline.objects.create(municipality=municipality, code=row.code, kind=row.kind,
                                                   name=row.name, district=row.district)
                lifelines[row.code] = lifeline
                result.created_lifelines.append(row.code)
        existing: dict[tuple, list[StatusReport]] = {}
        for report in StatusReport.objects.filter(lifeline__in=lifelines.values(),
                                                  as_of__in={row.as_of for row in rows}):
            existing.setdefault((report.lifeline_id, report.as_of), []).append(report)
        touched = set()
        for row in sorted(rows, key=lambda r: (r.as_of, r.row)):
            lifeline = lifelines[row.code]
            report = StatusReport(status=row.status, detail=row.detail, source=row.source, source_url=row.source_url,
                                  as_of=row.as_of, expected_restoration_at=row.expected_restoration_at,
                                  entered_by=acting_user, import_origin=origin[:200])
            same_time = existing.setdefault((lifeline.pk, row.as_of), [])
            if any(report.same_content(other) for other in same_time):
                result.unchanged += 1
                continue
            _add_report(lifeline, report)
            same_time.append(report)
            touched.add(lifeline.pk)
            result.created_reports += 1
        audit.record(actor=acting_user, action="lifelines.import", obj=None, changes={
            "origin": origin[:200], "municipality": municipality.code, "rows": result.rows,
            "created_lifelines": result.created_lifelines, "created_reports": result.created_reports,
            "unchanged": result.unchanged,
        })
        if touched:
            _announce(municipality.pk, touched)
    return result
