"""JSON API of damage reports under /api/v1/hq/damage (docs/damage-reports.md, "API").

Session authentication (a logged-in staff browser or client; CSRF token required for POST), the same permission
rules as the pages: readers of incidents read, filers file and correct where they may, others get 404.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from toki.areas.selectors import district_by_code
from toki.hq.damage import actions, selectors
from toki.hq.damage.aggregate import Aggregate, from_snapshot
from toki.lib.bounded import Id, Latitude, Longitude, Moment, Offset, Quantity

router = Router(tags=["hq-damage"], auth=django_auth)


class ErrorsOut(Schema):
    errors: dict[str, list[str]]


class CountOut(Schema):
    item: str
    value: Decimal


class VersionOut(Schema):
    id: int
    number: int
    district: str
    observed_at: datetime
    created_at: datetime
    created_by: str
    org_unit: str | None
    latitude: float | None
    longitude: float | None
    address: str
    text: str
    reason: str
    counts: list[CountOut]


class ReportOut(Schema):
    id: int
    incident: int
    is_drill: bool = Field(description="The incident is a drill (訓練)")
    category: str
    district: str
    status: str = Field(description="unconfirmed (未確認) or confirmed (確認済)")
    definition: str
    current: VersionOut
    updated_at: datetime


class ReportDetailOut(ReportOut):
    versions: list[VersionOut] = Field(description="Every version, newest first")


class ReportIn(Schema):
    category: str
    district: str | None = Field(None, description="District code; found from latitude/longitude when left out")
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    address: str = ""
    text: str = ""
    counts: dict[str, Quantity | str] = Field(default_factory=dict, description="{item id: number}")
    observed_at: Moment | None = None


class CorrectionIn(Schema):
    reason: str
    counts: dict[str, Quantity | str] = Field(description="The complete new numbers; items left out become 0")
    district: str | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    address: str | None = None
    text: str | None = None
    observed_at: Moment | None = Field(None, description="Left out: corrects the current figures in place")


class AggregateOut(Schema):
    incident: int
    is_drill: bool
    definition: str
    totals: dict[str, Decimal]
    by_district: dict[str, dict[str, Decimal]]
    current: dict[str, Decimal] = Field(description="Peak items: the concurrent total now")
    peak_at: dict[str, datetime | None]
    report_count: int
    last_report_at: datetime | None


class IssuedOut(Schema):
    number: int
    as_of: datetime
    issued_at: datetime
    reporter_name: str
    is_drill: bool
    definition: str
    totals: dict[str, Decimal]
    xlsx_url: str


class Page(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0
    district: str | None = None


def _version_out(version) -> dict:
    return {"id": version.pk, "number": version.number, "district": version.district.code,
            "observed_at": version.observed_at, "created_at": version.created_at,
            "created_by": str(version.created_by), "org_unit": str(version.org_unit) if version.org_unit else None,
            "latitude": version.latitude, "longitude": version.longitude, "address": version.address,
            "text": version.text, "reason": version.reason,
            "counts": [{"item": c.item, "value": c.value} for c in version.counts.all()]}


def _report_out(report, incident) -> dict:
    return {"id": report.pk, "incident": incident.pk, "is_drill": incident.is_drill, "category": report.category,
            "district": report.district.code, "status": "confirmed" if report.is_confirmed else "unconfirmed",
            "definition": str(report.definition), "current": _version_out(report.current_version),
            "updated_at": report.updated_at}


def _aggregate_out(incident, aggregate: Aggregate) -> dict:
    return {"incident": incident.pk, "is_drill": incident.is_drill,
            "definition": f"{aggregate.definition_code} {aggregate.definition_version}",
            "totals": aggregate.totals, "by_district": aggregate.by_district, "current": aggregate.current,
            "peak_at": aggregate.peak_at, "report_count": aggregate.report_count,
            "last_report_at": aggregate.last_report_at}


def _district(incident, code):
    if code is None:
        return None
    district = district_by_code(incident.municipality_id, code)
    if district is None:
        raise ValidationError({"district": f"unknown district {code!r}"})
    return district


def _errors(exc: ValidationError) -> dict:
    return {"errors": exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}}


def _reports(request, incident):
    return (selectors.reports_of(request.user, incident).select_related("definition", "current_version__district",
                                                                         "current_version__org_unit")
            .prefetch_related("current_version__counts"))


@router.get("/incidents/{incident_id}/reports", response=list[ReportOut], summary="Reports of an incident")
def list_reports(request, incident_id: Id, page: Query[Page]):
    incident = selectors.incident_for_user(request.user, incident_id)
    reports = _reports(request, incident)
    if page.district:
        reports = reports.filter(district__code=page.district)
    return [_report_out(r, incident) for r in reports[page.offset:page.offset + page.limit]]


@router.post("/incidents/{incident_id}/reports", response={201: ReportOut, 422: ErrorsOut},
             summary="File a damage report")
def create_report(request, incident_id: Id, data: ReportIn):
    incident = selectors.incident_for_user(request.user, incident_id)
    try:
        report = actions.file_report(
            acting_user=request.user, incident=incident, category=data.category,
            district=_district(incident, data.district), latitude=data.latitude, longitude=data.longitude,
            address=data.address, text=data.text, counts=data.counts, observed_at=data.observed_at)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return 422, _errors(exc)
    return 201, _report_out(_reports(request, incident).get(pk=report.pk), incident)


@router.get("/reports/{report_id}", response=ReportDetailOut, summary="A report with its versions")
def report_detail(request, report_id: Id):
    report = selectors.get_report_for_user(request.user, report_id)
    versions = list(selectors.versions_of(report))
    out = _report_out(report, report.incident)
    return {**out, "current": next(_version_out(v) for v in versions if v.pk == report.current_version_id),
            "versions": [_version_out(v) for v in versions]}


@router.post("/reports/{report_id}/corrections", response={201: ReportOut, 422: ErrorsOut},
             summary="Correct a report (adds a version)")
def correct(request, report_id: Id, data: CorrectionIn):
    report = selectors.get_report_for_user(request.user, report_id)
    given = {key: getattr(data, key) for key in ("latitude", "longitude", "address", "text")
             if key in data.model_fields_set}
    try:
        if data.district is not None:
            given["district"] = _district(report.incident, data.district)
        actions.correct_report(acting_user=request.user, report=report, counts=data.counts, reason=data.reason,
                               observed_at=data.observed_at, **given)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return 422, _errors(exc)
    return 201, _report_out(_reports(request, report.incident).get(pk=report.pk), report.incident)


@router.get("/incidents/{incident_id}/aggregate", response=AggregateOut, summary="The live 第4号様式 aggregate")
def aggregate(request, incident_id: Id):
    incident = selectors.incident_for_user(request.user, incident_id)
    result = selectors.live_aggregate(incident)
    if result is None:
        raise Http404("no damage form is loaded")
    return _aggregate_out(incident, result)


@router.get("/incidents/{incident_id}/issued", response=list[IssuedOut], summary="Issued reports (第N報)")
def issued(request, incident_id: Id):
    incident = selectors.incident_for_user(request.user, incident_id)
    out = []
    for report in selectors.issued_reports_of(request.user, incident):
        frozen = from_snapshot(report.snapshot, report.definition.definition)
        out.append({"number": report.number, "as_of": report.as_of, "issued_at": report.issued_at,
                    "reporter_name": report.reporter_name, "is_drill": report.is_drill,
                    "definition": str(report.definition), "totals": frozen.totals,
                    "xlsx_url": reverse("damage:issued_xlsx", args=[incident.pk, report.number])})
    return out
