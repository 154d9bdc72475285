"""The shape of a metric provider (docs/kpi.md): how an app tells the plan's KPI module what it can measure,
without either importing the other.

An app lists its providers in `<app>/metrics.py` as `METRICS = [Metric(...), ...]`; the KPI module finds them
through Django's app registry (`autodiscover_modules("metrics")`) and keys them by `Metric.key`. A provider gets
the municipality and a period of local days and answers a `Measurement`, or `Unavailable` with the reason in words
(nothing is guessed: a provider that lacks data says so)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = str | Promise  # plain or lazily translated


@dataclass(frozen=True)
class Period:
    """Local days `start`..`end`, both included (a fiscal year, or its part up to today)."""

    start: date
    end: date


@dataclass(frozen=True)
class Measurement:
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str = ""  # what the figure rests on, in words (e.g. "3 incidents, 2 with HQ work in Toki")


@dataclass(frozen=True)
class Unavailable:
    reason: str


@dataclass(frozen=True)
class Metric:
    key: str  # "<app>.<name>", the KPI's `metric` in the plan file
    title: Text
    unit: str
    # The written definition shown on the KPI's definitions page (デジタル庁 style): what is counted, over what,
    # from which data, as of when.
    numerator: Text
    denominator: Text
    source: Text
    measure: Callable[..., "Measurement | Unavailable"] = field(repr=False)
    # A stage metric answers the 1-based position of the stage reached among the KPI's stages.
    is_stage: bool = False
    # For a count: the first local day Toki holds data for (None: none yet). Periods that end before it are not
    # measured (a year before Toki counted is not a year of zero), and a period that begins before it is
    # measured from that day, which the result says.
    since: Callable[..., date | None] | None = field(default=None, repr=False)


def ratio_percent(numerator: int | Decimal, denominator: int | Decimal) -> Decimal:
    """numerator ÷ denominator as a percentage with two decimals (the caller checks the denominator)."""
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"))


# The plan's district ladder 導入検討 → 一部地区で導入 → 導入地区の拡大 → 市内全域の整備, by the share of districts
# where something is in use (the shelters' reception, the registry's sharing).
SOME_DISTRICTS_UP_TO = Decimal(1) / 3


# The definition's denominator of a district-ladder metric.
DISTRICT_LADDER = _("All districts; none → 導入検討, up to a third → 一部地区で導入, more → 導入地区の拡大, "
                    "all → 市内全域の整備")


def district_stage_measurement(in_use: int, districts: int) -> Measurement:
    """The stage reached by `in_use` of `districts` districts, with the counts it rests on."""
    return Measurement(Decimal(district_stage(in_use, districts)), numerator=Decimal(in_use),
                       denominator=Decimal(districts), note=f"{in_use} of {districts} districts")


def district_stage(in_use: int, districts: int) -> int:
    """The 1-based stage: none in use → 1, up to a third → 2, more → 3, all → 4."""
    if in_use == 0 or districts == 0:
        return 1
    if in_use >= districts:
        return 4
    return 2 if Decimal(in_use) / districts <= SOME_DISTRICTS_UP_TO else 3
