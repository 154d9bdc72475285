"""Reads of alerts. Public reads show only actual (non-drill, non-test) alerts; staff reads include drills."""

from django.db.models import Max, QuerySet

from toki.accounts.models import OrgUnit, Role
from toki.accounts.selectors import has_role
from toki.alerts.models import Alert, EvacuationOrder, JmaFeed, QuarantinedInput, WarningState


def is_alert_staff(user) -> bool:
    """Staff who may see drills, tests and the raw telegrams: any role in HQ or a branch office."""
    return has_role(user, Role.VIEWER, kinds=(OrgUnit.Kind.HQ, OrgUnit.Kind.BRANCH_OFFICE))


def public_alerts(municipality) -> QuerySet[Alert]:
    return Alert.objects.filter(municipality=municipality, status=Alert.Status.ACTUAL)


def alerts_for(user, municipality) -> QuerySet[Alert]:
    """Every alert the user may see: staff see drills and tests too, everyone else the public ones."""
    if is_alert_staff(user):
        return Alert.objects.filter(municipality=municipality)
    return public_alerts(municipality)


def warnings_in_force(municipality, *, drills: bool = False) -> QuerySet[WarningState]:
    return (WarningState.objects.filter(municipality=municipality, is_drill=drills)
            .select_related("alert").order_by("area_code", "system", "kind_code"))


def orders_in_force(municipality, *, drills: bool = False) -> QuerySet[EvacuationOrder]:
    return (EvacuationOrder.objects.filter(municipality=municipality, lifted_at=None, is_drill=drills)
            .select_related("district").order_by("-level", "district__sort_order", "hazard"))


def orders_for_staff(user, municipality) -> QuerySet[EvacuationOrder]:
    """Orders in force, drills included, for staff who may see them; none for others."""
    if not is_alert_staff(user):
        return EvacuationOrder.objects.none()
    return (EvacuationOrder.objects.filter(municipality=municipality, lifted_at=None)
            .select_related("district", "issued_by").order_by("is_drill", "-level", "district__sort_order"))


def last_feed_success():
    """When Toki last read a JMA feed successfully (None: never), so pages can say how fresh they are."""
    return JmaFeed.objects.aggregate(latest=Max("last_success_at"))["latest"]


def recent_quarantine(user, limit: int = 20):
    """The newest quarantined inputs (malformed feeds, telegrams, CAP messages), for alert staff only."""
    if not is_alert_staff(user):
        return QuarantinedInput.objects.none()
    return QuarantinedInput.objects.defer("sample").order_by("-received_at", "-id")[:limit]
