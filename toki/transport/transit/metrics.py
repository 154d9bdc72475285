"""Transit's figures for the plan's KPIs (toki.lib.metrics; docs/kpi.md, docs/transit.md): boardings counted by
the vehicles' tablets in the period, all routes together, with the split by route in the note. Only vehicles that
report boardings are counted: a route whose buses have no tablet yet is missing, which the note says."""

from decimal import Decimal

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.lib.date_range import local_bounds
from toki.lib.metrics import Measurement, Metric, Period
from toki.transport.transit.models import Boarding
from toki.transport.transit.selectors import boardings_by_route


def boardings_since(municipality):
    first = Boarding.objects.filter(vehicle__municipality=municipality).aggregate(first=Min("boarded_at"))["first"]
    return timezone.localdate(first) if first else None


def boardings(municipality, period: Period) -> Measurement:
    since, until = local_bounds(period.start, period.end)
    by_route = boardings_by_route(municipality, since, until)
    note = ", ".join(f"{route} {count}" for route, count in by_route.items())
    return Measurement(Decimal(sum(by_route.values())), note=note)


METRICS = [
    Metric(key="transit.boardings", title=_("Bus boardings recorded"), unit="人",
           numerator=_("Passengers counted boarding by the tablets on the buses in the period, all routes; the "
                       "note splits them by route"),
           denominator=_("None: a count"), source=_("Vehicle reports (docs/transit.md)"), measure=boardings,
           since=boardings_since),
]
