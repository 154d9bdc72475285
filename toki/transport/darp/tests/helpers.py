"""Shared test data: the Cordeau files in shared/darp (found beside the checkout) and a tiny hand-made instance."""

from pathlib import Path

from toki.transport.darp.model import Instance, Request, Vehicle, euclidean_matrix


def darp_dir() -> Path:
    """shared/darp/cordeau2006 next to the repository (the checkout's parent holds shared/)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "darp" / "cordeau2006"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("shared/darp/cordeau2006 not found beside the checkout")


def line_instance(max_ride: float = 30.0, capacity: int = 3) -> Instance:
    """A depot at 0 and stops on a line: request A from x=1 to x=5, B from x=2 to x=4, C from x=6 to x=1."""
    points = [(0.0, 0.0), (1.0, 0.0), (5.0, 0.0), (2.0, 0.0), (4.0, 0.0), (6.0, 0.0), (1.0, 0.0)]
    travel = euclidean_matrix(points)
    reqs = (
        Request("A", 1, 2, (0.0, 100.0), (0.0, 100.0), service_time=1.0, max_ride_time=max_ride),
        Request("B", 3, 4, (0.0, 100.0), (0.0, 100.0), service_time=1.0, max_ride_time=max_ride),
        Request("C", 5, 6, (0.0, 100.0), (0.0, 100.0), service_time=1.0, max_ride_time=max_ride),
    )
    vehicles = (Vehicle("bus", capacity, 1, 0, 0, 0.0, 200.0, 200.0),)
    return Instance(reqs, vehicles, travel, None, (0.0, 200.0), "line")
