"""The independent verdict on a DARP solution: shares no code with toki.transport.darp (ADR 0009).

A solution is a list of routes, each the node ids (pickup i, drop-off n+i of the instance file) between the depots.
Each route is timed by Cordeau & Laporte's eight steps, written out here on their own:
 1. leave the depot at its opening, earliest arrival A, start B = max(A, e), wait W, departure D at every node;
 2. forward time slack F_0 of the depot; 3. delay the departure by min(F_0, total wait); 4. times again;
 5. ride times; 6. for each pickup j in order: F_j, add min(F_j, waits after j) to its wait, times again;
 7./8. check every window, ride time, the route duration and the load.
F_i = min over j >= i of (waits after i up to j) + max(0, min(l_j - B_j, L - P_j)), where the ride term counts only
for a drop-off j whose pickup lies before i (P_j its ride time so far).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .reader import CheckInstance

TOLERANCE = 1e-6


@dataclass
class Verdict:
    feasible: bool
    cost: float
    served: int
    requests: int
    reasons: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.served == self.requests

    def as_dict(self) -> dict:
        return {
            "feasible": self.feasible,
            "complete": self.complete,
            "cost": round(self.cost, 6),
            "served": self.served,
            "requests": self.requests,
            "reasons": self.reasons[:50],
        }


def eight_step(inst: CheckInstance, route: list[int]) -> dict[int, float]:
    """Start of service at each node of `route` after the eight steps (keys: node ids, 0 and 2n+1 the depots)."""
    n = inst.requests
    nodes = inst.nodes
    path = [0, *route, 2 * n + 1]
    k = len(path)
    B = [0.0] * k
    W = [0.0] * k

    def forward(start: int) -> None:
        for pos in range(start + 1, k):
            prev, here = path[pos - 1], path[pos]
            arrive = B[pos - 1] + nodes[prev].service + inst.distance(prev, here)
            B[pos] = max(arrive, nodes[here].early)
            W[pos] = B[pos] - arrive

    pickup_pos = {node: pos for pos, node in enumerate(path) if 1 <= node <= n}

    def ride(pos: int) -> float:
        node = path[pos]
        p = pickup_pos[node - n]
        return B[pos] - (B[p] + nodes[node - n].service)

    def slack(i: int) -> float:
        values = []
        for j in range(i, k):
            waits = sum(W[i + 1 : j + 1])
            term = nodes[path[j]].late - B[j]
            node = path[j]
            if n < node <= 2 * n and pickup_pos.get(node - n, k) < i:
                term = min(term, inst.max_ride - ride(j))
            values.append(waits + max(0.0, term))
        return min(values)

    B[0] = nodes[0].early  # step 1
    forward(0)
    B[0] = nodes[0].early + min(slack(0), sum(W[1 : k - 1]))  # steps 2-3
    forward(0)  # step 4
    for j in range(1, k - 1):  # steps 5-6
        if 1 <= path[j] <= n:
            delay = min(slack(j), sum(W[j + 1 : k - 1]))
            W[j] += delay
            B[j] += delay
            forward(j)
    return {node: B[pos] for pos, node in enumerate(path)}


def check(inst: CheckInstance, routes: list[list[int]]) -> Verdict:
    """Feasibility of every route (windows, load, ride time, route duration, pairing, precedence), the cost
    (Euclidean distance depot to depot, unused vehicles free) and how many requests are served."""
    n = inst.requests
    reasons: list[str] = []
    used = [r for r in routes if r]
    if len(used) > inst.vehicles:
        reasons.append(f"{len(used)} routes for {inst.vehicles} vehicles")
    seen: dict[int, int] = {}
    cost = 0.0
    for number, route in enumerate(routes, start=1):
        for node in route:
            if not 1 <= node <= 2 * n:
                reasons.append(f"route {number}: node {node} is not a pickup or a drop-off")
            elif node in seen:
                reasons.append(f"node {node} visited twice (routes {seen[node]} and {number})")
            else:
                seen[node] = number
        if not route:
            continue
        path = [0, *route, 2 * n + 1]
        cost += sum(inst.distance(a, b) for a, b in itertools.pairwise(path))
        if any(not 1 <= node <= 2 * n for node in route):
            continue
        where = {node: pos for pos, node in enumerate(route)}
        load = 0
        for node in route:
            load += inst.nodes[node].load
            if load > inst.capacity:
                reasons.append(f"route {number}: load {load} > {inst.capacity} at node {node}")
                break
        broken_pairs = False
        for node in route:
            partner = node + n if node <= n else node - n
            if partner not in where:
                reasons.append(f"route {number}: node {node} without its partner {partner}")
                broken_pairs = True
            elif node <= n and where[partner] < where[node]:
                reasons.append(f"route {number}: drop-off {partner} before pickup {node}")
                broken_pairs = True
        if broken_pairs:
            continue
        times = eight_step(inst, route)
        for node in path:
            late = inst.nodes[node].late
            if times[node] > late + TOLERANCE:
                reasons.append(f"route {number}: node {node} starts at {times[node]:.3f} > latest {late}")
        duration = times[2 * n + 1] - times[0]
        if duration > inst.max_duration + TOLERANCE:
            reasons.append(f"route {number}: duration {duration:.3f} > {inst.max_duration}")
        for node in route:
            if node <= n:
                rt = times[node + n] - (times[node] + inst.nodes[node].service)
                if rt > inst.max_ride + TOLERANCE:
                    reasons.append(f"route {number}: request {node} rides {rt:.3f} > {inst.max_ride}")
    served = sum(1 for node in seen if node <= n and node + n in seen)
    return Verdict(not reasons, cost, served, n, reasons)
