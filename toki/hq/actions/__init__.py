"""Every change of the HQ module (DESIGN.md rules 2–3), one module per topic: incidents, instructions and the
chronology. The incident actions keep their old import path `toki.hq.actions.<name>`."""

from toki.hq.actions.incidents import (
    apply_relief_act,
    close_incident,
    open_incident,
    set_affected_districts,
    set_hq_status,
)

__all__ = ["apply_relief_act", "close_incident", "open_incident", "set_affected_districts", "set_hq_status"]
