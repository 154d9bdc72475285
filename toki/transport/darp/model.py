"""The dial-a-ride problem as data: requests, vehicles, an instance, a plan, and the Cordeau file loaders.

Pure Python, no Django (ADR 0009). Times and travel times are in one unit (minutes in the Cordeau files and in
the rides app); nodes are indices into the travel matrix. Everything here is immutable: the solver returns new
plans and never changes its inputs.

Wheelchairs: `Request.load` counts seated passengers (seats of `Vehicle.capacity`), `Request.wheelchair` counts
wheelchair users (spaces of `Vehicle.wheelchair_spaces`); both are checked at every stop.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

PICKUP: Literal["pickup"] = "pickup"
DROPOFF: Literal["dropoff"] = "dropoff"


class InstanceError(ValueError):
    """An instance file or an Instance that cannot be solved as given (the message says what and where)."""


def _unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise InstanceError(f"{kind} id {item!r} appears twice")
        seen.add(item)


def _in_matrix(what: str, nodes: dict[str, int], size: int) -> None:
    for label, node in nodes.items():
        if not 0 <= node < size:
            raise InstanceError(f"{what}: {label} node {node} outside the matrix (0..{size - 1})")


@dataclass(frozen=True)
class Request:
    """One ride: `load` seated passengers and `wheelchair` wheelchair users from `pickup` to `dropoff`.

    Windows are (earliest, latest) start of service at the node. `service_time` is spent at both the pickup and the
    drop-off; the ride time (start of drop-off service minus end of pickup service) may not exceed `max_ride_time`.
    """

    id: str
    pickup: int
    dropoff: int
    pickup_window: tuple[float, float]
    dropoff_window: tuple[float, float]
    load: int = 1
    wheelchair: int = 0
    service_time: float = 0.0
    max_ride_time: float = math.inf


@dataclass(frozen=True)
class Vehicle:
    """A vehicle and its shift: leaves `start_depot` no earlier than `shift_start`, is back at `end_depot` no later
    than `shift_end`, and spends at most `max_route_duration` between the two."""

    id: str
    capacity: int
    wheelchair_spaces: int = 0
    start_depot: int = 0
    end_depot: int = 0
    shift_start: float = 0.0
    shift_end: float = math.inf
    max_route_duration: float = math.inf


@dataclass(frozen=True)
class Instance:
    """Requests, vehicles and travel between nodes.

    `travel[a][b]` is the travel time from node a to node b; `cost[a][b]` its cost (the travel time when None).
    `horizon` is the day's (start, end); `name` is informational.
    """

    requests: tuple[Request, ...]
    vehicles: tuple[Vehicle, ...]
    travel: tuple[tuple[float, ...], ...]
    cost: tuple[tuple[float, ...], ...] | None = None
    horizon: tuple[float, float] = (0.0, math.inf)
    name: str = ""

    def __post_init__(self) -> None:
        size = len(self.travel)
        for row_no, row in enumerate(self.travel):
            if len(row) != size:
                raise InstanceError(f"travel matrix row {row_no} has {len(row)} entries, expected {size}")
        if self.cost is not None and (len(self.cost) != size or any(len(r) != size for r in self.cost)):
            raise InstanceError(f"cost matrix must be {size}x{size} like the travel matrix")
        _unique("request", [r.id for r in self.requests])
        _unique("vehicle", [v.id for v in self.vehicles])
        for req in self.requests:
            _in_matrix(f"request {req.id!r}", {"pickup": req.pickup, "dropoff": req.dropoff}, size)
            if req.load < 0 or req.wheelchair < 0 or req.load + req.wheelchair == 0:
                raise InstanceError(f"request {req.id!r}: load and wheelchair must be >= 0 and not both 0")
        for veh in self.vehicles:
            _in_matrix(f"vehicle {veh.id!r}", {"start_depot": veh.start_depot, "end_depot": veh.end_depot}, size)

    @property
    def arc_cost(self) -> tuple[tuple[float, ...], ...]:
        return self.cost if self.cost is not None else self.travel

    @cached_property
    def matrices(self) -> tuple[list[list[float]], list[list[float]]]:
        """Travel and cost as lists of lists, made once per instance (and shared by `with_request`)."""
        travel = [list(row) for row in self.travel]
        return travel, (travel if self.cost is None else [list(row) for row in self.cost])

    def request(self, request_id: str) -> Request:
        for req in self.requests:
            if req.id == request_id:
                return req
        raise KeyError(request_id)

    def with_request(self, request: Request) -> Instance:
        """A copy with `request` added (or replacing the request of the same id)."""
        others = tuple(r for r in self.requests if r.id != request.id)
        copy = Instance((*others, request), self.vehicles, self.travel, self.cost, self.horizon, self.name)
        for cached in ("matrices", "arrays"):
            if cached in self.__dict__:
                copy.__dict__[cached] = self.__dict__[cached]
        return copy


@dataclass(frozen=True)
class Stop:
    request_id: str
    kind: Literal["pickup", "dropoff"]


@dataclass(frozen=True)
class Route:
    """One vehicle's stops in order and their start-of-service times (the 8-step schedule); `start` is the
    departure from the start depot and `end` the arrival at the end depot (0 and 0 for an unused vehicle)."""

    vehicle_id: str
    stops: tuple[Stop, ...] = ()
    times: tuple[float, ...] = ()
    start: float = 0.0
    end: float = 0.0


@dataclass(frozen=True)
class Plan:
    """A day's plan: one route per vehicle (in the instance's vehicle order), the requests not served, and the
    promises made to riders (request id -> promised pickup window), which a re-optimisation must keep."""

    routes: tuple[Route, ...]
    unassigned: tuple[str, ...] = ()
    promises: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def route_of(self, vehicle_id: str) -> Route:
        for route in self.routes:
            if route.vehicle_id == vehicle_id:
                return route
        raise KeyError(vehicle_id)

    def served(self) -> set[str]:
        return {stop.request_id for route in self.routes for stop in route.stops if stop.kind == PICKUP}


def empty_plan(instance: Instance) -> Plan:
    """Every vehicle idle, every request unassigned."""
    return Plan(tuple(Route(v.id) for v in instance.vehicles), tuple(r.id for r in instance.requests))


def plan_cost(instance: Instance, plan: Plan) -> float:
    """Total arc cost of the plan's routes, depot to depot (unused vehicles cost nothing)."""
    cost = instance.arc_cost
    by_id = {r.id: r for r in instance.requests}
    total = 0.0
    for route, vehicle in zip(plan.routes, instance.vehicles, strict=True):
        if not route.stops:
            continue
        prev = vehicle.start_depot
        for stop in route.stops:
            req = by_id[stop.request_id]
            node = req.pickup if stop.kind == PICKUP else req.dropoff
            total += cost[prev][node]
            prev = node
        total += cost[prev][vehicle.end_depot]
    return total


def matrix_from(size: int, travel: Callable[[int, int], float]) -> tuple[tuple[float, ...], ...]:
    """A travel (or cost) matrix from a callable over node indices."""
    return tuple(tuple(float(travel(a, b)) for b in range(size)) for a in range(size))


def euclidean_matrix(points: Sequence[tuple[float, float]]) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(math.hypot(ax - bx, ay - by) for bx, by in points) for ax, ay in points)


# --- Cordeau (2006) instance files ----------------------------------------------------------------------------

_NUMBER = re.compile(r"^-?\d+(\.\d*)?([eE][-+]?\d+)?$")


def _numbers(line: str, where: str, count: int) -> list[float]:
    parts = line.split()
    if len(parts) != count:
        raise InstanceError(f"{where}: expected {count} fields, found {len(parts)}")
    for part in parts:
        if not _NUMBER.match(part):
            raise InstanceError(f"{where}: {part!r} is not a number")
    return [float(p) for p in parts]


def parse_cordeau(text: str, name: str = "") -> Instance:
    """Parse a Cordeau (2006) a/b file in either layout (reference/mobility.md §2.1).

    Header `K m T Q L`; node lines `id x y service load early late`. With N node lines: N == 2m + 2 is the original
    layout (m requests, end-depot copy last); N == m + 2 or m + 1 is the "2n" layout (m/2 requests, with or without
    the end-depot copy). Anything else is rejected. Travel time = cost = Euclidean distance.
    """
    lines = [(no, ln) for no, ln in enumerate(text.splitlines(), start=1) if ln.strip()]
    if not lines:
        raise InstanceError(f"{name or 'instance'}: empty file")
    head_no, head = lines[0]
    k, m, duration, capacity, ride = _numbers(head, f"{name}: line {head_no} (header K m T Q L)", 5)
    nodes = [_numbers(ln, f"{name}: line {no}", 7) for no, ln in lines[1:]]
    count = len(nodes)
    mi = int(m)
    if count == 2 * mi + 2:
        n, has_end = mi, True
    elif mi % 2 == 0 and count in (mi + 2, mi + 1):
        n, has_end = mi // 2, count == mi + 2
    else:
        raise InstanceError(
            f"{name}: header says m={mi} but there are {count} node lines (expected 2m+2 = {2 * mi + 2}, "
            f"or m+1/m+2 = {mi + 1}/{mi + 2} for the 2n layout)"
        )
    if int(k) < 1 or n < 1 or capacity < 1:
        raise InstanceError(f"{name}: header needs K >= 1, m >= 1, Q >= 1")
    for pos, node in enumerate(nodes):
        if int(node[0]) != pos:
            raise InstanceError(f"{name}: node line {pos + 2} has id {int(node[0])}, expected {pos}")
    for i in range(1, n + 1):
        if nodes[i][4] <= 0 or nodes[n + i][4] != -nodes[i][4]:
            raise InstanceError(f"{name}: request {i}: pickup load must be > 0 and the drop-off load its negative")
    if not has_end:
        nodes.append([2 * n + 1, *nodes[0][1:]])
    points = [(nd[1], nd[2]) for nd in nodes]
    travel = euclidean_matrix(points)
    depot_early, depot_late = nodes[0][5], nodes[0][6]
    requests = tuple(
        Request(
            id=str(i),
            pickup=i,
            dropoff=n + i,
            pickup_window=(nodes[i][5], nodes[i][6]),
            dropoff_window=(nodes[n + i][5], nodes[n + i][6]),
            load=int(nodes[i][4]),
            service_time=nodes[i][3],
            max_ride_time=ride,
        )
        for i in range(1, n + 1)
    )
    if any(nodes[n + i][3] != nodes[i][3] for i in range(1, n + 1)):
        raise InstanceError(f"{name}: a drop-off's service time differs from its pickup's (not supported)")
    vehicles = tuple(
        Vehicle(
            id=str(v + 1),
            capacity=int(capacity),
            start_depot=0,
            end_depot=2 * n + 1,
            shift_start=depot_early,
            shift_end=depot_late,
            max_route_duration=duration,
        )
        for v in range(int(k))
    )
    return Instance(requests, vehicles, travel, None, (depot_early, depot_late), name)


def load_cordeau(path: str | Path) -> Instance:
    """Read a Cordeau a/b instance file (either layout); the instance is named after the file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstanceError(f"{p}: cannot read ({exc.strerror})") from exc
    return parse_cordeau(text, p.stem)
