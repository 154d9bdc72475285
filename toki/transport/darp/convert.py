"""Between the public Plan (ids, stops, times) and the solver's integer routes."""

from __future__ import annotations

from collections.abc import Mapping

from .core import Problem, schedule
from .model import DROPOFF, PICKUP, Instance, Plan, Route, Stop


class PlanError(ValueError):
    """A plan that does not fit its instance (unknown request, a stop twice, a drop-off before its pickup...)."""


def routes_of(P: Problem, plan: Plan) -> list[list[int]]:
    """The plan's routes as stop lists, validated against the instance."""
    inst = P.instance
    if len(plan.routes) != P.K:
        raise PlanError(f"plan has {len(plan.routes)} routes, the instance {P.K} vehicles")
    n = P.n
    seen: set[int] = set()
    out: list[list[int]] = []
    for route, vehicle in zip(plan.routes, inst.vehicles, strict=True):
        if route.vehicle_id != vehicle.id:
            raise PlanError(f"route for vehicle {route.vehicle_id!r} where vehicle {vehicle.id!r} was expected")
        seq: list[int] = []
        onboard: set[int] = set()
        for stop in route.stops:
            if stop.request_id not in P.index:
                raise PlanError(f"vehicle {vehicle.id!r}: unknown request {stop.request_id!r}")
            r = P.index[stop.request_id]
            s = r if stop.kind == PICKUP else r + n
            if s in seen:
                raise PlanError(f"vehicle {vehicle.id!r}: {stop.kind} of request {stop.request_id!r} appears twice")
            if stop.kind == DROPOFF and r not in onboard:
                raise PlanError(f"vehicle {vehicle.id!r}: drop-off of {stop.request_id!r} before its pickup")
            onboard.add(r)
            seen.add(s)
            seq.append(s)
        for r in onboard:
            if r + n not in seen:
                raise PlanError(f"vehicle {vehicle.id!r}: request {inst.requests[r].id!r} is never dropped off")
        out.append(seq)
    return out


def locks_of(P: Problem, locked: Mapping[str, int] | None, routes: list[list[int]]) -> list[int]:
    """Number of stops already served (fixed) at the head of each route."""
    locks = [0] * P.K
    if not locked:
        return locks
    ids = [v.id for v in P.instance.vehicles]
    for vid, count in locked.items():
        if vid not in ids:
            raise PlanError(f"locked: unknown vehicle {vid!r}")
        v = ids.index(vid)
        if not 0 <= count <= len(routes[v]):
            raise PlanError(f"locked: vehicle {vid!r} has {len(routes[v])} stops, cannot lock {count}")
        locks[v] = count
    return locks


def build_plan(
    P: Problem, routes: list[list[int]], promises: Mapping[str, tuple[float, float]], instance: Instance
) -> Plan:
    """A Plan with 8-step times for integer routes (every route must be feasible)."""
    n = P.n
    reqs = instance.requests
    out = []
    served: set[int] = set()
    for v, seq in enumerate(routes):
        vid = instance.vehicles[v].id
        if not seq:
            out.append(Route(vid))
            continue
        sched = schedule(P, v, seq)
        if sched is None:
            raise PlanError(f"vehicle {vid!r}: route is infeasible")
        start, times, end = sched
        stops = tuple(Stop(reqs[s % n].id, PICKUP if s < n else DROPOFF) for s in seq)
        served.update(s for s in seq if s < n)
        out.append(Route(vid, stops, tuple(times), start, end))
    unassigned = tuple(r.id for i, r in enumerate(reqs) if i not in served)
    return Plan(tuple(out), unassigned, dict(promises))
