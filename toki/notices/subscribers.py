"""What the notices app does when its own events are committed (toki.events, ADR 0007, 0008): a notice published
for the first time is pushed to the subscribers of its districts who chose city notices, through notify's
Announcement. Idempotent (one Notification per notice), so a redelivery or an edit sends nothing twice."""

from toki.events.registry import subscriber


@subscriber("notices.public_notice_changed", app="notices")
def announce_published_notice(event) -> None:
    from toki.notices.announce import announce_notice

    announce_notice(event.ids["notice_id"])
