"""The hot path, compiled by numba: the 8-step schedule and the best insertion of one request into one route.

Profiling the pure-Python version (docs/darp.md) showed 85 % of the search in the schedule and the candidate
filter, so these two are written over numpy arrays and compiled with `numba.njit(cache=True)` (machine code cached
in __pycache__ after the first run). Without numba the same functions run as plain Python (slowly).

Arrays: `A = (t, c, node, e, l, d, q, w, ride)` over stops (request r: pickup r, drop-off r + n) and nodes;
`V = (vstart, vend, vopen, vclose, vdur, vcap, vwc)` over vehicles. The 8-step schedule is described in core.py.
"""

from __future__ import annotations

import numpy as np

try:
    from numba import njit
except ImportError:  # pragma: no cover - the pure-Python fallback

    def njit(*args, **kwargs):  # type: ignore[no-redef]
        if args and callable(args[0]):
            return args[0]
        return lambda f: f


EPS = 1e-7
INF = np.inf


@njit(cache=True)
def _layout(seq, m, v, A, V, nodes, ee, ll, dd):
    node, e, l, d = A[2], A[3], A[4], A[5]  # noqa: E741
    vstart, vend, vopen, vclose = V[0], V[1], V[2], V[3]
    nodes[0] = vstart[v]
    ee[0] = vopen[v]
    ll[0] = vclose[v]
    dd[0] = 0.0
    for k in range(m):
        s = seq[k]
        nodes[k + 1] = node[s]
        ee[k + 1] = e[s]
        ll[k + 1] = l[s]
        dd[k + 1] = d[s]
    nodes[m + 1] = vend[v]
    ee[m + 1] = vopen[v]
    ll[m + 1] = vclose[v]
    dd[m + 1] = 0.0


@njit(cache=True)
def _forward(start, last, nodes, ee, dd, t, B, W):
    dep = B[start] + dd[start]
    for i in range(start + 1, last + 1):
        a = dep + t[nodes[i - 1], nodes[i]]
        b = a if a > ee[i] else ee[i]
        B[i] = b
        W[i] = b - a
        dep = b + dd[i]


@njit(cache=True)
def _slack(i, last, B, W, ll, dd, partner, rmax):
    best = INF
    cum = 0.0
    for j in range(i, last + 1):
        if j > i:
            cum += W[j]
            if cum >= best:
                break
        sl = ll[j] - B[j]
        pj = partner[j]
        if pj > 0 and pj < i:
            r = rmax[j] - (B[j] - B[pj] - dd[pj])
            if r < sl:
                sl = r
        val = cum + (sl if sl > 0.0 else 0.0)
        if val < best:
            best = val
    return best


@njit(cache=True)
def schedule(seq, m, v, A, V, B):
    """The 8-step schedule of the first m stops of `seq` on vehicle v; start times go to B[0..m+1]. True when
    feasible (load, windows, ride times, route duration)."""
    t, q, w, ride = A[0], A[6], A[7], A[8]
    vdur, vcap, vwc = V[4], V[5], V[6]
    n = ride.shape[0]
    load = 0
    wc = 0
    for k in range(m):
        load += q[seq[k]]
        wc += w[seq[k]]
        if load > vcap[v] or wc > vwc[v]:
            return False
    last = m + 1
    nodes = np.empty(m + 2, np.int64)
    ee = np.empty(m + 2)
    ll = np.empty(m + 2)
    dd = np.empty(m + 2)
    _layout(seq, m, v, A, V, nodes, ee, ll, dd)
    partner = np.full(m + 2, -1, np.int64)
    rmax = np.full(m + 2, INF)
    where = np.full(n, -1, np.int64)
    for k in range(m):
        s = seq[k]
        if s < n:
            where[s] = k + 1
        else:
            partner[k + 1] = where[s - n]
            rmax[k + 1] = ride[s - n]
    W = np.zeros(m + 2)
    B[0] = ee[0]
    _forward(0, last, nodes, ee, dd, t, B, W)
    for i in range(1, last + 1):
        if B[i] > ll[i] + EPS:
            return False
    waits = 0.0
    for i in range(1, last):
        waits += W[i]
    if waits > 0.0:
        delay = min(_slack(0, last, B, W, ll, dd, partner, rmax), waits)
        if delay > 0.0:
            B[0] += delay
            _forward(0, last, nodes, ee, dd, t, B, W)
    violated = False
    for j in range(1, last):
        pj = partner[j]
        if pj > 0 and B[j] - B[pj] - dd[pj] > rmax[j] + EPS:
            violated = True
            break
    if violated:
        for j in range(1, last):
            if partner[j] != -1 or seq[j - 1] >= n:
                continue
            later = 0.0
            for p in range(j + 1, last):
                later += W[p]
            if later <= 0.0:
                continue
            delay = min(_slack(j, last, B, W, ll, dd, partner, rmax), later)
            if delay > 0.0:
                W[j] += delay
                B[j] += delay
                _forward(j, last, nodes, ee, dd, t, B, W)
        for j in range(1, last):
            pj = partner[j]
            if pj > 0 and B[j] - B[pj] - dd[pj] > rmax[j] + EPS:
                return False
    if B[last] - B[0] > vdur[v] + EPS:
        return False
    for i in range(1, last + 1):  # noqa: SIM110 - numba compiles loops, not generators
        if B[i] > ll[i] + EPS:
            return False
    return True


@njit(cache=True)
def best_insertion(seq, m, v, r, lock, A, V):
    """Cheapest insertion of request r into route v (first m stops of seq) that the 8-step schedule accepts:
    (cost increase, i, j) with the pickup after position i and the drop-off after position j (j == i: right after
    the pickup), i >= lock; i == -1 when none. Candidates are filtered by windows (earliest/latest starts), loads and
    a ride-time lower bound, then checked cheapest first."""
    t, c, node, e, l, d, q, w, ride = A  # noqa: E741
    vcap, vwc = V[5], V[6]
    n = ride.shape[0]
    size = m + 2
    nodes = np.empty(size, np.int64)
    ee = np.empty(size)
    ll = np.empty(size)
    dd = np.empty(size)
    _layout(seq, m, v, A, V, nodes, ee, ll, dd)
    B = np.empty(size)
    Z = np.empty(size)
    B[0] = ee[0]
    for i in range(1, size):
        a = B[i - 1] + dd[i - 1] + t[nodes[i - 1], nodes[i]]
        B[i] = a if a > ee[i] else ee[i]
    Z[size - 1] = ll[size - 1]
    for i in range(size - 2, -1, -1):
        z = Z[i + 1] - dd[i] - t[nodes[i], nodes[i + 1]]
        Z[i] = z if z < ll[i] else ll[i]
    load = np.zeros(size, np.int64)
    wcs = np.zeros(size, np.int64)
    cur = 0
    cw = 0
    for k in range(m):
        cur += q[seq[k]]
        cw += w[seq[k]]
        load[k + 1] = cur
        wcs[k + 1] = cw
    p = r
    dr = r + n
    np_ = node[p]
    nd = node[dr]
    qp = q[p]
    wp = w[p]
    cap = vcap[v]
    wcap = vwc[v]
    ep = e[p]
    lp = l[p]
    edr = e[dr]
    ldr = l[dr]
    sp = d[p]
    sd = d[dr]
    rlim = ride[r] + EPS
    cost = np.empty(size * size)
    ci_ = np.empty(size * size, np.int64)
    cj_ = np.empty(size * size, np.int64)
    k = 0
    for i in range(lock, m + 1):
        ni = nodes[i]
        bp = B[i] + dd[i] + t[ni, np_]
        if bp > lp + EPS:
            break
        if load[i] + qp > cap or wcs[i] + wp > wcap:
            continue
        if bp < ep:
            bp = ep
        dp = bp + sp
        nx = nodes[i + 1]
        bd = dp + t[np_, nd]
        if bd < edr:
            bd = edr
        if bd <= ldr + EPS and bd + sd + t[nd, nx] <= Z[i + 1] + EPS:
            cost[k] = c[ni, np_] + c[np_, nd] + c[nd, nx] - c[ni, nx]
            ci_[k] = i
            cj_[k] = i
            k += 1
        a = dp + t[np_, nx]
        if a > Z[i + 1] + EPS or i + 1 > m:
            continue
        base = c[ni, np_] + c[np_, nx] - c[ni, nx]
        bcur = a if a > ee[i + 1] else ee[i + 1]
        path = t[np_, nx]
        for j in range(i + 1, m + 1):
            nj = nodes[j]
            if j > i + 1:
                x = bcur + dd[j - 1] + t[nodes[j - 1], nj]
                bcur = x if x > ee[j] else ee[j]
                if bcur > Z[j] + EPS:
                    break
            if load[j] + qp > cap or wcs[j] + wp > wcap:
                break
            tjd = t[nj, nd]
            if path + dd[j] + tjd > rlim:
                break
            bd = bcur + dd[j] + tjd
            if bd < edr:
                bd = edr
            if bd > ldr + EPS:
                break
            nn = nodes[j + 1]
            if bd + sd + t[nd, nn] <= Z[j + 1] + EPS:
                cost[k] = base + c[nj, nd] + c[nd, nn] - c[nj, nn]
                ci_[k] = i
                cj_[k] = j
                k += 1
            path += dd[j] + t[nj, nn]
    if k == 0:
        return 0.0, -1, -1
    order = np.argsort(cost[:k])
    trial = np.empty(m + 2, np.int64)
    Bt = np.empty(m + 4)
    for o in range(k):
        h = order[o]
        i = ci_[h]
        j = cj_[h]
        pos = 0
        for x in range(i):
            trial[pos] = seq[x]
            pos += 1
        trial[pos] = p
        pos += 1
        for x in range(i, j):
            trial[pos] = seq[x]
            pos += 1
        trial[pos] = dr
        pos += 1
        for x in range(j, m):
            trial[pos] = seq[x]
            pos += 1
        if schedule(trial, m + 2, v, A, V, Bt):
            return cost[h], i, j
    return 0.0, -1, -1


@njit(cache=True)
def best_many(routes, lens, locks, vs, rs, A, V, out_cost, out_i, out_j):
    """best_insertion for many (vehicle vs[k], request rs[k]) pairs in one call; routes[v, :lens[v]] is route v.
    Results go to out_cost/out_i/out_j[k] (out_i[k] == -1: no feasible insertion)."""
    for k in range(vs.shape[0]):
        v = vs[k]
        delta, i, j = best_insertion(routes[v], lens[v], v, rs[k], locks[v], A, V)
        out_cost[k] = delta
        out_i[k] = i
        out_j[k] = j
