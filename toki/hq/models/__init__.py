"""Disaster HQ models, one module per topic (DESIGN.md rule 13): incidents, instructions and the chronology here;
damage reports in the nested app toki.hq.damage."""

from toki.hq.models.chronology import ChronologyAnnotation, ChronologyCategory, ChronologyEntry
from toki.hq.models.distress import DistressMessage
from toki.hq.models.incidents import HqStatus, Incident, IncidentKind
from toki.hq.models.instructions import Instruction

__all__ = ["ChronologyAnnotation", "ChronologyCategory", "ChronologyEntry", "DistressMessage", "HqStatus",
           "Incident", "IncidentKind", "Instruction"]
