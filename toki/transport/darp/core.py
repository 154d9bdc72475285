"""The solver's compiled problem, the 8-step schedule and the insertion candidates (the hot path).

Stops are integers: request index r (0..n-1) has pickup stop r and drop-off stop r + n. A route is a list of stops;
position 0 is the start depot and position m + 1 the end depot. Times use the tightened windows of `Problem`
(valid for every feasible schedule, so they change no answer, only how soon a bad candidate is rejected).

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

import math
from dataclasses import dataclass

from .model import Instance

EPS = 1e-7
INF = math.inf


class Problem:
    """Flat lists built once from an Instance (plus promised pickup windows): the solver's view of it."""

    def __init__(self, instance: Instance, promises: dict[str, tuple[float, float]] | None = None) -> None:
        reqs = instance.requests
        n = len(reqs)
        self.instance = instance
        self.n = n
        self.index = {r.id: i for i, r in enumerate(reqs)}
        self.t = [list(row) for row in instance.travel]
        self.c = [list(row) for row in instance.arc_cost]
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


def schedule(P: Problem, v: int, seq: list[int]) -> tuple[float, list[float], float] | None:
    """The 8-step schedule of route `seq` on vehicle `v`: (departure, start of service per stop, arrival at the
    end depot), or None when it is infeasible."""
    m = len(seq)
    if m == 0:
        return (P.vopen[v], [], P.vopen[v])
    n = P.n
    t, node_of, e_of, l_of, d_of = P.t, P.node, P.e, P.l, P.d
    cap, wcap = P.vcap[v], P.vwc[v]
    load = wc = 0
    q, w = P.q, P.w
    for s in seq:
        load += q[s]
        wc += w[s]
        if load > cap or wc > wcap:
            return None
    nodes = [P.vstart[v], *(node_of[s] for s in seq), P.vend[v]]
    ee = [P.vopen[v], *(e_of[s] for s in seq), P.vopen[v]]
    ll = [P.vclose[v], *(l_of[s] for s in seq), P.vclose[v]]
    dd = [0.0, *(d_of[s] for s in seq), 0.0]
    last = m + 1
    # partner[j]: for a drop-off position, its pickup's position; -1 otherwise. rmax[j]: that request's limit.
    partner = [-1] * (m + 2)
    rmax = [INF] * (m + 2)
    where: dict[int, int] = {}
    for pos, s in enumerate(seq, start=1):
        if s < n:
            where[s] = pos
        else:
            partner[pos] = where[s - n]
            rmax[pos] = P.ride[s - n]
    # Step 1: earliest times.
    B = [0.0] * (m + 2)
    W = [0.0] * (m + 2)
    B[0] = ee[0]
    dep = B[0]
    for i in range(1, m + 2):
        a = dep + t[nodes[i - 1]][nodes[i]]
        b = a if a > ee[i] else ee[i]
        if b > ll[i] + EPS:
            return None
        B[i] = b
        W[i] = b - a
        dep = b + dd[i]

    def slack(i: int) -> float:
        best = INF
        cum = 0.0
        for j in range(i, m + 2):
            if j > i:
                cum += W[j]
                if cum >= best:
                    break
            sl = ll[j] - B[j]
            pj = partner[j]
            if 0 < pj < i:
                r = rmax[j] - (B[j] - B[pj] - dd[pj])
                if r < sl:
                    sl = r
            val = cum + (sl if sl > 0.0 else 0.0)
            if val < best:
                best = val
        return best

    def recompute(start: int) -> None:
        dep = B[start] + dd[start]
        for i in range(start + 1, m + 2):
            a = dep + t[nodes[i - 1]][nodes[i]]
            b = a if a > ee[i] else ee[i]
            B[i] = b
            W[i] = b - a
            dep = b + dd[i]

    # Steps 2-4: delay the departure from the depot.
    waits = sum(W[1:last])
    if waits > 0.0:
        delay = min(slack(0), waits)
        if delay > 0.0:
            B[0] += delay
            recompute(0)
    # Step 5: ride times; step 6 only when one is too long.
    if any(partner[j] > 0 and B[j] - B[partner[j]] - dd[partner[j]] > rmax[j] + EPS for j in range(1, last)):
        for j in range(1, last):
            if partner[j] != -1 or seq[j - 1] >= n:
                continue
            later = sum(W[j + 1 : last])
            if later <= 0.0:
                continue
            delay = min(slack(j), later)
            if delay > 0.0:
                W[j] += delay
                B[j] += delay
                recompute(j)
        for j in range(1, last):
            pj = partner[j]
            if pj > 0 and B[j] - B[pj] - dd[pj] > rmax[j] + EPS:
                return None
    # Steps 7-8: duration and windows.
    if B[last] - B[0] > P.vdur[v] + EPS:
        return None
    for i in range(1, m + 2):
        if B[i] > ll[i] + EPS:
            return None
    return (B[0], B[1:last], B[last])


@dataclass
class RouteInfo:
    """What the insertion filter needs about a route: nodes, earliest starts B, latest starts Z (windows only),
    load and wheelchair count after each position, service durations and opening times, by position 0..m+1."""

    nodes: list[int]
    B: list[float]
    Z: list[float]
    load: list[int]
    wc: list[int]
    dd: list[float]
    ee: list[float]


def route_info(P: Problem, v: int, seq: list[int]) -> RouteInfo:
    t = P.t
    nodes = [P.vstart[v], *(P.node[s] for s in seq), P.vend[v]]
    ee = [P.vopen[v], *(P.e[s] for s in seq), P.vopen[v]]
    ll = [P.vclose[v], *(P.l[s] for s in seq), P.vclose[v]]
    dd = [0.0, *(P.d[s] for s in seq), 0.0]
    size = len(nodes)
    B = [0.0] * size
    B[0] = ee[0]
    for i in range(1, size):
        a = B[i - 1] + dd[i - 1] + t[nodes[i - 1]][nodes[i]]
        B[i] = a if a > ee[i] else ee[i]
    Z = [0.0] * size
    Z[-1] = ll[-1]
    for i in range(size - 2, -1, -1):
        z = Z[i + 1] - dd[i] - t[nodes[i]][nodes[i + 1]]
        Z[i] = z if z < ll[i] else ll[i]
    load = [0] * size
    wc = [0] * size
    cur = cw = 0
    for pos, s in enumerate(seq, start=1):
        cur += P.q[s]
        cw += P.w[s]
        load[pos] = cur
        wc[pos] = cw
    return RouteInfo(nodes, B, Z, load, wc, dd, ee)


def candidates(P: Problem, v: int, info: RouteInfo, r: int, lock: int = 0) -> list[tuple[float, int, int]]:
    """Every (cost increase, i, j) that passes the windows, loads and a ride-time lower bound when request r's
    pickup goes after position i and its drop-off after position j (j == i: right after the pickup), i >= lock.
    Necessary conditions only: the 8-step schedule decides."""
    n = P.n
    p, dr = r, r + n
    t, c = P.t, P.c
    nodes, B, Z, load, wc, dd, ee = info.nodes, info.B, info.Z, info.load, info.wc, info.dd, info.ee
    np_, nd = P.node[p], P.node[dr]
    qp, wp = P.q[p], P.w[p]
    cap, wcap = P.vcap[v], P.vwc[v]
    ep, lp, edr, ldr = P.e[p], P.l[p], P.e[dr], P.l[dr]
    sp, sd = P.d[p], P.d[dr]
    ride = P.ride[r] + EPS
    tp, td = t[np_], t[nd]
    cp, cd = c[np_], c[nd]
    m = len(nodes) - 2
    out: list[tuple[float, int, int]] = []
    for i in range(lock, m + 1):
        ni = nodes[i]
        bp = B[i] + dd[i] + t[ni][np_]
        if bp > lp + EPS:
            break
        if load[i] + qp > cap or wc[i] + wp > wcap:
            continue
        if bp < ep:
            bp = ep
        dp = bp + sp
        nx = nodes[i + 1]
        ci = c[ni]
        # Drop-off right after the pickup.
        bd = dp + tp[nd]
        if bd < edr:
            bd = edr
        if bd <= ldr + EPS and bd + sd + td[nx] <= Z[i + 1] + EPS:
            out.append((ci[np_] + cp[nd] + cd[nx] - ci[nx], i, i))
        # Drop-off later: push the route forward from i + 1.
        a = dp + tp[nx]
        if a > Z[i + 1] + EPS or i + 1 > m:
            continue
        base = ci[np_] + cp[nx] - ci[nx]
        bcur = a if a > ee[i + 1] else ee[i + 1]
        path = tp[nx]
        for j in range(i + 1, m + 1):
            nj = nodes[j]
            if j > i + 1:
                prev = nodes[j - 1]
                x = bcur + dd[j - 1] + t[prev][nj]
                bcur = x if x > ee[j] else ee[j]
                if bcur > Z[j] + EPS:
                    break
            if load[j] + qp > cap or wc[j] + wp > wcap:
                break
            tjd = t[nj][nd]
            if path + dd[j] + tjd > ride:
                break
            bd = bcur + dd[j] + tjd
            if bd < edr:
                bd = edr
            if bd > ldr + EPS:
                break
            nn = nodes[j + 1]
            if bd + sd + td[nn] <= Z[j + 1] + EPS:
                cj = c[nj]
                out.append((base + cj[nd] + cd[nn] - cj[nn], i, j))
            path += dd[j] + t[nj][nn]
    return out


def with_request(seq: list[int], r: int, n: int, i: int, j: int) -> list[int]:
    """`seq` with request r's pickup after position i and its drop-off after position j."""
    return [*seq[:i], r, *seq[i:j], r + n, *seq[j:]]


def best_insertion(
    P: Problem, v: int, seq: list[int], info: RouteInfo, r: int, lock: int = 0
) -> tuple[float, list[int]] | None:
    """The cheapest insertion of request r into route v that the 8-step schedule accepts, or None."""
    cands = candidates(P, v, info, r, lock)
    if not cands:
        return None
    cands.sort()
    n = P.n
    for delta, i, j in cands:
        new = with_request(seq, r, n, i, j)
        if schedule(P, v, new) is not None:
            return delta, new
    return None
