"""notify's figures for the plan's KPIs (beside toki/portal/kpi.py; both count local days by toki.lib.date_range):
公式LINE登録者数 per day (active LINE subscribers at the end of each local day) and LINE messages delivered per month.

Registrations are counted from Subscriber.followed_at / unfollowed_at: a subscriber counts from the day it
followed (its creation when no follow time is known) until the day it unfollowed. A re-follow moves followed_at,
so the history before a re-follow is approximate. `notify_kpi_report` takes the user: HQ staff only."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from toki.lib.date_range import local_bounds
from toki.notify.models import Channel, DeliveryBatch, DeliveryState, Subscriber
from toki.notify.permissions import may_view_deliveries

ZONE = ZoneInfo(settings.TIME_ZONE)


def _line_subscribers(municipality):
    return Subscriber.objects.filter(municipality=municipality, channel=Channel.LINE).annotate(
        joined=Coalesce("followed_at", "created_at"))


def line_following_at(municipality, moment: datetime) -> int:
    """LINE subscribers following at `moment`: joined before it and not left by then. One count query; the rule of
    both the per-day figures below and the plan's 公式LINE登録者数 (toki/notify/metrics.py)."""
    return _line_subscribers(municipality).filter(
        Q(joined__lt=moment) & (Q(unfollowed_at__isnull=True) | Q(unfollowed_at__gte=moment))).count()


def line_subscribers_by_day(municipality, start: date, end: date) -> dict[date, int]:
    """Active LINE subscribers at the end of each day from `start` to `end`. Three queries."""
    since, until = local_bounds(start, end)
    line = _line_subscribers(municipality)
    baseline = line_following_at(municipality, since)
    joins = dict(line.filter(joined__gte=since, joined__lt=until).annotate(day=TruncDate("joined", tzinfo=ZONE))
                 .values("day").annotate(n=Count("id")).values_list("day", "n").order_by())
    leaves = dict(line.filter(unfollowed_at__gte=since, unfollowed_at__lt=until, joined__lt=until)
                  .annotate(day=TruncDate("unfollowed_at", tzinfo=ZONE)).values("day").annotate(n=Count("id"))
                  .values_list("day", "n").order_by())
    found, current, day = {}, baseline, start
    while day <= end:
        current += joins.get(day, 0) - leaves.get(day, 0)
        found[day] = current
        day += timedelta(days=1)
    return found


def deliveries_by_month(municipality, start: date, end: date) -> dict[str, int]:
    """LINE messages accepted per local month ("2026-11"), by the time their batch was accepted. One query."""
    since, until = local_bounds(start, end)
    rows = (DeliveryBatch.objects.filter(notification__municipality=municipality, channel=Channel.LINE,
                                         state=DeliveryState.ACCEPTED, finished_at__gte=since, finished_at__lt=until)
            .annotate(month=TruncMonth("finished_at", tzinfo=ZONE)).values("month").annotate(n=Sum("size"))
            .order_by("month"))
    return {row["month"].strftime("%Y-%m"): row["n"] for row in rows}


def notify_kpi_report(user, *, municipality, start: date, end: date) -> dict | None:
    """Per-day registrations and per-month deliveries from `start` to `end`; None for anyone but HQ staff."""
    if not may_view_deliveries(user) or municipality is None:
        return None
    subscribers = line_subscribers_by_day(municipality, start, end)
    months = deliveries_by_month(municipality, start, end)
    return {
        "start": start.isoformat(), "end": end.isoformat(),
        "line_subscribers": [{"date": d.isoformat(), "active": n} for d, n in subscribers.items()],
        "line_deliveries_by_month": [{"month": m, "accepted": n} for m, n in months.items()],
        "totals": {"line_subscribers_at_end": subscribers[end] if subscribers else 0,
                   "line_deliveries": sum(months.values())},
    }
