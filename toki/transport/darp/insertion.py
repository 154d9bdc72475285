"""Real-time insertion: answer one booking at once against the current plan.

`insert` tries the new request at every pickup/drop-off position pair of every vehicle (after the stops already
served), rejects candidates by windows, loads and a ride-time bound, and checks the cheapest survivors with the exact
8-step schedule (core.schedule). Promised pickup windows of other riders are kept: they are part of the windows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .convert import PlanError, build_plan, locks_of, routes_of
from .core import Problem, as_array, best_insertion, schedule
from .model import Instance, Plan, Request

NOT_IN_INSTANCE = "not_in_instance"
ALREADY_PLANNED = "already_planned"
TOO_BIG = "too_big_for_every_vehicle"
NO_FEASIBLE_SLOT = "no_feasible_slot"


@dataclass(frozen=True)
class InsertionResult:
    """The answer to a booking.

    Accepted: `plan` is the new plan (with the promise recorded), `vehicle_id`, `promised_pickup` the pickup window
    promised to the rider, `predicted_pickup` / `predicted_arrival` the scheduled starts of service, and
    `cost_increase`. Refused: `plan` is None and `reason` one of NOT_IN_INSTANCE, ALREADY_PLANNED, TOO_BIG,
    NO_FEASIBLE_SLOT.
    """

    plan: Plan | None
    reason: str = ""
    vehicle_id: str = ""
    promised_pickup: tuple[float, float] | None = None
    predicted_pickup: float | None = None
    predicted_arrival: float | None = None
    cost_increase: float = 0.0

    @property
    def accepted(self) -> bool:
        return self.plan is not None


def promise_window(predicted: float, window: tuple[float, float], width: float) -> tuple[float, float]:
    """A window of `width` around the predicted pickup, inside the request's own window."""
    low = max(window[0], predicted - width / 2)
    return (low, min(window[1], low + width))


def insert(
    instance: Instance,
    plan: Plan,
    request: Request,
    *,
    locked: Mapping[str, int] | None = None,
    now: float | None = None,
    promise_width: float = 10.0,
) -> InsertionResult:
    """Insert `request` (which must be one of `instance.requests` and not yet on a route) into `plan`.

    `locked` maps a vehicle id to the number of its leading stops already served: nothing is inserted before them.
    `now`: the new pickup is not scheduled before this time. The other riders' promises (plan.promises) stay kept.
    The cheapest feasible insertion wins; the promise is `promise_width` wide around the predicted pickup.
    """
    if instance.requests and request not in instance.requests:
        return InsertionResult(None, NOT_IN_INSTANCE)
    P = Problem(instance, dict(plan.promises))
    routes = routes_of(P, plan)
    r = P.index.get(request.id, -1)
    if r < 0:
        return InsertionResult(None, NOT_IN_INSTANCE)
    if any(r in seq for seq in routes):
        return InsertionResult(None, ALREADY_PLANNED)
    if all(request.load > cap or request.wheelchair > wc for cap, wc in zip(P.vcap, P.vwc, strict=True)):
        return InsertionResult(None, TOO_BIG)
    if now is not None:
        P.set_earliest(r, now)
    locks = locks_of(P, locked, routes)
    best: tuple[float, int, list[int]] | None = None
    for v, seq in enumerate(routes):
        found = best_insertion(P, v, seq, as_array(seq), r, locks[v])
        if found is not None and (best is None or found[0] < best[0]):
            best = (found[0], v, found[1])
    if best is None:
        return InsertionResult(None, NO_FEASIBLE_SLOT)
    delta, v, new = best
    routes[v] = new
    pos_p = new.index(r)
    pos_d = new.index(r + P.n)
    # Only route v changed: its schedule alone gives the predicted pickup (the plan's other routes are scheduled
    # once, below, with the promise in place).
    tentative = schedule(P, v, new)
    if tentative is None:
        raise PlanError(f"vehicle {instance.vehicles[v].id!r}: the best insertion's route is infeasible")
    predicted = tentative[1][pos_p]
    window = (P.e[r], P.l[r])
    promised = promise_window(predicted, window, promise_width)
    P.narrow(r, *promised)
    try:
        final = build_plan(P, routes, {**plan.promises, request.id: promised}, instance)
    except PlanError:  # the 8-step schedule found no schedule inside the narrow promise: promise the whole window
        promised = window
        P.set_window(r, *window)
        final = build_plan(P, routes, {**plan.promises, request.id: promised}, instance)
    return InsertionResult(
        plan=final,
        vehicle_id=instance.vehicles[v].id,
        promised_pickup=promised,
        predicted_pickup=final.routes[v].times[pos_p],
        predicted_arrival=final.routes[v].times[pos_d],
        cost_increase=delta,
    )
