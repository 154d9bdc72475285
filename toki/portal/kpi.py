"""The plan's portal KPIs per day (docs/portal-kpi.md): page views (アクセス件数), unique and repeat visitors
(リピート率), the satisfaction survey (利用満足度), and the alerts and notices published (the 情報発信率 figures).

Read-only. `kpi_report` takes the user: only HQ staff (viewer role or above) get a report."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from toki.alerts.models import Alert
from toki.lib.date_range import local_bounds
from toki.notices.selectors import notices_published_between
from toki.portal.models import PATH_GROUPS, DailyVisitorCount, PageViewCount, SurveyAnswer, VisitorDay
from toki.portal.permissions import may_view_kpi


def alerts_published_by_day(municipality, start: date, end: date) -> dict[date, int]:
    """Public alerts (status actual; drills and tests never reach the public) by the local day they were sent,
    every version counted (an update or a cancellation is published too). One query."""
    since, until = local_bounds(start, end)
    rows = (Alert.objects.filter(municipality=municipality, status=Alert.Status.ACTUAL,
                                 sent_at__gte=since, sent_at__lt=until)
            .annotate(day=TruncDate("sent_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
            .values("day").annotate(n=Count("id")).order_by())
    return {row["day"]: row["n"] for row in rows}


def notices_published_by_day(municipality, start: date, end: date) -> dict[date, int]:
    """Notices first published on each local day, through the notices app's selector (one query a day)."""
    found = {}
    day = start
    while day <= end:
        since, until = local_bounds(day, day)
        found[day] = notices_published_between(municipality, since, until)
        day += timedelta(days=1)
    return found


def visitor_totals(start: date, end: date, *, per_day: bool = False) -> dict[date | None, list[int]]:
    """[unique, repeat] visitors from `start` to `end`: the folded counts of past days plus the keys of the days
    not yet folded; per day (keyed by day) or for the whole range (keyed None). Two queries. The staff KPI page
    and the plan's リピート率 (toki/portal/metrics.py) both count through here."""
    found: dict[date | None, list[int]] = {}
    counted = ((DailyVisitorCount.objects.filter(day__range=(start, end)), Sum("unique_visitors"),
                Sum("repeat_visitors")),
               (VisitorDay.objects.filter(day__range=(start, end)), Count("id"), Count("id", filter=Q(is_repeat=True))))
    for rows, unique, repeat in counted:
        if per_day:
            grouped = rows.values("day").annotate(unique=unique, repeat=repeat).order_by()
        else:
            grouped = [dict(rows.aggregate(unique=unique, repeat=repeat), day=None)]
        for row in grouped:
            counts = found.setdefault(row["day"], [0, 0])
            counts[0] += row["unique"] or 0
            counts[1] += row["repeat"] or 0
    return found


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def kpi_report(user, *, municipality, start: date, end: date) -> dict | None:
    """Per-day figures from `start` to `end` (inclusive) and their totals; None for anyone but HQ staff.
    Five queries, plus one a day for the notices."""
    if not may_view_kpi(user) or municipality is None:
        return None
    views: dict[date, dict[str, int]] = {}
    for day, group, n in PageViewCount.objects.filter(day__range=(start, end)).values_list(
            "day", "path_group", "views"):
        views.setdefault(day, {})[group] = n
    visitors = visitor_totals(start, end, per_day=True)
    survey = {row["day"]: row for row in SurveyAnswer.objects.filter(day__range=(start, end)).values("day")
              .annotate(n=Count("id"), total=Sum("rating")).order_by()}
    alerts = alerts_published_by_day(municipality, start, end)
    notices = notices_published_by_day(municipality, start, end)

    days = []
    day = start
    while day <= end:
        by_group = {group: views.get(day, {}).get(group, 0) for group in PATH_GROUPS}
        unique, repeat = visitors.get(day, [0, 0])
        answers = survey.get(day, {"n": 0, "total": None})
        days.append({
            "date": day.isoformat(),
            "page_views": sum(by_group.values()),
            "page_views_by_group": by_group,
            "unique_visitors": unique,
            "repeat_visitors": repeat,
            "repeat_rate": _rate(repeat, unique),
            "survey_answers": answers["n"],
            "survey_rating_sum": answers["total"] or 0,
            "survey_average": round(answers["total"] / answers["n"], 2) if answers["n"] else None,
            "alerts_published": alerts.get(day, 0),
            "notices_published": notices[day],
        })
        day += timedelta(days=1)
    return {"start": start.isoformat(), "end": end.isoformat(), "days": days, "totals": _totals(days)}


def _totals(days: list[dict]) -> dict:
    def total(key):
        return sum(d[key] for d in days)

    answers, rating_sum = total("survey_answers"), total("survey_rating_sum")
    return {
        "page_views": total("page_views"),
        "page_views_by_group": {g: sum(d["page_views_by_group"][g] for d in days) for g in PATH_GROUPS},
        # A visitor on three days counts three times: keys cannot be linked across days, by design.
        "visitor_days": total("unique_visitors"),
        "repeat_visitors": total("repeat_visitors"),
        "repeat_rate": _rate(total("repeat_visitors"), total("unique_visitors")),
        "survey_answers": answers,
        "survey_average": round(rating_sum / answers, 2) if answers else None,
        "alerts_published": total("alerts_published"),
        "notices_published": total("notices_published"),
    }
