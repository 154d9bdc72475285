"""Board panels other apps add to the live board without HQ importing them (like the KPI module's metric
providers): an app lists `PANELS = [BoardPanel(...)]` in `<app>/hq_panels.py`; the board finds them through
Django's app registry. A panel answers a context for an incident (counts, never personal data: every reader of
the board sees it) or None to stay hidden, and names its own template, which re-fetches itself through
`hq:board_part` with the panel's key."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module

from django.apps import apps


@dataclass(frozen=True)
class BoardPanel:
    key: str  # "<app>_<name>": the part name in /hq/incidents/<id>/board/<key>/
    template: str
    context: Callable[..., dict | None] = field(repr=False)  # (incident) → context, or None: not shown


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
