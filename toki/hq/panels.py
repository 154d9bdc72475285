"""Board panels other apps add to the live board without HQ importing them (like the KPI module's metric
providers): an app lists `PANELS = [BoardPanel(...)]` in `<app>/hq_panels.py`; the board finds them through
Django's app registry. A panel answers a context for an incident or None to stay hidden, and names its own
template, which re-fetches itself through `hq:board_part` with the panel's key.

A panel's HTML is kept in the cache for `cache_seconds` (shared by every reader of the incident's board, per
language): such a panel shows what every reader of the board may see. A panel whose content depends on who
reads it (`per_viewer=True`, e.g. names from the register, scoped to the reader and logged) gets the request as a
second argument and must say `cache_seconds=0`; so may any panel that must show a change at the next poll."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module

from django.apps import apps


@dataclass(frozen=True)
class BoardPanel:
    key: str  # "<app>_<name>": the part name in /hq/incidents/<id>/board/<key>/
    template: str
    context: Callable[..., dict | None] = field(repr=False)  # (incident[, request]) → context, or None
    cache_seconds: int = 3  # 0: computed at every poll
    per_viewer: bool = False  # the context depends on who reads: called with the request, never cached

    def __post_init__(self):
        if self.per_viewer and self.cache_seconds:
            raise ValueError(f"board panel {self.key!r}: a per-viewer panel cannot be cached (cache_seconds=0)")

    def context_for(self, incident, request) -> dict | None:
        return self.context(incident, request) if self.per_viewer else self.context(incident)


@cache
def board_panels() -> dict[str, BoardPanel]:
    found: dict[str, BoardPanel] = {}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.hq_panels")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.hq_panels":
                raise
            continue
        for panel in getattr(module, "PANELS", ()):
            if panel.key in found:
                raise RuntimeError(f"board panel {panel.key!r} is declared twice ({config.name})")
            found[panel.key] = panel
    return found
