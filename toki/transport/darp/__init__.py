"""Toki's dial-a-ride solver: pure Python, no Django (ADR 0009). See docs/darp.md.

Public interface: the data model (`model`), real-time `insertion.insert`, and `alns.improve` / `alns.solve`.
"""

from .alns import improve, solve
from .insertion import InsertionResult, insert
from .model import (
    DROPOFF,
    PICKUP,
    Instance,
    InstanceError,
    Plan,
    Request,
    Route,
    Stop,
    Vehicle,
    empty_plan,
    load_cordeau,
    matrix_from,
    parse_cordeau,
    plan_cost,
)

__all__ = [
    "DROPOFF",
    "PICKUP",
    "InsertionResult",
    "Instance",
    "InstanceError",
    "Plan",
    "Request",
    "Route",
    "Stop",
    "Vehicle",
    "empty_plan",
    "improve",
    "insert",
    "load_cordeau",
    "matrix_from",
    "parse_cordeau",
    "plan_cost",
    "solve",
]
