"""OR-Tools comparator for bench/darp.py: the side-constraint routing model of reference/mobility.md §4.1.

Runs in its own virtual environment (var/ortools-venv, made by bench/darp.py from bench/requirements-ortools.txt)
because ortools pins protobuf 6 while the project's GTFS-Realtime bindings need protobuf 7. Prints one JSON line:
routes (node ids, depots left out), OR-Tools' own objective, wall and CPU seconds.

Model: pickup-and-delivery pairs on one vehicle, pickup first; capacity; time windows on every node and on the
depots; route duration as the span bound; ride time as CumulVar(drop-off) - CumulVar(pickup) <= L + service;
every pair optional with a big penalty (otherwise every first-solution strategy fails on Q = 3). Transit times are
scaled by 1000 and rounded UP (a schedule that fits the integer model fits the real one); costs are rounded.
Guided local search from PARALLEL_CHEAPEST_INSERTION, one thread, matrices registered (no Python callbacks for
costs or times); the budget is CPU seconds of this process (a custom search limit), as for Toki's solver.
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from toki.transport.darp_check.reader import read_instance

SCALE = 1000


def solve(path: Path, seconds: float) -> dict:
    inst = read_instance(path.read_text(encoding="utf-8"))
    n, k = inst.requests, inst.vehicles
    size = 2 * n + 2
    nodes = inst.nodes
    dist = [[inst.distance(a, b) for b in range(size)] for a in range(size)]
    cost = [[round(dist[a][b] * SCALE) for b in range(size)] for a in range(size)]
    ttime = [[math.ceil((nodes[a].service + dist[a][b]) * SCALE) for b in range(size)] for a in range(size)]
    manager = pywrapcp.RoutingIndexManager(size, k, [0] * k, [2 * n + 1] * k)
    routing = pywrapcp.RoutingModel(manager)
    cost_cb = routing.RegisterTransitMatrix(cost)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    time_cb = routing.RegisterTransitMatrix(ttime)
    horizon = math.ceil(max(nd.late for nd in nodes) * SCALE) + 1
    routing.AddDimension(time_cb, horizon, horizon, False, "Time")
    tdim = routing.GetDimensionOrDie("Time")
    load_cb = routing.RegisterUnaryTransitVector([nd.load for nd in nodes])
    routing.AddDimensionWithVehicleCapacity(load_cb, 0, [inst.capacity] * k, True, "Load")
    solver = routing.solver()
    for node in range(1, 2 * n + 1):
        idx = manager.NodeToIndex(node)
        tdim.CumulVar(idx).SetRange(math.ceil(nodes[node].early * SCALE), math.floor(nodes[node].late * SCALE))
    for v in range(k):
        for idx in (routing.Start(v), routing.End(v)):
            tdim.CumulVar(idx).SetRange(math.ceil(nodes[0].early * SCALE), math.floor(nodes[0].late * SCALE))
        tdim.SetSpanUpperBoundForVehicle(math.floor(inst.max_duration * SCALE), v)
    for i in range(1, n + 1):
        p, d = manager.NodeToIndex(i), manager.NodeToIndex(n + i)
        routing.AddPickupAndDelivery(p, d)
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(tdim.CumulVar(p) <= tdim.CumulVar(d))
        ride = math.floor((inst.max_ride + nodes[i].service) * SCALE)
        solver.Add(tdim.CumulVar(d) - tdim.CumulVar(p) <= ride)
        routing.AddDisjunction([p, d], 10**9, 2)
    for v in range(k):
        routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(routing.Start(v)))
        routing.AddVariableMaximizedByFinalizer(tdim.CumulVar(routing.End(v)))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    # The budget is CPU time, like Toki's solver's (the machine is shared): a custom limit polls process_time;
    # the wall-clock limit is only a safety net (an hour: on a loaded machine 10 CPU seconds took over 100 s).
    params.time_limit.FromSeconds(3600)
    wall, cpu = time.perf_counter(), time.process_time()
    deadline = cpu + seconds
    routing.AddSearchMonitor(solver.CustomLimit(lambda: time.process_time() >= deadline))
    solution = routing.SolveWithParameters(params)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    routes: list[list[int]] = []
    if solution is not None:
        for v in range(k):
            idx = solution.Value(routing.NextVar(routing.Start(v)))
            route = []
            while not routing.IsEnd(idx):
                route.append(manager.IndexToNode(idx))
                idx = solution.Value(routing.NextVar(idx))
            routes.append(route)
    return {
        "routes": routes,
        "found": solution is not None,
        "objective": solution.ObjectiveValue() if solution is not None else None,
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    print(json.dumps(solve(args.file, args.seconds)))


if __name__ == "__main__":
    main()
