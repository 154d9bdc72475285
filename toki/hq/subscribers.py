"""What HQ does when other apps change (toki.events, ADR 0007): the chronology records new alerts and evacuation
orders, and shelters opening, filling and closing. Each runs in its own task after the producer's commit; the
entries carry dedup keys, so a redelivery writes nothing twice."""

from toki.events.registry import subscriber
from toki.hq.actions.feeds import chronicle_alert, chronicle_shelter_opening

OPENING_CHANGES = {
    "shelters.opening_opened": "opened",
    "shelters.opening_status_changed": "status",
    "shelters.opening_crowding_changed": "crowding",
    "shelters.opening_closed": "closed",
}  # a routine 異常なし confirmation is not an event of the chronology


@subscriber("alerts.alert_recorded", app="hq")
def chronicle_new_alert(event) -> None:
    chronicle_alert(event.ids["alert_id"])


@subscriber(*OPENING_CHANGES, app="hq")
def chronicle_opening_change(event) -> None:
    chronicle_shelter_opening(event.ids["opening_id"], OPENING_CHANGES[event.name])
