"""The checker's own reader of Cordeau (2006) a/b files, written apart from the solver's loader (ADR 0009)."""

from __future__ import annotations

from dataclasses import dataclass


class CheckInputError(ValueError):
    """An instance file or a solution the checker cannot read."""


@dataclass(frozen=True)
class Node:
    x: float
    y: float
    service: float
    load: int
    early: float
    late: float


@dataclass(frozen=True)
class CheckInstance:
    """Nodes 0 (start depot), 1..n (pickups), n+1..2n (drop-offs), 2n+1 (end depot)."""

    vehicles: int
    requests: int
    max_duration: float
    capacity: int
    max_ride: float
    nodes: tuple[Node, ...]

    def distance(self, a: int, b: int) -> float:
        na, nb = self.nodes[a], self.nodes[b]
        dx, dy = na.x - nb.x, na.y - nb.y
        return (dx * dx + dy * dy) ** 0.5


def read_instance(text: str) -> CheckInstance:
    """Either layout: `K n T Q L` with 2n+2 node lines, or `K 2n T Q L` with 2n+1 or 2n+2 node lines."""
    rows = [line.split() for line in text.splitlines()]
    rows = [row for row in rows if row]
    if len(rows) < 2:
        raise CheckInputError("instance: fewer than two non-empty lines")
    try:
        head = [float(v) for v in rows[0]]
        body = [[float(v) for v in row] for row in rows[1:]]
    except ValueError as exc:
        raise CheckInputError(f"instance: non-numeric field ({exc})") from None
    if len(head) != 5 or any(len(row) != 7 for row in body):
        raise CheckInputError("instance: header needs 5 fields and every node line 7")
    second = int(head[1])
    lines = len(body)
    if lines == 2 * second + 2:
        n = second
    elif second % 2 == 0 and lines in (second + 1, second + 2):
        n = second // 2
        if lines == second + 1:
            body.append(list(body[0]))
    else:
        raise CheckInputError(f"instance: {lines} node lines do not match the header's {second}")
    nodes = tuple(Node(r[1], r[2], r[3], int(r[4]), r[5], r[6]) for r in body)
    return CheckInstance(int(head[0]), n, head[2], int(head[3]), head[4], nodes)
