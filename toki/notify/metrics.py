"""notify's figures for the plan's KPIs (toki.lib.metrics; docs/kpi.md): 公式LINE登録者数 and 情報発信率, from the
same rows as notify's staff KPI report (toki/notify/kpi.py)."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.lib.date_range import local_bounds
from toki.lib.metrics import Measurement, Metric, Period, Unavailable, ratio_percent
from toki.notify.kpi import line_following_at
from toki.notify.line import client as line_client
from toki.notify.models import Category, Channel, DeliveryState, Notification, Subscriber

# Warnings and orders are what the 情報発信率 is about; shelters, lifelines and notices are not time-critical.
URGENT = (Category.EVACUATION_ORDERS, Category.WARNINGS, Category.QUAKE_TSUNAMI)


def line_since(municipality):
    first = Subscriber.objects.filter(municipality=municipality, channel=Channel.LINE).aggregate(
        first=Min(Coalesce("followed_at", "created_at")))["first"]
    return timezone.localdate(first) if first else None


def line_friends(municipality, period: Period) -> Measurement:
    """Friends at the end of the period as LINE counts them: the Insight API's followers − blocks
    (GET /v2/bot/insight/followers). LINE computes a day's figures about a day later ("unready" until then), so for
    a period ending today the latest ready day is used, and the note says which day. Toki's own count (follows −
    unfollows it received, toki/notify/kpi.py) when LINE is not configured, cannot be reached or has no figure."""
    _since, until = local_bounds(period.end, period.end)
    local = line_following_at(municipality, until)
    answer = insight_followers(period.end)
    if isinstance(answer, str):
        return Measurement(Decimal(local), note=f"on {period.end}: Toki's own count ({answer})")
    day, followers, blocks = answer
    return Measurement(Decimal(followers - blocks), note=f"on {day}: LINE Insight, {followers} followers − {blocks} "
                                                         f"blocks (Toki's own count on {period.end}: {local})")


def insight_followers(day: date) -> tuple[date, int, int] | str:
    """(the day, followers, blocks) from LINE's Insight API for `day`, or for the day before when `day` is not
    ready yet (at most two requests: LINE allows 60 an hour); or why there is none, in words."""
    if not line_client.is_configured():
        return "LINE is not configured"
    from linebot.v3.insight import ApiException
    from urllib3.exceptions import HTTPError

    status = "missing"
    for asked in (day, day - timedelta(days=1)):
        try:
            with line_client.insight_api() as api:
                found = api.get_number_of_followers(var_date=asked.strftime("%Y%m%d"),
                                                    _request_timeout=line_client.request_timeout())
        except ApiException as error:
            return f"LINE's figure could not be read: HTTP {error.status}"
        except (HTTPError, OSError) as error:
            return f"LINE's figure could not be read: {type(error).__name__}"
        if found.status == "ready" and found.followers is not None and found.blocks is not None:
            return asked, found.followers, found.blocks
        status = found.status or status
        if status != "unready":
            break
    return f"LINE's figure for the day is {status}"


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
           numerator=_("LINE users following the city's account at the end of the period: followers minus blocks"),
           denominator=_("None: a count"),
           source=_("LINE's Insight API (number of followers); Toki's own count of the follow and unfollow events "
                    "it received when LINE has no figure for the day"),
           measure=line_friends, since=line_since),
    Metric(key="notify.publishing_rate", title=_("Warnings and orders published in time"), unit="%",
           numerator=_("Warnings, earthquake and tsunami information and evacuation orders that were on the portal "
                       "and accepted by LINE for every subscriber within the set minutes"),
           denominator=_("All of them announced in the period (drills and tests excluded)"),
           source=_("Toki's delivery records (docs/notify.md)"), measure=publishing_rate),
]
