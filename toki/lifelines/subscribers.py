"""What the lifelines app does when its own events are committed (toki.events, ADR 0007, 0008): a status change
is pushed to the subscribers of the lifeline's district who chose lifelines, through notify's Announcement.
Idempotent (one Notification per report), so a redelivery after a crash sends nothing twice."""

from toki.events.registry import subscriber


@subscriber("lifelines.lifelines_changed", app="lifelines")
def announce_lifeline_news(event) -> None:
    from toki.lifelines.announce import announce_news

    announce_news(event.ids["lifeline_ids"])
