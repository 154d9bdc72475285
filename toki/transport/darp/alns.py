"""Adaptive large-neighbourhood search (Ropke & Pisinger 2006) for the DARP, with the exact 8-step check.

Each iteration removes some requests (random, worst, related) and re-inserts them (greedy or regret-k, with or
without noise), every insertion checked by the 8-step schedule; simulated annealing accepts or rejects, and the
operators' weights adapt to their success. The budget is CPU time of this process (time.process_time), so a busy
machine slows the search down without cutting it short. One thread, pure Python (docs/darp.md says why).

Served stops (`locked`) and riders' promises (`plan.promises` with keep_promises) are never broken: locked requests
are never removed, nothing is inserted before a locked stop, and promised pickup windows are windows.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping

import numpy as np

from . import kernel
from .convert import build_plan, locks_of, routes_of
from .core import EPS, Problem, schedule, with_request
from .model import Instance, Plan, empty_plan


class _Sol:
    """A solution: routes as lists (and as rows of `mat` for the kernel), their costs, where each request is."""

    __slots__ = ("costs", "dirty", "lens", "mat", "routes", "unassigned", "where")

    def __init__(
        self,
        routes: list[list[int]],
        costs: list[float],
        mat: np.ndarray,
        lens: np.ndarray,
        unassigned: set[int],
        where: dict[int, int],
    ) -> None:
        self.routes = routes
        self.costs = costs
        self.mat = mat
        self.lens = lens
        self.unassigned = unassigned
        self.where = where
        self.dirty: set[int] = set()

    def copy(self) -> _Sol:
        return _Sol(
            list(self.routes),
            list(self.costs),
            self.mat.copy(),
            self.lens.copy(),
            set(self.unassigned),
            dict(self.where),
        )


class Search:
    """One ALNS run over a Problem."""

    DESTROY = ("random", "worst", "related", "related", "band")
    # Simulated annealing: a start temperature at which a solution `start_worse` (share) worse is accepted with
    # probability 1/2, cooling geometrically in CPU time to `end_ratio` of it; at most `q_share` of the requests
    # are removed in one iteration.
    start_worse = 0.01
    end_ratio = 0.002
    q_share = 0.25
    REPAIR = ("greedy", "regret2", "regret3", "greedy_noise", "regret2_noise")

    def __init__(self, P: Problem, routes: list[list[int]], locks: list[int], seed: int, promised: set[int]):
        self.P = P
        self.n = P.n
        self.rng = random.Random(seed)  # noqa: S311 - a search, not cryptography
        self.locks = locks
        n = P.n
        self.fixed = {s % n for v, seq in enumerate(routes) for s in seq[: locks[v]]}
        self.removable = [r for r in range(n) if r not in self.fixed]
        big = max((max(row) for row in P.c), default=1.0) + 1.0
        self.penalty = [big * 4 * (10 * n if r in promised else 1) for r in range(n)]
        where = {s: v for v, seq in enumerate(routes) for s in seq if s < n}
        mat = np.zeros((P.K, 2 * n + 2), dtype=np.int64)
        lens = np.zeros(P.K, dtype=np.int64)
        for v, seq in enumerate(routes):
            mat[v, : len(seq)] = seq
            lens[v] = len(seq)
        sol = _Sol(
            [list(seq) for seq in routes],
            [P.route_cost(v, seq) for v, seq in enumerate(routes)],
            mat,
            lens,
            {r for r in range(n) if r not in where},
            where,
        )
        self.lock_arr = np.array(locks, dtype=np.int64)
        self.cur = sol
        # Related removal: distance between pickups and drop-offs plus the gap between their windows.
        t, node, e, late = P.t, P.node, P.e, P.l
        mid = [(e[s] + late[s]) / 2 if late[s] < 1e9 else e[s] for s in range(2 * n)]
        self.related = [
            [
                t[node[a]][node[b]] + t[node[a + n]][node[b + n]] + abs(mid[a] - mid[b]) + abs(mid[a + n] - mid[b + n])
                for b in range(n)
            ]
            for a in range(n)
        ]
        self.mid = mid
        self.iterations = 0

    # --- objective -------------------------------------------------------------------------------------------

    def objective(self, sol: _Sol) -> float:
        return sum(sol.costs) + sum(self.penalty[r] for r in sol.unassigned)

    def _set_route(self, sol: _Sol, v: int, seq: list[int]) -> None:
        sol.routes[v] = seq
        sol.costs[v] = self.P.route_cost(v, seq)
        sol.mat[v, : len(seq)] = seq
        sol.lens[v] = len(seq)

    # --- destroy ---------------------------------------------------------------------------------------------

    def _remove(self, sol: _Sol, reqs: list[int]) -> None:
        n = self.n
        by_route: dict[int, set[int]] = {}
        for r in reqs:
            v = sol.where.pop(r, None)
            if v is None:
                continue
            by_route.setdefault(v, set()).add(r)
            sol.unassigned.add(r)
        for v, gone in by_route.items():
            self._set_route(sol, v, [s for s in sol.routes[v] if s % n not in gone])
            sol.dirty.add(v)

    def _pick(self, ordered: list[int], power: float) -> int:
        return ordered[int(len(ordered) * self.rng.random() ** power)]

    def destroy(self, sol: _Sol, name: str, q: int) -> None:
        placed = [r for r in self.removable if r in sol.where]
        if not placed:
            return
        q = min(q, len(placed))
        rng = self.rng
        if name == "random":
            chosen = rng.sample(placed, q)
        elif name == "worst":
            gains = self._removal_gains(sol)
            ordered = sorted(placed, key=lambda r: -gains[r])
            chosen = []
            for _ in range(q):
                r = self._pick(ordered, 3.0)
                ordered.remove(r)
                chosen.append(r)
        elif name == "band":
            start = rng.choice(placed)
            ordered = sorted(placed, key=lambda r: abs(self.mid[r] - self.mid[start]))
            chosen = ordered[:q]
        else:
            chosen = [rng.choice(placed)]
            rest = [r for r in placed if r != chosen[0]]
            while len(chosen) < q and rest:
                ref = self.related[rng.choice(chosen)]
                rest.sort(key=ref.__getitem__)
                r = self._pick(rest, 6.0)
                rest.remove(r)
                chosen.append(r)
        self._remove(sol, chosen)

    def _removal_gains(self, sol: _Sol) -> list[float]:
        P, n = self.P, self.n
        c, node = P.c, P.node
        gains = [0.0] * n
        for v, seq in enumerate(sol.routes):
            nodes = [P.vstart[v], *(node[x] for x in seq), P.vend[v]]
            pos = {s: i for i, s in enumerate(seq, start=1)}
            for s in seq:
                if s >= n:
                    continue
                i, j = pos[s], pos[s + n]
                a, b = node[s], node[s + n]
                if j == i + 1:
                    pv, nx = nodes[i - 1], nodes[j + 1]
                    gains[s] = c[pv][a] + c[a][b] + c[b][nx] - c[pv][nx]
                else:
                    g = c[nodes[i - 1]][a] + c[a][nodes[i + 1]] - c[nodes[i - 1]][nodes[i + 1]]
                    g += c[nodes[j - 1]][b] + c[b][nodes[j + 1]] - c[nodes[j - 1]][nodes[j + 1]]
                    gains[s] = g
        return gains

    # --- repair ----------------------------------------------------------------------------------------------

    def _batch(self, sol: _Sol, vs: np.ndarray, rs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Best insertion cost and positions for each pair (vs[k], rs[k]); positions -1 when none."""
        size = vs.shape[0]
        cost = np.empty(size)
        ii = np.empty(size, dtype=np.int64)
        jj = np.empty(size, dtype=np.int64)
        kernel.best_many(sol.mat, sol.lens, self.lock_arr, vs, rs, self.P.A, self.P.V, cost, ii, jj)
        return cost, ii, jj

    def _apply(self, sol: _Sol, v: int, r: int, i: int, j: int) -> None:
        self._set_route(sol, v, with_request(sol.routes[v], r, self.n, i, j))
        sol.where[r] = v
        sol.unassigned.discard(r)
        sol.dirty.discard(v)

    def repair(self, sol: _Sol, name: str) -> None:
        pending = list(sol.unassigned)
        if not pending:
            return
        noise = 0.1 * self._max_cost if name.endswith("_noise") else 0.0
        rng = self.rng
        K = self.P.K
        all_v = np.arange(K, dtype=np.int64)
        if name.startswith("greedy"):
            if rng.random() < 0.5:
                rng.shuffle(pending)
            else:
                pending.sort(key=self.mid.__getitem__)
            for r in pending:
                cost, ii, jj = self._batch(sol, all_v, np.full(K, r, dtype=np.int64))
                cost[ii < 0] = np.inf
                if noise:
                    cost += noise * (2 * np.random.default_rng(rng.getrandbits(32)).random(K) - 1)
                v = int(np.argmin(cost))
                if np.isfinite(cost[v]):
                    self._apply(sol, v, r, int(ii[v]), int(jj[v]))
            return
        k = 3 if name.startswith("regret3") else 2
        reqs = np.array(pending, dtype=np.int64)
        p = len(pending)
        cost, ii, jj = self._batch(sol, np.tile(all_v, p), np.repeat(reqs, K))
        cost[ii < 0] = np.inf
        D, Pi, Pj = cost.reshape(p, K), ii.reshape(p, K), jj.reshape(p, K)
        alive = np.ones(p, dtype=bool)
        nrng = np.random.default_rng(rng.getrandbits(32)) if noise else None
        while alive.any():
            S = np.sort(D, axis=1)
            best = S[:, 0]
            ok = alive & np.isfinite(best)
            if not ok.any():
                break
            extra = S[:, 1:k]
            base = np.where(np.isfinite(best), best, 0.0)
            regret = np.where(np.isfinite(extra), extra - base[:, None], 1e6).sum(axis=1)
            if nrng is not None:
                regret = regret + noise * (2 * nrng.random(p) - 1)
            regret[~ok] = -np.inf
            row = int(np.argmax(regret))
            v = int(np.argmin(D[row]))
            self._apply(sol, v, int(reqs[row]), int(Pi[row, v]), int(Pj[row, v]))
            alive[row] = False
            D[row, :] = np.inf
            rest = np.flatnonzero(alive)
            if rest.size:
                c2, i2, j2 = self._batch(sol, np.full(rest.size, v, dtype=np.int64), reqs[rest])
                c2[i2 < 0] = np.inf
                D[rest, v], Pi[rest, v], Pj[rest, v] = c2, i2, j2

    # --- main loop -------------------------------------------------------------------------------------------

    def feasible(self, sol: _Sol) -> bool:
        """Routes that lost requests but got none back are re-checked (removal keeps a feasible schedule, but the
        8-step heuristic must be the one to say so)."""
        for v in sol.dirty:
            if sol.routes[v] and schedule(self.P, v, sol.routes[v]) is None:
                return False
        sol.dirty.clear()
        return True

    def run(self, deadline: float, max_iterations: int | None = None) -> _Sol:
        """The best solution found until `deadline` (CPU time) or after `max_iterations` iterations, whichever comes
        first. A cap on iterations makes a search reproducible whatever the machine's speed (the tests use it)."""
        rng = self.rng
        P = self.P
        self._max_cost = max((max(row) for row in P.c), default=1.0)
        cur = self.cur
        if cur.unassigned:
            self.repair(cur, "regret2")
        cur_obj = self.objective(cur)
        best, best_obj = cur.copy(), cur_obj
        nd, nr = len(self.DESTROY), len(self.REPAIR)
        wd, wr = [1.0] * nd, [1.0] * nr
        sd, sr = [0.0] * nd, [0.0] * nr
        ud, ur = [0] * nd, [0] * nr
        start = time.process_time()
        span = max(deadline - start, 1e-3)
        t0 = self.start_worse * max(sum(cur.costs), 1.0) / math.log(2)
        t_end = t0 * self.end_ratio
        n_rem = len(self.removable)
        qlo = max(2, n_rem // 20)
        qhi = max(qlo, min(40, max(4, int(n_rem * self.q_share))))
        seen: set[int] = set()
        while True:
            now = time.process_time()
            if now >= deadline or n_rem == 0 or (max_iterations is not None and self.iterations >= max_iterations):
                break
            # Cooling follows the iterations when they are capped, so that a capped search does not depend on speed.
            progress = self.iterations / max_iterations if max_iterations else (now - start) / span
            temp = t0 * (t_end / t0) ** progress
            di = rng.choices(range(nd), wd)[0]
            ri = rng.choices(range(nr), wr)[0]
            cand = cur.copy()
            self.destroy(cand, self.DESTROY[di], rng.randint(qlo, qhi))
            self.repair(cand, self.REPAIR[ri])
            self.iterations += 1
            if not self.feasible(cand):
                continue
            obj = self.objective(cand)
            score = 0.0
            key = hash(tuple(tuple(seq) for seq in cand.routes))
            if obj < best_obj - EPS:
                best, best_obj = cand.copy(), obj
                cur, cur_obj = cand, obj
                score = 33.0
            elif obj < cur_obj - EPS:
                cur, cur_obj = cand, obj
                score = 9.0 if key not in seen else 0.0
            elif rng.random() < math.exp(-(obj - cur_obj) / temp):
                cur, cur_obj = cand, obj
                score = 13.0 if key not in seen else 0.0
            seen.add(key)
            sd[di] += score
            sr[ri] += score
            ud[di] += 1
            ur[ri] += 1
            if self.iterations % 100 == 0:
                for w, s, u in ((wd, sd, ud), (wr, sr, ur)):
                    for i in range(len(w)):
                        if u[i]:
                            w[i] = 0.8 * w[i] + 0.2 * max(s[i] / u[i], 0.5)
                        s[i], u[i] = 0.0, 0
        return best


def improve(
    instance: Instance,
    plan: Plan,
    *,
    time_limit: float,
    seed: int = 0,
    keep_promises: bool = True,
    locked: Mapping[str, int] | None = None,
    max_iterations: int | None = None,
) -> Plan:
    """A plan at least as good as `plan` (never more unassigned requests, never a higher cost at equal service),
    found by ALNS within `time_limit` seconds of CPU time. With `keep_promises`, every promised pickup window of
    `plan.promises` is kept and no promised rider is dropped; `locked` maps a vehicle id to the number of its
    leading stops already served, which stay as they are. Unassigned requests are inserted when possible.
    `max_iterations` also ends the search after that many ALNS iterations: the same result on any machine."""
    deadline = time.process_time() + time_limit
    promises = dict(plan.promises) if keep_promises else {}
    P = Problem(instance, promises)
    routes = routes_of(P, plan)
    locks = locks_of(P, locked, routes)
    promised = {P.index[rid] for rid in promises if rid in P.index}
    search = Search(P, routes, locks, seed, promised)
    best = search.run(deadline, max_iterations)
    return build_plan(P, best.routes, plan.promises if keep_promises else {}, instance)


def solve(instance: Instance, *, time_limit: float, seed: int = 0) -> Plan:
    """A plan for every request of `instance` that can be served, from scratch, in `time_limit` CPU seconds."""
    return improve(instance, empty_plan(instance), time_limit=time_limit, seed=seed, keep_promises=False)
