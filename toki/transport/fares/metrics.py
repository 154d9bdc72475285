"""Ridership KPIs for the plan (toki.lib.metrics; docs/kpi.md, docs/fares.md "KPIs"): boardings by product,
uses of the resident discount, revenue. Counted from the uses the checker devices synced (applied, not rejected;
a double use of a single ride is not a boarding) and the purchases paid and not refunded."""

from decimal import Decimal

from django.db.models import Count, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.lib.date_range import local_bounds
from toki.lib.metrics import Measurement, Metric, Period
from toki.transport.fares.models import Credential, Purchase, UseEvent

PASS_KINDS = (Credential.Kind.DAY, Credential.Kind.SUB30, Credential.Kind.SINGLE)


def _boardings(period: Period):
    since, until = local_bounds(period.start, period.end)
    return UseEvent.objects.filter(status=UseEvent.Status.APPLIED, double_use=False, occurred_at__gte=since,
                                   occurred_at__lt=until)


def uses_since(municipality):
    first = UseEvent.objects.filter(status=UseEvent.Status.APPLIED).aggregate(first=Min("occurred_at"))["first"]
    return timezone.localdate(first) if first else None


def sales_since(municipality):
    first = Purchase.objects.filter(paid_at__isnull=False).aggregate(first=Min("paid_at"))["first"]
    return timezone.localdate(first) if first else None


def boardings(municipality, period: Period) -> Measurement:
    """Boardings on passes (day, 30-day, single), with the count per product in the note."""
    rows = dict(_boardings(period).filter(kind__in=PASS_KINDS).values_list("kind").annotate(n=Count("id")))
    total = sum(rows.values())
    note = ", ".join(f"{kind} {rows.get(kind, 0)}" for kind in PASS_KINDS)
    return Measurement(Decimal(total), note=note)


def discount_uses(municipality, period: Period) -> Measurement:
    """Resident cards shown (the island fare applied), with the place in the note."""
    rows = dict(_boardings(period).filter(kind=Credential.Kind.CARD).values_list("place").annotate(n=Count("id")))
    return Measurement(Decimal(sum(rows.values())),
                       note=", ".join(f"{place} {n}" for place, n in sorted(rows.items())))


def revenue(municipality, period: Period) -> Measurement:
    """Yen of purchases paid in the period and not refunded."""
    since, until = local_bounds(period.start, period.end)
    paid = Purchase.objects.filter(paid_at__gte=since, paid_at__lt=until)
    kept = paid.filter(status=Purchase.Status.PAID)
    total = kept.aggregate(total=Sum("amount_yen"))["total"] or 0
    return Measurement(Decimal(total), note=f"{kept.count()} purchases, {paid.count() - kept.count()} refunded")


METRICS = [
    Metric(key="fares.boardings", title=_("Boardings on passes"), unit="boardings",
           numerator=_("Uses of day passes, 30-day passes and single rides recorded by checkers and synced "
                       "(double uses of a single ride not counted)"),
           denominator=_("None (a count)"), source=_("Checker devices' synced uses (docs/fares.md)"),
           measure=boardings, since=uses_since),
    Metric(key="fares.discount_uses", title=_("Island resident discount uses"), unit="uses",
           numerator=_("Digital resident cards checked at the ferry window, on buses and on demand-responsive rides"),
           denominator=_("None (a count)"), source=_("Checker devices' synced uses (docs/fares.md)"),
           measure=discount_uses, since=uses_since),
    Metric(key="fares.revenue", title=_("Fare revenue"), unit="yen",
           numerator=_("Purchases paid through the payment provider in the period, refunds excluded"),
           denominator=_("None (a sum)"), source=_("Purchases (docs/fares.md)"), measure=revenue, since=sales_since),
]
