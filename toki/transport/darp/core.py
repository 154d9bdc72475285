"""The solver's problem as flat arrays, and Python entry points to the compiled 8-step schedule and insertion.

Stops are integers: request index r (0..n-1) has pickup stop r and drop-off stop r + n. A route is a list of stops;
position 0 is the start depot and position m + 1 the end depot. Times use the tightened windows of `Problem`
(valid for every feasible schedule, so they change no answer, only how soon a bad candidate is rejected).
The compiled functions are in kernel.py.

The 8-step schedule (Cordeau & Laporte 2003), as implemented here and documented in docs/darp.md:
 1. D0 = e0; earliest A, W, B, D at every position (stop if a window is missed: delaying cannot help);
 2. F0 = forward time slack at the depot; 3. D0 = e0 + min(F0, sum of waits W_1..W_m); 4. recompute;
 5. ride times; if none exceeds its limit, go to 8; 6. for each pickup position j in order: F_j, then
    W_j += min(F_j, sum W_{j+1..m}), recompute from j; 7./8. check ride times, route duration, windows.
Forward slack F_i = min over j >= i of (sum of W_p for i < p <= j) + max(0, min(l_j - B_j, L_r - P_j)) where the
ride term applies only when j is the drop-off of a request picked up before position i (P_j its ride time).
Loads (seats and wheelchair spaces) are checked first.
"""

from __future__ import annotations

import numpy as np

from . import kernel
from .model import Instance

EPS = kernel.EPS


class Problem:
    """Flat lists built once from an Instance (plus promised pickup windows): the solver's view of it."""

    def __init__(self, instance: Instance, promises: dict[str, tuple[float, float]] | None = None) -> None:
        reqs = instance.requests
        n = len(reqs)
        self.instance = instance
        self.n = n
        self.index = {r.id: i for i, r in enumerate(reqs)}
        self.t, self.c = instance.matrices
        arrays = instance.__dict__.get("arrays")
        if arrays is None:
            arrays = instance.__dict__["arrays"] = (
                np.array(self.t, dtype=np.float64).reshape(len(self.t), len(self.t)),
                np.array(self.c, dtype=np.float64).reshape(len(self.c), len(self.c)),
            )
        t = self.t
        self.node = [r.pickup for r in reqs] + [r.dropoff for r in reqs]
        self.d = [float(r.service_time) for r in reqs] * 2
        self.q = [r.load for r in reqs] + [-r.load for r in reqs]
        self.w = [r.wheelchair for r in reqs] + [-r.wheelchair for r in reqs]
        self.ride = [float(r.max_ride_time) for r in reqs]
        e = [0.0] * (2 * n)
        l = [0.0] * (2 * n)  # noqa: E741 - the literature's name for latest start
        promises = promises or {}
        for i, r in enumerate(reqs):
            pe, pl = r.pickup_window
            if r.id in promises:
                pe, pl = max(pe, promises[r.id][0]), min(pl, promises[r.id][1])
            de, dl = r.dropoff_window
            direct = t[r.pickup][r.dropoff]
            s = r.service_time
            # Tighten: drop-off no earlier than pickup + service + direct, no later than pickup + service + L;
            # pickup no later than drop-off - direct - service, no earlier than drop-off - L - service.
            de = max(de, pe + s + direct)
            dl = min(dl, pl + s + r.max_ride_time)
            pe = max(pe, de - r.max_ride_time - s)
            pl = min(pl, dl - direct - s)
            e[i], l[i], e[n + i], l[n + i] = pe, pl, de, dl
        self.e, self.l = e, l
        vs = instance.vehicles
        self.K = len(vs)
        self.vstart = [v.start_depot for v in vs]
        self.vend = [v.end_depot for v in vs]
        self.vopen = [float(v.shift_start) for v in vs]
        self.vclose = [float(v.shift_end) for v in vs]
        self.vdur = [float(v.max_route_duration) for v in vs]
        self.vcap = [v.capacity for v in vs]
        self.vwc = [v.wheelchair_spaces for v in vs]
        floats = [np.array(x, dtype=np.float64) for x in (self.e, self.l, self.d, self.ride)]
        ints = [np.array(x, dtype=np.int64) for x in (self.node, self.q, self.w)]
        # The kernel's layouts (kernel.py): A = (t, c, node, e, l, d, q, w, ride); V over vehicles.
        self.A = (arrays[0], arrays[1], ints[0], floats[0], floats[1], floats[2], ints[1], ints[2], floats[3])
        vf = [np.array(x, dtype=np.float64) for x in (self.vopen, self.vclose, self.vdur)]
        vi = [np.array(x, dtype=np.int64) for x in (self.vstart, self.vend, self.vcap, self.vwc)]
        self.V = (vi[0], vi[1], vf[0], vf[1], vf[2], vi[2], vi[3])

    def set_earliest(self, stop: int, time: float) -> None:
        """Move a stop's earliest start later (for example to now)."""
        if self.e[stop] < time:
            self.e[stop] = time
            self.A[3][stop] = time

    def narrow(self, stop: int, low: float, high: float) -> None:
        """Intersect a stop's window with [low, high] (a promise)."""
        self.e[stop] = self.A[3][stop] = max(self.e[stop], low)
        self.l[stop] = self.A[4][stop] = min(self.l[stop], high)

    def set_window(self, stop: int, low: float, high: float) -> None:
        """Give a stop the window [low, high] (undoing a `narrow` that left no schedule)."""
        self.e[stop] = self.A[3][stop] = low
        self.l[stop] = self.A[4][stop] = high

    def route_cost(self, v: int, seq: list[int]) -> float:
        c, node = self.c, self.node
        if not seq:
            return 0.0
        prev = self.vstart[v]
        total = 0.0
        for s in seq:
            nd = node[s]
            total += c[prev][nd]
            prev = nd
        return total + c[prev][self.vend[v]]


def as_array(seq: list[int]) -> np.ndarray:
    return np.array(seq, dtype=np.int64) if seq else np.zeros(1, dtype=np.int64)


def schedule(P: Problem, v: int, seq: list[int]) -> tuple[float, list[float], float] | None:
    """The 8-step schedule of route `seq` on vehicle `v` (kernel.schedule): (departure, start of service per stop,
    arrival at the end depot), or None when it is infeasible."""
    m = len(seq)
    if m == 0:
        return (P.vopen[v], [], P.vopen[v])
    B = np.empty(m + 2)
    if not kernel.schedule(as_array(seq), m, v, P.A, P.V, B):
        return None
    times = B.tolist()
    return (times[0], times[1 : m + 1], times[m + 1])


def with_request(seq: list[int], r: int, n: int, i: int, j: int) -> list[int]:
    """`seq` with request r's pickup after position i and its drop-off after position j (j == i: right after)."""
    return [*seq[:i], r, *seq[i:j], r + n, *seq[j:]]


def best_insertion(
    P: Problem, v: int, seq: list[int], arr: np.ndarray, r: int, lock: int = 0
) -> tuple[float, list[int]] | None:
    """The cheapest insertion of request r into route v that the 8-step schedule accepts, or None. `arr` is
    `as_array(seq)`."""
    delta, i, j = kernel.best_insertion(arr, len(seq), v, r, lock, P.A, P.V)
    if i < 0:
        return None
    return delta, with_request(seq, r, P.n, i, j)
