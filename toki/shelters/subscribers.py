"""What the shelters app does when its own events are committed (toki.events, ADR 0007, 0008): a shelter opening
is pushed to the subscribers of its district who chose shelters, through notify's Announcement. Idempotent (one
Notification per opening), so a redelivery after a crash sends nothing twice."""

from toki.events.registry import subscriber


@subscriber("shelters.opening_opened", app="shelters")
def announce_opened_shelter(event) -> None:
    from toki.shelters.announce import announce_opening

    announce_opening(event.ids["opening_id"])
