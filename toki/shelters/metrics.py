"""The shelters' figure for the plan's KPIs (toki.lib.metrics; docs/kpi.md): 避難所での受付システム整備 as the stage
reached, from the districts where shelters checked evacuees in through Toki (drills count: a district whose staff
have run the reception in a drill has it in place)."""


from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toki.areas.models import District
from toki.lib.date_range import local_bounds
from toki.lib.metrics import DISTRICT_LADDER, Measurement, Metric, Period, district_stage_measurement
from toki.shelters.models import Registration


def reception_since(municipality):
    """Toki knows the stage from the first check-in on: before, the city had not put the reception in Toki."""
    first = Registration.objects.filter(opening__shelter__municipality=municipality).aggregate(
        first=Min("checked_in_at"))["first"]
    return timezone.localdate(first) if first else None


def reception_stage(municipality, period: Period) -> Measurement:
    since, until = local_bounds(period.start, period.end)
    in_use = (Registration.objects.filter(opening__shelter__municipality=municipality, checked_in_at__gte=since,
                                          checked_in_at__lt=until, opening__shelter__district__isnull=False)
              .values("opening__shelter__district").distinct().count())
    districts = District.objects.filter(municipality=municipality).count()
    return district_stage_measurement(in_use, districts)


METRICS = [
    Metric(key="shelters.reception_stage", title=_("Shelter reception in use"), unit="stage",
           numerator=_("Districts with a shelter that checked evacuees in through Toki (drills included)"),
           denominator=DISTRICT_LADDER,
           source=_("Shelter check-ins (docs/shelter-ops.md)"), measure=reception_stage, is_stage=True,
           since=reception_since),
]
