"""What the alerts app does when its own events are committed (toki.events, ADR 0007, 0008): a published Alert is
announced to subscribers through notify (LINE and other channels; drills and tests to the test audience). Runs in
its own task after the alert's commit; announcing is idempotent and resumable (one Notification per alert), so a
redelivery after a crash carries on where the dead planner stopped. notify imports no producer: the producer's
subscriber hands it an Announcement."""

from toki.events.registry import subscriber


@subscriber("alerts.alert_published", app="alerts")
def announce_published_alert(event) -> None:
    from toki.alerts.announce import announce_alert

    announce_alert(event.ids["alert_id"])
