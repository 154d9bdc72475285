"""The portal's figures for the plan's KPIs (toki.lib.metrics; docs/kpi.md): アクセス件数, リピート率 and 利用満足度,
computed by the same functions as the staff KPI page (toki/portal/kpi.py), so that no second place counts them."""

from decimal import Decimal

from django.db.models import Avg, Count, Min, Sum
from django.utils.translation import gettext_lazy as _

from toki.lib.metrics import Measurement, Metric, Period, Unavailable, ratio_percent
from toki.portal.kpi import visitor_totals
from toki.portal.models import PageViewCount, SurveyAnswer


def counting_since(municipality):
    return PageViewCount.objects.aggregate(first=Min("day"))["first"]


def survey_since(municipality):
    return SurveyAnswer.objects.aggregate(first=Min("day"))["first"]


def visits(municipality, period: Period) -> Measurement:
    total = PageViewCount.objects.filter(day__range=(period.start, period.end)).aggregate(n=Sum("views"))["n"] or 0
    return Measurement(Decimal(total), note=f"{period.start} – {period.end}")


def repeat_rate(municipality, period: Period) -> Measurement | Unavailable:
    """The period's total of the visitor counts the staff KPI page shows per day (portal.kpi.visitor_totals)."""
    unique, repeat = visitor_totals(period.start, period.end)[None]
    if not unique:
        return Unavailable("no visitors were counted in this period")
    return Measurement(ratio_percent(repeat, unique), numerator=Decimal(repeat), denominator=Decimal(unique))


def satisfaction(municipality, period: Period) -> Measurement | Unavailable:
    answers = SurveyAnswer.objects.filter(day__range=(period.start, period.end)).aggregate(n=Count("id"),
                                                                                             mean=Avg("rating"))
    if not answers["n"]:
        return Unavailable("nobody answered the satisfaction survey in this period")
    return Measurement(Decimal(answers["mean"]).quantize(Decimal("0.01")), denominator=Decimal(answers["n"]),
                       note=f"{answers['n']} answers")


METRICS = [
    Metric(key="portal.visits", title=_("Portal page views"), unit="件",
           numerator=_("Page views of the public portal (every page, every language, bots excluded)"),
           denominator=_("None: a count"), source=_("Toki's cookieless page-view counter (docs/portal-kpi.md)"),
           measure=visits, since=counting_since),
    Metric(key="portal.repeat_rate", title=_("Repeat visitors"), unit="%",
           numerator=_("Visitor-days of visitors whose browser had come on an earlier day"),
           denominator=_("All visitor-days (a visitor counted once a day)"),
           source=_("Toki's cookieless visitor counter (docs/portal-kpi.md)"), measure=repeat_rate,
           since=counting_since),
    Metric(key="portal.satisfaction", title=_("Satisfaction"), unit="p",
           numerator=_("Sum of the ratings (1–5) given in the portal's survey"),
           denominator=_("Number of answers"), source=_("The portal's satisfaction survey"), measure=satisfaction,
           since=survey_since),
]
