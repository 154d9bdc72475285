"""notify's figures for the plan's KPIs (toki.lib.metrics; docs/kpi.md): 公式LINE登録者数 and 情報発信率, from the
same rows as notify's staff KPI report (toki/notify/kpi.py)."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.lib.date_range import local_bounds
from toki.lib.metrics import Measurement, Metric, Period, Unavailable, ratio_percent
from toki.notify.models import Category, Channel, DeliveryState, Notification, Subscriber

# Warnings and orders are what the 情報発信率 is about; shelters, lifelines and notices are not time-critical.
URGENT = (Category.EVACUATION_ORDERS, Category.WARNINGS, Category.QUAKE_TSUNAMI)


def line_since(municipality):
    first = Subscriber.objects.filter(municipality=municipality, channel=Channel.LINE).aggregate(
        first=Min(Coalesce("followed_at", "created_at")))["first"]
    return timezone.localdate(first) if first else None


def line_friends(municipality, period: Period) -> Measurement:
    """Following at the end of the period: joined before it ended and not left by then (one count query; the
    same rule as the per-day figures of toki/notify/kpi.py)."""
    _since, until = local_bounds(period.end, period.end)
    at_end = (Subscriber.objects.filter(municipality=municipality, channel=Channel.LINE)
              .annotate(joined=Coalesce("followed_at", "created_at"))
              .filter(Q(joined__lt=until) & (Q(unfollowed_at__isnull=True) | Q(unfollowed_at__gte=until))).count())
    return Measurement(Decimal(at_end), note=f"on {period.end}")


def publishing_rate(municipality, period: Period) -> Measurement | Unavailable:
    minutes = getattr(settings, "TOKI_KPI_PUBLISH_MINUTES", 10)
    since, until = local_bounds(period.start, period.end)
    notifications = (Notification.objects.filter(municipality=municipality, category__in=URGENT, is_drill=False,
                                                 test_audience_only=False, planned_at__gte=since,
                                                 planned_at__lt=until)
                     .annotate(line_batches=Count("batches", filter=Q(batches__channel=Channel.LINE)),
                               unsent=Count("batches", filter=Q(batches__channel=Channel.LINE) &
                                            ~Q(batches__state=DeliveryState.ACCEPTED)),
                               last_accepted=Max("batches__finished_at")))
    total = reached = 0
    for row in notifications.values("planned_at", "line_batches", "unsent", "last_accepted", "recipients"):
        total += 1
        if row["recipients"] == 0 or (row["unsent"] == 0 and row["last_accepted"] is not None and
                                      row["last_accepted"] - row["planned_at"] <= timedelta(minutes=minutes)):
            reached += 1
    if not total:
        return Unavailable("no warning or evacuation order was announced in this period")
    return Measurement(ratio_percent(reached, total), numerator=Decimal(reached), denominator=Decimal(total),
                       note=f"within {minutes} minutes")


METRICS = [
    Metric(key="notify.line_friends", title=_("LINE friends"), unit="人",
           numerator=_("LINE users following the city's account at the end of the period (follows minus blocks)"),
           denominator=_("None: a count"), source=_("LINE follow and unfollow events received by Toki"),
           measure=line_friends, since=line_since),
    Metric(key="notify.publishing_rate", title=_("Warnings and orders published in time"), unit="%",
           numerator=_("Warnings, earthquake and tsunami information and evacuation orders that were on the portal "
                       "and accepted by LINE for every subscriber within the set minutes"),
           denominator=_("All of them announced in the period (drills and tests excluded)"),
           source=_("Toki's delivery records (docs/notify.md)"), measure=publishing_rate),
]
