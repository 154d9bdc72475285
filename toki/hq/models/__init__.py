"""Disaster HQ models, one module per topic (DESIGN.md rule 13): incidents here; damage reports, instructions and
the chronology in their own modules as they are added."""

from toki.hq.models.incidents import HqStatus, Incident, IncidentKind

__all__ = ["HqStatus", "Incident", "IncidentKind"]
