"""Reads of lifelines. The public reads need no user; the staff reads are scoped to what the user may update:
HQ editors every lifeline, partner and agency editors only the lifelines assigned to their org unit."""

from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet

from toki.lifelines.models import KIND_ORDER, Kind, Lifeline, Status, StatusReport
from toki.lifelines.permissions import is_lifeline_hq, partner_org_unit_ids

_DISTRICT_FIELDS = ("district__code", "district__name", "district__name_en")


def _with_district(lifelines: QuerySet[Lifeline]) -> QuerySet[Lifeline]:
    # The district boundary is a large GeoJSON document: never load it for a list.
    return lifelines.select_related("district").defer("district__boundary", "district__boundary_source")


def lifelines_for_staff(user, municipality) -> QuerySet[Lifeline]:
    """The lifelines `user` may update; none for anyone else."""
    lifelines = _with_district(Lifeline.objects.filter(municipality=municipality)).select_related("org_unit")
    if is_lifeline_hq(user):
        return lifelines.order_by("kind", "sort_order", "name")
    ids = partner_org_unit_ids(user)
    if not ids:
        return Lifeline.objects.none()
    return lifelines.filter(org_unit_id__in=ids).order_by("kind", "sort_order", "name")


def get_lifeline_for_user(user, municipality, pk: int) -> Lifeline:
    """One lifeline `user` may update (Lifeline.DoesNotExist otherwise: the view answers 404)."""
    return lifelines_for_staff(user, municipality).get(pk=pk)


def history_of(lifeline: Lifeline, limit: int = 50) -> QuerySet[StatusReport]:
    """The lifeline's reports, newest first; for staff pages (it names who entered each)."""
    return lifeline.reports.select_related("entered_by").order_by("-as_of", "-id")[:limit]


def lifelines_for_public(municipality) -> QuerySet[Lifeline]:
    """Every lifeline of `municipality`, newest status first (group them by kind with `grouped_by_kind`)."""
    if municipality is None:
        return Lifeline.objects.none()
    return (_with_district(Lifeline.objects.filter(municipality=municipality))
            .order_by(F("status_as_of").desc(nulls_last=True), "sort_order", "name"))


@dataclass
class KindGroup:
    kind: str
    label: str
    lifelines: list = field(default_factory=list)

    @property
    def disrupted(self) -> int:
        return sum(1 for lifeline in self.lifelines if lifeline.is_disrupted)


def grouped_by_kind(lifelines) -> list[KindGroup]:
    """Lifelines in groups by kind, in the page's kind order, keeping the order within each kind."""
    groups: dict[str, KindGroup] = {}
    for lifeline in lifelines:
        kind = lifeline.kind if lifeline.kind in KIND_ORDER else Kind.OTHER
        groups.setdefault(kind, KindGroup(kind, Kind(kind).label)).lifelines.append(lifeline)
    return sorted(groups.values(), key=lambda g: KIND_ORDER[g.kind])


def recent_changes(municipality, limit: int = 5) -> list[StatusReport]:
    """The newest status changes (for the portal home): reports whose status differs from the one before,
    leaving out a lifeline's first report when it says "normal" (that is no news)."""
    if municipality is None:
        return []
    reports = (StatusReport.objects.filter(lifeline__municipality=municipality)
               .exclude(status=F("previous_status"))
               .exclude(Q(previous_status="") & Q(status=Status.NORMAL))
               .select_related("lifeline")
               .only("status", "previous_status", "detail", "source", "as_of", "expected_restoration_at",
                     "lifeline__id", "lifeline__name", "lifeline__kind", "lifeline__code")
               .order_by("-as_of", "-id"))
    return list(reports[:limit])
