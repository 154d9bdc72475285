"""Where a vehicle on a trip is at a moment, by the timetable (linear between stops): the demo simulator's and the
benchmark's source of positions."""

from datetime import date, datetime, timedelta
from itertools import pairwise

from django.utils import timezone


def position_on_trip(trip, stop_times: list, now: datetime, day: date, delay: int) -> dict | None:
    """The report a vehicle `delay` seconds late on `trip` would send at `now`; None when it is not running."""
    base = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(seconds=delay)
    seconds = (now - base).total_seconds()
    if not stop_times or not stop_times[0].departure <= seconds <= stop_times[-1].arrival:
        return None
    for before, after in pairwise(stop_times):
        if before.departure <= seconds <= after.arrival:
            span = max(1, after.arrival - before.departure)
            share = (seconds - before.departure) / span
            return {"lat": before.stop.lat + (after.stop.lat - before.stop.lat) * share,
                    "lon": before.stop.lon + (after.stop.lon - before.stop.lon) * share,
                    "measured_at": now.isoformat(), "trip_id": trip.gtfs_id, "delay": delay,
                    "stop_sequence": after.sequence}
    return None
