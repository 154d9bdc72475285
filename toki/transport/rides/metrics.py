"""The shared-ride service's figures for the plan's KPIs (toki.lib.metrics; docs/kpi.md, docs/rides.md): rides
carried, the acceptance rate, the mean wait and the 運行率 over the period, from the bookings and plans (kpis.py):
times as the driver's tablet recorded them where it did, the plan's otherwise, and the note says how many of each."""

from decimal import Decimal

from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from toki.lib.metrics import Measurement, Metric, Period, Unavailable, ratio_percent
from toki.transport.rides import kpis
from toki.transport.rides.models import Booking, ServiceArea


def rides_since(municipality):
    return Booking.objects.filter(area__municipality=municipality).aggregate(first=Min("service_date"))["first"]


def _measure(municipality, period: Period) -> kpis.Kpis:
    return kpis.measure(list(ServiceArea.objects.filter(municipality=municipality)), period.start, period.end)


def _times_note(figures: kpis.Kpis) -> str:
    return (f"{figures.rides} rides: {figures.waits_measured} boarded as the driver's tablet recorded, "
            f"{figures.rides - figures.waits_measured} by the plan")


def passengers_carried(municipality, period: Period) -> Measurement:
    figures = _measure(municipality, period)
    return Measurement(Decimal(figures.passengers), note=f"{figures.rides} rides")


def wait_mean(municipality, period: Period) -> Measurement | Unavailable:
    figures = _measure(municipality, period)
    if figures.wait_mean is None:
        return Unavailable("no ride was carried or planned in the period")
    return Measurement(Decimal(str(figures.wait_mean)), note=_times_note(figures))


def acceptance_rate(municipality, period: Period) -> Measurement | Unavailable:
    figures = _measure(municipality, period)
    if not figures.requests:
        return Unavailable("no ride was requested in the period")
    return Measurement(ratio_percent(figures.accepted, figures.requests), numerator=Decimal(figures.accepted),
                       denominator=Decimal(figures.requests))


def operation_rate(municipality, period: Period) -> Measurement | Unavailable:
    figures = _measure(municipality, period)
    if not figures.scheduled_vehicle_days:
        return Unavailable("no vehicle was scheduled in the period")
    return Measurement(ratio_percent(figures.operated_vehicle_days, figures.scheduled_vehicle_days),
                       numerator=Decimal(figures.operated_vehicle_days),
                       denominator=Decimal(figures.scheduled_vehicle_days))


SOURCE = _("Shared-ride bookings and vehicle plans, and the driver's tablets' records (docs/rides.md)")

METRICS = [
    Metric(key="rides.passengers", title=_("Shared-ride passengers"), unit="人",
           numerator=_("Passengers of rides booked and carried (or planned) in the period"),
           denominator=_("None: a count"), source=SOURCE, measure=passengers_carried, since=rides_since),
    Metric(key="rides.acceptance_rate", title=_("Shared-ride acceptance rate"), unit="%",
           numerator=_("Requests accepted with a promised pickup window"),
           denominator=_("Ride requests for service days in the period"), source=SOURCE, measure=acceptance_rate,
           since=rides_since),
    Metric(key="rides.wait_mean", title=_("Shared-ride mean wait"), unit="分",
           numerator=_("Minutes from the time asked for to the boarding, as the driver's tablet recorded it (the "
                       "plan's pickup for rides not yet boarded), summed over the rides"),
           denominator=_("Rides accepted for service days in the period (carried or still planned)"), source=SOURCE,
           measure=wait_mean, since=rides_since),
    Metric(key="rides.operation_rate", title=_("Shared-ride operation rate (運行率)"), unit="%",
           numerator=_("Scheduled vehicle-days on which the vehicle carried at least one rider"),
           denominator=_("Vehicle-days scheduled by the calendar and the shifts"), source=SOURCE,
           measure=operation_rate, since=rides_since),
]
