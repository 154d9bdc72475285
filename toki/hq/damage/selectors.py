"""Permission-scoped reads of damage reports and the live aggregate.

    live_aggregate(incident, *, with_sources=False, definition=None) -> toki.hq.damage.aggregate.Aggregate

The live board (hq-ops) calls `live_aggregate(incident)`: totals by item id, by_district, current lifeline
outages, report count and last report time, always computed from the reports' current versions (four queries;
docs/damage-reports.md explains sum, peak and derived). It is not user-scoped: callers check that the user may
read the incident (toki.hq.selectors.get_incident_for_user) first. None is returned when no form definition is
loaded.
"""

from django.db.models import Count, Max, QuerySet
from django.http import Http404

from toki.areas.models import District
from toki.hq.damage import permissions
from toki.hq.damage.aggregate import Aggregate, compute
from toki.hq.damage.models import (
    DamageCount,
    DamagePhoto,
    DamageReport,
    DamageReportVersion,
    DamageTotal,
    FormDefinition,
    IssuedReport,
    LifelinePeak,
)
from toki.hq.selectors import get_incident_for_user


def active_definition() -> FormDefinition | None:
    return FormDefinition.objects.filter(active=True).first()


def live_aggregate(incident, *, with_sources: bool = False,
                   definition: FormDefinition | None = None) -> Aggregate | None:
    """The incident's damage now, in the terms of `definition` (the active one by default)."""
    definition = definition or active_definition()
    if definition is None:
        return None
    spec = definition.definition
    districts = list(District.objects.filter(municipality_id=incident.municipality_id)
                     .order_by("sort_order", "code").values_list("pk", "code", "name"))
    code_of = {pk: code for pk, code, _name in districts}
    peak_ids = spec.ids_with("peak")
    sum_rows = [(code_of.get(d), item, value) for d, item, value in DamageTotal.objects.filter(
        incident=incident).values_list("district_id", "item", "value")]
    peaks, district_peaks = {}, {}
    for d, item, peak, at in LifelinePeak.objects.filter(incident=incident, peak__gt=0).values_list(
            "district_id", "item", "peak", "peak_at"):
        if d is None:
            peaks[item] = (peak, at)
        elif d in code_of:
            district_peaks[(code_of[d], item)] = (peak, at)
    current_rows = peak_rows = None
    if with_sources:
        counts = DamageCount.objects.filter(incident=incident)
        current_rows = [(code_of.get(d), item, value, version_id) for d, item, value, version_id in counts.filter(
            is_current=True).values_list("district_id", "item", "value", "version_id")]
        peak_rows = [(r, code_of.get(d), item, value, observed, recorded, v)
                     for r, d, item, value, observed, recorded, v in counts.filter(item__in=peak_ids).values_list(
                         "report_id", "district_id", "item", "value", "observed_at", "recorded_at", "version_id")]
    summary = DamageReport.objects.filter(incident=incident).aggregate(n=Count("pk"), last=Max("updated_at"))
    return compute(spec, districts=[(code, name) for _pk, code, name in districts], sum_rows=sum_rows,
                   current_rows=current_rows, peak_rows=peak_rows, peaks=peaks, district_peaks=district_peaks,
                   report_count=summary["n"], last_report_at=summary["last"], code=definition.code,
                   version=definition.version, is_drill=incident.is_drill)


def incident_for_user(user, pk):
    """The incident if the user may read damage reports of it; 404 otherwise."""
    if not permissions.may_read(user):
        raise Http404
    return get_incident_for_user(user, pk)


def reports_of(user, incident) -> QuerySet[DamageReport]:
    """Reports of an incident the user may read (all of them for readers), with what list pages show."""
    if not permissions.may_read(user):
        return DamageReport.objects.none()
    return (DamageReport.objects.filter(incident=incident)
            .select_related("district", "current_version", "current_version__created_by", "org_unit")
            .order_by("-updated_at", "-pk"))


def get_report_for_user(user, pk) -> DamageReport:
    if not permissions.may_read(user):
        raise Http404
    try:
        return (DamageReport.objects.select_related("incident", "incident__municipality", "district", "definition",
                                                    "current_version", "org_unit", "created_by").get(pk=pk))
    except (DamageReport.DoesNotExist, ValueError, TypeError):
        raise Http404("no such report") from None


def versions_of(report) -> QuerySet[DamageReportVersion]:
    return (report.versions.select_related("created_by", "org_unit", "district")
            .prefetch_related("counts", "photos").order_by("-number"))


def issued_reports_of(user, incident) -> QuerySet[IssuedReport]:
    if not permissions.may_read(user):
        return IssuedReport.objects.none()
    return IssuedReport.objects.filter(incident=incident).select_related("issued_by", "definition").order_by(
        "-number")


def get_issued_for_user(user, incident, number) -> IssuedReport:
    try:
        return issued_reports_of(user, incident).get(number=number)
    except (IssuedReport.DoesNotExist, ValueError, TypeError):
        raise Http404("no such issued report") from None


def located_reports(incident, limit: int) -> list[dict]:
    """Reports with a position, for the HQ board's map markers (their current version's point), newest first. One
    query. Handed to HQ through toki.hq.damage_source (the caller has checked that the user may read the incident)."""
    reports = (DamageReport.objects.filter(incident=incident, current_version__latitude__isnull=False,
                                           current_version__longitude__isnull=False)
               .select_related("current_version").order_by("-updated_at")[:limit])
    return [{"id": r.pk, "category": r.category, "lat": version.latitude, "lon": version.longitude,
             "address": version.address, "updated_at": r.updated_at.isoformat()}
            for r in reports if (version := r.current_version) is not None]


def issue_times(incident) -> list[dict]:
    """Every issued 第N報 of the incident by number, with the time of the newest report version it contains
    (`last_report`, None for an empty one): what HQ's KPI 報告までの時間 is computed from. One query."""
    return [dict(row) for row in IssuedReport.objects.filter(incident=incident)
            .annotate(last_report=Max("versions__created_at")).order_by("number")
            .values("number", "issued_at", "last_report")]


def filing_districts(user, incident) -> QuerySet[District]:
    """The incident's districts `user` may file reports in (permissions.grants), in the profile's order."""
    districts = District.objects.filter(municipality_id=incident.municipality_id).order_by("sort_order", "code")
    grants = permissions.grants(user)
    if any(g.district_ids is None for g in grants):
        return districts
    return districts.filter(pk__in={d for g in grants for d in g.district_ids or ()})


def filing_categories(user, definition) -> list[dict]:
    """The form's categories `user` may file reports of (permissions.grants)."""
    grants = permissions.grants(user)
    return [c for c in definition.definition.spec["categories"]
            if any(g.categories is None or c["id"] in g.categories for g in grants)]


def get_photo_for_user(user, pk) -> DamagePhoto:
    """A report photo, for those who may read its report; anything else is a 404."""
    try:
        item = DamagePhoto.objects.select_related("report").get(pk=pk)
    except (DamagePhoto.DoesNotExist, ValueError, TypeError):
        raise Http404("no such photo") from None
    get_report_for_user(user, item.report_id)
    return item


def source_counts(version_ids, items) -> QuerySet[DamageCount]:
    """The entered numbers of `items` in the given report versions, with who entered them: where an issued number
    comes from (the trace page; the caller got the versions from an issued report the user may read)."""
    return (DamageCount.objects.filter(version_id__in=version_ids, item__in=items)
            .select_related("district", "version", "version__created_by", "version__org_unit")
            .order_by("district__sort_order", "report_id", "item"))
