"""The household tablets' figure for the plan's KPI 高齢世帯向け情報配信 基盤整備 (toki.lib.metrics; docs/kpi.md):
households that used Toki on a device in the 7 local days up to the period's end — active households, not
devices handed out."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from toki.community.models import ActiveDay, Household
from toki.lib.metrics import Measurement, Metric, Period

ACTIVE_DAYS = 7


def active_since(municipality):
    return ActiveDay.objects.filter(household__municipality=municipality).aggregate(first=Min("day"))["first"]


def active_households(municipality, period: Period) -> Measurement:
    start = period.end - timedelta(days=ACTIVE_DAYS - 1)
    active = (ActiveDay.objects.filter(household__municipality=municipality, day__gte=start, day__lte=period.end)
              .values("household").distinct().count())
    enrolled = Household.objects.filter(municipality=municipality, created_at__date__lte=period.end).count()
    return Measurement(Decimal(active), numerator=Decimal(active), denominator=Decimal(enrolled),
                       note=f"{active} of {enrolled} households used a tablet or family phone "
                            f"{start.isoformat()}–{period.end.isoformat()}")


METRICS = [
    Metric(key="tablets.active_households", title=_("Households active on a tablet"), unit="世帯",
           numerator=_("Households that opened a page or tapped on their tablet (or a family phone) in the last "
                       "7 days of the period"),
           denominator=_("Households enrolled (for reference; the KPI is the count)"),
           source=_("Household tablets (docs/community.md)"), measure=active_households, since=active_since),
]
