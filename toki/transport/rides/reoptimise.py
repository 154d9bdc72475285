"""The background re-optimiser: improves each area's plans for today and the coming booked days without
breaking a promise (darp's `improve` with keep_promises and the served stops locked). The search runs without
any lock; its result is written only if no booking or cancellation changed those plans meanwhile (the plans'
versions, checked under the row locks in `actions.store_improved_plans`), so a booking never waits for it and a
seat it did not see is never sold twice. Idempotent: a round that finds nothing better writes nothing."""

from datetime import timedelta

from django.utils import timezone

from toki.transport.rides import actions, dispatch
from toki.transport.rides.models import ServiceArea, VehicleDay


def reoptimise(*, seconds: float, seed: int = 0, areas=None) -> dict[str, int]:
    """One round over every area and day with booked stops; answers how many plans were improved, per area."""
    now = timezone.now()
    today = timezone.localdate(now)
    improved: dict[str, int] = {}
    for area in areas if areas is not None else ServiceArea.objects.all():
        days = (VehicleDay.objects.filter(vehicle__area=area, day__gte=today, day__lte=today + timedelta(days=14))
                .exclude(stops=[]).values_list("day", flat=True).distinct())
        for day in sorted(set(days)):
            rows = list(VehicleDay.objects.filter(vehicle__area=area, day=day).select_related("vehicle")
                        .order_by("pk"))
            versions = {vd.pk: vd.version for vd in rows}
            routes = dispatch.improve(area, rows, now=now, seconds=seconds, seed=seed)
            improved[area.code] = improved.get(area.code, 0) + actions.store_improved_plans(
                area=area, day=day, expected_versions=versions, routes=routes)
    return improved
