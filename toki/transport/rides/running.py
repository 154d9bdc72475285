"""Where a vehicle is expected next, from the last position its driver's tablet reported (docs/rides.md, "The driver's
tablet"): along the plan's stops still to make, in order, on the area's travel source. One estimate, used by the
'vehicle is near' reminder (`reminders.pickup_arrivals`) and by the running-late re-time of a position report
(`actions.retime_from_position`). No permission checks and no writes here."""

import logging
from datetime import datetime, timedelta

from toki.transport.rides import plans
from toki.transport.rides.travel import Point, TravelError, estimate_for, matrix_for


def leg_minutes(area, points: list[Point], log: logging.Logger, *, own_leg_level: int = logging.INFO) -> list[float]:
    """Minutes of each leg points[i] → points[i + 1] on the area's travel source. A source that cannot answer for the
    vehicle's own position (points[0]: a matrix file lists the meeting points, not where a vehicle happens to be)
    gives that leg on the straight-line estimate (logged to `log` at `own_leg_level`: with a matrix file it is the
    usual case); one that cannot answer for the stops either (an OSRM server that does not answer) gives every leg
    on it, with a warning. Never an error: the caller goes on."""
    line = estimate_for(area)
    try:
        minutes = matrix_for(area, points).minutes
        return [minutes[i][i + 1] for i in range(len(points) - 1)]
    except TravelError as error:
        log.log(own_leg_level, "no travel time from the vehicle's position (%s); straight line for it", error)
    first = line.matrix(points[:2]).minutes[0][1]
    if len(points) == 2:
        return [first]
    try:
        rest = matrix_for(area, points[1:]).minutes
    except TravelError as error:
        log.warning("the travel source could not answer (%s); straight-line estimate used", error)
        rest = line.matrix(points[1:]).minutes
    return [first] + [rest[i][i + 1] for i in range(len(points) - 2)]


def remaining_stops(stops: list[dict], statuses: dict[int, str]) -> list[dict]:
    """The plan's stops not marked done on the tablet (`plans.is_done`: a boarded rider's pickup and a completed
    ride's stops are behind the vehicle), in order. `statuses`: booking id → status (missing: not done)."""
    return [s for s in stops if not plans.is_done(s, statuses.get(s["booking"]))]


def arrivals_along(area, position: Point, since: datetime, stops: list[dict], opens: dict[int, datetime | None],
                   log: logging.Logger, *, own_leg_level: int = logging.INFO) -> list[datetime]:
    """When the vehicle, at `position` at `since`, is expected at each of `stops` (the stops still to make, in
    order): each leg on the travel source (`leg_minutes`), the area's stop minutes at each stop and, at a pickup, no
    leaving before that rider's promised window opens (`opens`: booking id → when; missing: no wait)."""
    if not stops:
        return []
    legs = leg_minutes(area, [position] + [(s["lat"], s["lon"]) for s in stops], log, own_leg_level=own_leg_level)
    arrivals = []
    when = since
    for stop, leg in zip(stops, legs, strict=True):
        when += timedelta(minutes=leg)
        arrivals.append(when)
        if stop["kind"] == "pickup":
            window_opens = opens.get(stop["booking"])
            if window_opens is not None and window_opens > when:
                when = window_opens
        when += timedelta(minutes=area.stop_minutes)
    return arrivals
