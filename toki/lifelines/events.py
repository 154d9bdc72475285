"""What the lifelines app announces (toki.events, ADR 0007). Ids only; the portal subscribes (ADR 0005)."""

from toki.events.registry import declare

LIFELINES_CHANGED = declare("lifelines.lifelines_changed", ids=("lifeline_ids",),
                            doc="lifelines were added, edited, reported on or imported")


def lifelines_changed(municipality_id: int, lifeline_ids) -> None:
    from toki.events.outbox import publish

    publish(LIFELINES_CHANGED, municipality_id=municipality_id, lifeline_ids=sorted(set(lifeline_ids)))
