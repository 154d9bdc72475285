"""rides' background tasks (JSON arguments only).

`store_improved_plans`: the re-optimiser's result, written by the task worker. The search runs at the lowest CPU
priority (nobody waits for it); writing its result holds the day's plans' row locks (SQLite: the database's write
lock), which bookings wait for, so it must not run at that priority: a CPU busy with other requests would starve
the lock holder and every booking of the day behind it (priority inversion). The task worker runs at normal
priority, and the write is short.

`tell_riders_of_suspension`: the riders of a day whose service was suspended (運休), told on LINE after the commit."""

from datetime import date

from toki.lib.tasks import task


@task
def store_improved_plans(area_id: int, day: str, expected_versions: dict[str, int],
                         routes: dict[str, list[dict]]) -> int:
    from toki.transport.rides import actions
    from toki.transport.rides.models import ServiceArea

    area = ServiceArea.objects.filter(pk=area_id).first()
    if area is None:  # removed since the search: nothing to improve
        return 0
    return actions.store_improved_plans(
        area=area, day=date.fromisoformat(day),
        expected_versions={int(pk): version for pk, version in expected_versions.items()},
        routes={int(pk): stops for pk, stops in routes.items()})


@task
def tell_riders_of_suspension(booking_ids: list[int]) -> int:
    from toki.transport.rides import reminders

    return reminders.send_suspension_notices(booking_ids)
