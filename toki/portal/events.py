"""What the portal announces (toki.events, ADR 0007). Ids only."""

from toki.events.registry import declare

DISASTER_MODE_CHANGED = declare("portal.disaster_mode_changed",
                                doc="the public site went into or out of disaster mode (the LINE menu follows)")


def disaster_mode_changed(municipality_id: int) -> None:
    """Announce the switch inside set_disaster_mode's transaction."""
    from toki.events.outbox import publish

    publish(DISASTER_MODE_CHANGED, municipality_id=municipality_id)
