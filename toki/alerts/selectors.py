"""Reads of alerts. Public reads show only actual (non-drill, non-test) alerts; staff reads include drills."""

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from toki.alerts.models import Alert, EvacuationOrder, JmaFeed, QuarantinedInput, WarningState
from toki.alerts.permissions import is_alert_staff


def public_alerts(municipality) -> QuerySet[Alert]:
    return Alert.objects.filter(municipality=municipality, status=Alert.Status.ACTUAL)


def alerts_for(user, municipality) -> QuerySet[Alert]:
    """Every alert the user may see: staff see drills and tests too, everyone else the public ones."""
    if is_alert_staff(user):
        return Alert.objects.filter(municipality=municipality)
    return public_alerts(municipality)


def warnings_in_force(municipality, *, drills: bool = False, now=None) -> QuerySet[WarningState]:
    """Every (area, kind) state in force, for each area of the municipality a telegram named (the city, its
    forecast area, its tsunami region …); those past their ValidDateTime are left out. Staff views."""
    now = now or timezone.now()
    return (WarningState.objects.filter(municipality=municipality, is_drill=drills)
            .filter(Q(expires_at=None) | Q(expires_at__gt=now))
            .select_related("alert").order_by("area_code", "system", "kind_code"))


# The profile keys (toki.alerts.jma.relevance) a state's area may come from, most specific first. A telegram
# names the municipality under several codes (佐渡市 1522400 and the forecast area 佐渡 150040 in one weather
# telegram); the most specific one speaks for it. The prefecture (forecast_region) alone never does.
AREA_PREFERENCE = ("city", "tsunami_region", "forecast_subdivision", "tsunami_stations", "earthquake_region")


def public_warnings_in_force(municipality, *, now=None) -> list[WarningState]:
    """What is in force for the municipality now, as the public is told it on every surface (portal pages, the
    軽量版, the tourist page, LINE, the API): per warning system the states of the most specific area of the
    municipality that system speaks of, public alerts only, drills never, expired ones never."""
    codes = municipality.jma_codes or {}
    rank = {}
    for position, key in enumerate(AREA_PREFERENCE):
        for code in codes.get(key, []):
            rank.setdefault(str(code), position)
    states = [s for s in warnings_in_force(municipality, now=now) if s.area_code in rank and s.alert.is_public]
    best = {}
    for state in states:
        best[state.system] = min(best.get(state.system, len(AREA_PREFERENCE)), rank[state.area_code])
    return [s for s in states if rank[s.area_code] == best[s.system]]


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


def city_alert_identifier(municipality, key) -> str:
    """The identifier of a city Alert (CAP identifier): its uuid is the issuing form's idempotency key, if any."""
    return f"city:{municipality.code}:{key}"


def orders_issued_with(municipality, key) -> list[EvacuationOrder] | None:
    """The orders the issuing form with idempotency key `key` issued, or None when that form was not used yet."""
    alert = Alert.objects.filter(identifier=city_alert_identifier(municipality, key)).first()
    if alert is None:
        return None
    return list(EvacuationOrder.objects.filter(issue_alert=alert).select_related("district").order_by("pk"))
