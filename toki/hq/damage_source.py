"""The damage figures HQ's own pages show, supplied by the nested app `toki.hq.damage` when it starts.

`hq.damage` reads `hq` (a report belongs to an incident, checks who may read incidents, writes the chronology), so
`hq` never imports it back: no cycle between the two (pyproject.toml, "No cycles between apps"). The board's
第4号様式 summary and map markers and the KPI 報告までの時間 read damage through the three functions that
`toki.hq.damage.apps.DamageConfig.ready()` hands to `supply()` (ADR 0006). Without the damage app installed the
board shows no damage part and the KPI lists no issued report.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DamageReads:
    # The incident's 第4号様式 aggregate now (toki.hq.damage.aggregate.Aggregate), None with no form loaded.
    live_aggregate: Callable[[Any], Any | None]
    # Reports with a position for the map: [{"id", "category", "lat", "lon", "address", "updated_at"}], newest first.
    located_reports: Callable[[Any, int], list[dict]]
    # Every issued 第N報 in number order: [{"number", "issued_at", "last_report"}] (the newest version it contains).
    issued_reports: Callable[[Any], list[dict]]


def _nothing(*_args) -> None:
    return None


NO_DAMAGE = DamageReads(live_aggregate=_nothing, located_reports=lambda *_args: [], issued_reports=lambda *_a: [])
# Set once at start-up by supply(); a one-slot registry like toki.events.registry's.
_supplied: list[DamageReads] = [NO_DAMAGE]


def supply(reads: DamageReads) -> None:
    """Called by the damage app's AppConfig.ready(): from then on HQ reads damage through `reads`."""
    _supplied[0] = reads


def damage() -> DamageReads:
    return _supplied[0]
