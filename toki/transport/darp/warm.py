"""Compile (or load from numba's cache) every kernel function before the first real request needs it.

numba compiles `kernel.py` on its first call: about 10 s of CPU without a cache, about 1 s to load a cached copy.
Paid by the first booking after a deploy, that was a 10-second answer and a queue behind it (docs/benchmarks.md,
issue 19). `warm_up()` solves a two-request instance through the real entry points (insertion and the ALNS
improvement), which touches every compiled function; deploys run it once (`manage.py rides_prepare_solver`, which
fills the cache), and each web worker runs it at start (deploy/gunicorn.conf.py), before it takes a request.

    python -m toki.transport.darp.warm"""

import time

from .alns import improve
from .insertion import insert
from .model import Instance, Plan, Request, Route, Vehicle, euclidean_matrix


def warm_up() -> float:
    """Run the solver once on a tiny instance; answers the seconds it took (compiling or loading included)."""
    started = time.perf_counter()
    points = [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (0.0, 1.0)]
    requests = (
        Request(id="a", pickup=1, dropoff=2, pickup_window=(0.0, 60.0), dropoff_window=(0.0, 120.0), load=1,
                service_time=1.0, max_ride_time=60.0),
        Request(id="b", pickup=3, dropoff=4, pickup_window=(0.0, 60.0), dropoff_window=(0.0, 120.0), load=1,
                service_time=1.0, max_ride_time=60.0),
    )
    vehicles = (Vehicle(id="v", capacity=4, start_depot=0, end_depot=0, shift_start=0.0, shift_end=240.0),)
    instance = Instance(requests, vehicles, euclidean_matrix(points), horizon=(0.0, 240.0), name="warm-up")
    plan = Plan((Route("v", ()),), ("a", "b"), {})
    first = insert(instance, plan, requests[0])
    if first.plan is None:
        raise AssertionError("the warm-up instance must be feasible")
    improve(instance, first.plan, time_limit=0.05, seed=0)
    return time.perf_counter() - started


if __name__ == "__main__":
    print(f"darp kernel ready in {warm_up():.2f} s")
