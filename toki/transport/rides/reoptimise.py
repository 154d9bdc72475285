"""The background re-optimiser: improves each area's plans for today and the coming booked days without
breaking a promise (darp's `improve` with keep_promises and the served stops locked). The search runs without
any lock; its result is written under the plans' row locks by `actions.store_improved_plans`, which brings it up
to date with the bookings made meanwhile (or writes nothing), so a booking never waits for a search and a seat it
did not see is never sold twice. Idempotent: a round that finds nothing better writes nothing.

`defer_writes` (the looping process, which runs at the lowest CPU priority): the results go to the task worker
(`tasks.store_improved_plans`), which writes them at normal priority; see tasks.py for why."""

from datetime import timedelta

from django.utils import timezone

from toki.lib.tasks import enqueue_on_commit
from toki.transport.rides import actions, dispatch, plans
from toki.transport.rides.models import ServiceArea, VehicleDay
from toki.transport.rides.tasks import store_improved_plans


def reoptimise(*, seconds: float, seed: int = 0, areas=None, defer_writes: bool = False,
               max_iterations: int | None = None) -> dict[str, int]:
    """One round over every area and day with booked stops. Answers, per area, how many plans were improved (or,
    with `defer_writes`, how many days' better plans were handed to the task worker)."""
    now = timezone.now()
    today = timezone.localdate(now)
    improved: dict[str, int] = {}
    for area in areas if areas is not None else ServiceArea.objects.all():
        days = (VehicleDay.objects.filter(vehicle__area=area, day__gte=today, day__lte=today + timedelta(days=14))
                .exclude(stops=[]).values_list("day", flat=True).distinct())
        for day in sorted(set(days)):
            rows = list(plans.read_days(area, day))
            versions = {vd.pk: vd.version for vd in rows}
            routes = dispatch.improve(area, rows, now=now, seconds=seconds, seed=seed,
                                      max_iterations=max_iterations)
            if all(routes.get(vd.pk, vd.stops) == vd.stops for vd in rows):  # (a withdrawn vehicle: no route)
                continue  # nothing better found
            if defer_writes:
                enqueue_on_commit(store_improved_plans, area.pk, day.isoformat(),
                                  {str(pk): version for pk, version in versions.items()},
                                  {str(pk): stops for pk, stops in routes.items()})
                count = 1
            else:
                count = actions.store_improved_plans(area=area, day=day, expected_versions=versions, routes=routes)
            improved[area.code] = improved.get(area.code, 0) + count
    return improved
