"""The register's figure for the plan's KPIs (toki.lib.metrics; docs/kpi.md): 要支援者台帳にもとづく共助につなげる
デジタル基盤活用 as the stage reached, from the districts where an evacuation supporter outside city hall
(避難支援等関係者: 民生委員, 自主防災組織, 消防団, 社協 …, 第49条の11第2項) read the register through Toki in the period
— the register reaching 共助, not only kept by the city. Counted from the access log (AccessLog rows with a
recipient class), which every read of a person writes; nothing personal is read."""

from decimal import Decimal

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District
from toki.lib.date_range import local_bounds
from toki.lib.metrics import (
    DISTRICT_LADDER,
    Measurement,
    Metric,
    Period,
    Unavailable,
    district_stage_measurement,
    ratio_percent,
)
from toki.registry.models import AccessLog, Plan
from toki.registry.selectors_plans import coverage, total


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


def plans_since(municipality):
    """The first plan saved: before it, Toki held no 個別避難計画."""
    first = Plan.objects.filter(person__district__municipality=municipality).aggregate(first=Min("created_at"))
    return timezone.localdate(first["first"]) if first["first"] else None


def plan_coverage(municipality, period: Period) -> Measurement | Unavailable:
    """People on the register today with a 個別避難計画 whose supporters all consented (a plan that may be shared).
    A figure of today: consent and supporters change, and their past states are not reconstructed."""
    if period.end < timezone.localdate():
        return Unavailable("the plan coverage is counted for today; past periods were not recorded")
    whole = total(coverage(District.objects.filter(municipality=municipality).defer("boundary")))
    if not whole.people:
        return Unavailable("nobody is on the register")
    return Measurement(ratio_percent(whole.complete, whole.people), numerator=Decimal(whole.complete),
                       denominator=Decimal(whole.people),
                       note=f"{whole.complete} of {whole.people} people; {whole.plans} plans, {whole.overdue} "
                            "overdue for review")


METRICS = [
    Metric(key="registry.registry_stage", title=_("Register shared with evacuation supporters"), unit="stage",
           numerator=_("Districts where an evacuation supporter outside city hall (民生委員, 自主防災組織, 消防団, "
                       "社協 …) read the register through Toki"),
           denominator=DISTRICT_LADDER,
           source=_("The register's access log (docs/registry.md)"), measure=registry_stage, is_stage=True,
           since=registry_since),
    Metric(key="registry.plan_coverage", title=_("People on the register with an individual evacuation plan"),
           unit="%",
           numerator=_("People on the register whose 個別避難計画 names supporters who all consented"),
           denominator=_("People on the register (避難行動要支援者名簿), today"),
           source=_("The register and its plans (docs/registry.md)"), measure=plan_coverage, since=plans_since),
]
