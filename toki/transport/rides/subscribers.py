"""What shared rides do when other apps' events are committed (toki.events, ADR 0007): an evacuation order issued or
lifted (an alert published) sets or clears each area's evacuation state, which keeps the day's seats for
evacuation rides (rules.py). Idempotent: the state is recomputed from the orders in force."""

from toki.events.registry import subscriber


@subscriber("alerts.alert_published", app="rides")
def follow_evacuation_orders(event) -> None:
    from toki.transport.rides.actions import sync_evacuation_state

    sync_evacuation_state(municipality_id=event.municipality_id)
