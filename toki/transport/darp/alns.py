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

from .convert import build_plan, locks_of, routes_of
from .core import EPS, Problem, RouteInfo, best_insertion, route_info, schedule
from .model import Instance, Plan, empty_plan


class _Sol:
    __slots__ = ("costs", "dirty", "infos", "routes", "unassigned", "where")

    def __init__(self, routes, costs, infos, unassigned, where):
        self.routes: list[list[int]] = routes
        self.costs: list[float] = costs
        self.infos: list[RouteInfo] = infos
        self.unassigned: set[int] = unassigned
        self.where: dict[int, int] = where
        self.dirty: set[int] = set()

    def copy(self) -> _Sol:
        return _Sol(list(self.routes), list(self.costs), list(self.infos), set(self.unassigned), dict(self.where))


class Search:
    """One ALNS run over a Problem."""

    DESTROY = ("random", "worst", "related", "related", "band")
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
        sol = _Sol(
            [list(seq) for seq in routes],
            [P.route_cost(v, seq) for v, seq in enumerate(routes)],
            [route_info(P, v, seq) for v, seq in enumerate(routes)],
            {r for r in range(n) if r not in where},
            where,
        )
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
        sol.infos[v] = route_info(self.P, v, seq)

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
            nodes = sol.infos[v].nodes
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

    def _best(self, sol: _Sol, v: int, r: int) -> tuple[float, list[int]] | None:
        return best_insertion(self.P, v, sol.routes[v], sol.infos[v], r, self.locks[v])

    def _apply(self, sol: _Sol, v: int, r: int, seq: list[int]) -> None:
        self._set_route(sol, v, seq)
        sol.where[r] = v
        sol.unassigned.discard(r)
        sol.dirty.discard(v)

    def repair(self, sol: _Sol, name: str) -> None:
        pending = list(sol.unassigned)
        noise = 0.1 if name.endswith("_noise") else 0.0
        maxc = self._max_cost
        rng = self.rng
        K = self.P.K
        if name.startswith("greedy"):
            order = rng.random()
            if order < 0.5:
                rng.shuffle(pending)
            else:
                pending.sort(key=self.mid.__getitem__)
            for r in pending:
                best = None
                for v in range(K):
                    found = self._best(sol, v, r)
                    if found is None:
                        continue
                    score = found[0] + (noise * maxc * (2 * rng.random() - 1) if noise else 0.0)
                    if best is None or score < best[0]:
                        best = (score, v, found[1])
                if best is not None:
                    self._apply(sol, best[1], r, best[2])
            return
        k = 3 if name.startswith("regret3") else 2
        cache: dict[int, list[tuple[float, list[int]] | None]] = {
            r: [self._best(sol, v, r) for v in range(K)] for r in pending
        }
        while cache:
            pick = None
            for r, options in cache.items():
                costs = sorted(o[0] for o in options if o is not None)
                if not costs:
                    continue
                regret = sum(x - costs[0] for x in costs[1:k]) + (k - min(k, len(costs))) * 1e6
                if noise:
                    regret += noise * maxc * (2 * rng.random() - 1)
                key = (regret, -costs[0])
                if pick is None or key > pick[0]:
                    pick = (key, r)
            if pick is None:
                break
            r = pick[1]
            options = cache.pop(r)
            v = min((i for i in range(K) if options[i] is not None), key=lambda i: options[i][0])  # type: ignore[index]
            self._apply(sol, v, r, options[v][1])  # type: ignore[index]
            for other, opts in cache.items():
                opts[v] = self._best(sol, v, other)

    # --- main loop -------------------------------------------------------------------------------------------

    def feasible(self, sol: _Sol) -> bool:
        """Routes that lost requests but got none back are re-checked (removal keeps a feasible schedule, but the
        8-step heuristic must be the one to say so)."""
        for v in sol.dirty:
            if sol.routes[v] and schedule(self.P, v, sol.routes[v]) is None:
                return False
        sol.dirty.clear()
        return True

    def run(self, deadline: float) -> _Sol:
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
        t0 = 0.01 * max(sum(cur.costs), 1.0) / math.log(2)
        t_end = t0 / 500
        n_rem = len(self.removable)
        qlo = max(2, n_rem // 20)
        qhi = max(qlo, min(40, max(4, n_rem // 4)))
        seen: set[int] = set()
        while True:
            now = time.process_time()
            if now >= deadline or n_rem == 0:
                break
            temp = t0 * (t_end / t0) ** ((now - start) / span)
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
) -> Plan:
    """A plan at least as good as `plan` (never more unassigned requests, never a higher cost at equal service),
    found by ALNS within `time_limit` seconds of CPU time. With `keep_promises`, every promised pickup window of
    `plan.promises` is kept and no promised rider is dropped; `locked` maps a vehicle id to the number of its
    leading stops already served, which stay as they are. Unassigned requests are inserted when possible."""
    deadline = time.process_time() + time_limit
    promises = dict(plan.promises) if keep_promises else {}
    P = Problem(instance, promises)
    routes = routes_of(P, plan)
    locks = locks_of(P, locked, routes)
    promised = {P.index[rid] for rid in promises if rid in P.index}
    search = Search(P, routes, locks, seed, promised)
    best = search.run(deadline)
    return build_plan(P, best.routes, plan.promises if keep_promises else {}, instance)


def solve(instance: Instance, *, time_limit: float, seed: int = 0) -> Plan:
    """A plan for every request of `instance` that can be served, from scratch, in `time_limit` CPU seconds."""
    return improve(instance, empty_plan(instance), time_limit=time_limit, seed=seed, keep_promises=False)
