"""What the shelters app announces (toki.events, ADR 0007). Ids only; the portal and HQ subscribe, and this app
imports neither (ADR 0005, 0006)."""

from toki.events.registry import declare

# One event type per kind of change to a shelter opening that others show.
OPENING_CHANGES = {
    "opened": declare("shelters.opening_opened", ids=("opening_id",), doc="a shelter opened for an incident"),
    "status": declare("shelters.opening_status_changed", ids=("opening_id",), doc="開設 / 満員 changed"),
    "crowding": declare("shelters.opening_crowding_changed", ids=("opening_id",),
                        doc="空き / 混雑 / 満員 changed (computed from check-ins or set by staff)"),
    "confirmed": declare("shelters.opening_confirmed", ids=("opening_id",), doc="staff confirmed it is current"),
    "closed": declare("shelters.opening_closed", ids=("opening_id",), doc="a shelter opening closed"),
}
PEOPLE_CHECKED_IN = declare("shelters.people_checked_in", ids=("opening_id", "registration_ids"),
                            doc="people arrived at an opening (the registry matches them to its register)")
MASTER_CHANGED = declare("shelters.master_changed",
                         doc="the shelter master changed (an import created or updated shelters, HQ edited one)")


def opening_changed(opening, change: str) -> None:
    """Announce a change of `opening` inside the action's transaction (its shelter is loaded)."""
    from toki.events.outbox import publish

    publish(OPENING_CHANGES[change], municipality_id=opening.shelter.municipality_id, opening_id=opening.pk)


def master_changed(municipality_id: int) -> None:
    from toki.events.outbox import publish

    publish(MASTER_CHANGED, municipality_id=municipality_id)


def people_checked_in(opening, registration_ids: list[int]) -> None:
    """Announce arrivals (Registration ids, never names) inside the sync action's transaction."""
    from toki.events.outbox import publish

    publish(PEOPLE_CHECKED_IN, municipality_id=opening.shelter.municipality_id, opening_id=opening.pk,
            registration_ids=sorted(set(registration_ids)))
