"""What transit does when other apps' events are committed (toki.events, ADR 0007): when the public situation
changes (a warning issued, continued or lifted, an evacuation order issued or lifted, a state expired), the
suspension rules are applied again and the GTFS-RT service alerts follow. Idempotent (`refresh_service_alerts`)."""

from toki.events.registry import subscriber


@subscriber("alerts.public_situation_changed", app="transit")
def refresh_route_suspensions(event) -> None:
    from toki.areas.selectors import municipality_by_id
    from toki.transport.transit.service_alerts import refresh_service_alerts

    refresh_service_alerts(municipality_by_id(event.municipality_id))
