"""The register's figure for the plan's KPIs (toki.lib.metrics; docs/kpi.md): 要支援者台帳にもとづく共助につなげる
デジタル基盤活用 as the stage reached, from the districts where an evacuation supporter outside city hall
(避難支援等関係者: 民生委員, 自主防災組織, 消防団, 社協 …, 第49条の11第2項) read the register through Toki in the period
— the register reaching 共助, not only kept by the city. Counted from the access log (AccessLog rows with a
recipient class), which every read of a person writes; nothing personal is read."""


from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District
from toki.lib.date_range import local_bounds
from toki.lib.metrics import DISTRICT_LADDER, Measurement, Metric, Period, district_stage_measurement
from toki.registry.models import AccessLog


def _supporter_reads(municipality):
    return AccessLog.objects.filter(person__district__municipality=municipality).exclude(recipient_class="")


def registry_since(municipality):
    """The first read by a supporter: before it, the register was not shared through Toki."""
    first = _supporter_reads(municipality).aggregate(first=Min("at"))["first"]
    return timezone.localdate(first) if first else None


def registry_stage(municipality, period: Period) -> Measurement:
    since, until = local_bounds(period.start, period.end)
    in_use = (_supporter_reads(municipality).filter(at__gte=since, at__lt=until)
              .values("person__district").distinct().count())
    districts = District.objects.filter(municipality=municipality).count()
    return district_stage_measurement(in_use, districts)


METRICS = [
    Metric(key="registry.registry_stage", title=_("Register shared with evacuation supporters"), unit="stage",
           numerator=_("Districts where an evacuation supporter outside city hall (民生委員, 自主防災組織, 消防団, "
                       "社協 …) read the register through Toki"),
           denominator=DISTRICT_LADDER,
           source=_("The register's access log (docs/registry.md)"), measure=registry_stage, is_stage=True,
           since=registry_since),
]
