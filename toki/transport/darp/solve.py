"""`python -m toki.transport.darp.solve FILE --seconds 10 [--seed N]`: solve a Cordeau-format instance file (either
layout) and print JSON: cost, requests served, routes (node ids of the file, depots left out), the CPU seconds used
and the independent checker's verdict (toki.transport.darp_check, which reads the file itself).

Exit status 0 when the checker finds the solution feasible, 1 when it does not, 2 for unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from toki.transport.darp_check import CheckInputError, check, read_instance

from .alns import solve
from .model import PICKUP, Instance, InstanceError, Plan, load_cordeau, plan_cost


def node_routes(instance: Instance, plan: Plan) -> list[list[int]]:
    by_id = {r.id: r for r in instance.requests}
    return [
        [by_id[s.request_id].pickup if s.kind == PICKUP else by_id[s.request_id].dropoff for s in route.stops]
        for route in plan.routes
    ]


def solve_file(path: Path, seconds: float, seed: int) -> dict:
    """Solve, then let the independent checker judge the routes against the file."""
    instance = load_cordeau(path)
    started = time.process_time()
    plan = solve(instance, time_limit=seconds, seed=seed)
    cpu = time.process_time() - started
    routes = node_routes(instance, plan)
    verdict = check(read_instance(path.read_text(encoding="utf-8")), routes)
    return {
        "instance": instance.name,
        "cost": round(plan_cost(instance, plan), 6),
        "requests": len(instance.requests),
        "served": len(instance.requests) - len(plan.unassigned),
        "vehicles_used": sum(1 for r in routes if r),
        "cpu_seconds": round(cpu, 3),
        "seed": seed,
        "routes": routes,
        "check": verdict.as_dict(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toki.transport.darp.solve", description=__doc__)
    parser.add_argument("file", type=Path, help="instance file (Cordeau a/b layout or the 2n layout)")
    parser.add_argument("--seconds", type=float, default=10.0, help="CPU-time budget (default 10)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    try:
        result = solve_file(args.file, args.seconds, args.seed)
    except (InstanceError, CheckInputError) as exc:
        print(f"darp.solve: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0 if result["check"]["feasible"] else 1


if __name__ == "__main__":
    sys.exit(main())
