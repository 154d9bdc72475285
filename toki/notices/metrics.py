"""The notices' figure for the plan's KPIs (toki.lib.metrics; docs/kpi.md): 市民向け周知回数, the notices about the
portal itself (category 「このサイトについて」) first published in the period. Publicity outside Toki (広報紙 articles,
events) is not seen here: the owner adds it as a manual result when the KPI should include it."""

from decimal import Decimal

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.lib.date_range import local_bounds
from toki.lib.metrics import Measurement, Metric, Period
from toki.notices.models import Notice
from toki.notices.selectors import notices_published_between


def notices_since(municipality):
    first = Notice.objects.filter(municipality=municipality).aggregate(first=Min("created_at"))["first"]
    return timezone.localdate(first) if first else None


def portal_publicity(municipality, period: Period) -> Measurement:
    since, until = local_bounds(period.start, period.end)
    count = notices_published_between(municipality, since, until, category=Notice.Category.PORTAL)
    return Measurement(Decimal(count))


METRICS = [
    Metric(key="notices.portal_publicity", title=_("Notices about the portal"), unit="回",
           numerator=_("Notices in the category 'About this site' first published in the period"),
           denominator=_("None: a count"), source=_("Notices (docs/notices.md)"), measure=portal_publicity,
           since=notices_since),
]
