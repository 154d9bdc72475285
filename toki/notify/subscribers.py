"""What notify does when other apps change (toki.events, ADR 0007): a published Alert is planned for delivery
(LINE and other channels; drills and tests to the test audience). Runs in its own task after the alert's commit;
planning is idempotent and resumable (one Notification per alert), so a redelivery after a crash carries on
where the dead planner stopped."""

from toki.events.registry import subscriber


@subscriber("alerts.alert_published", app="notify")
def plan_alert_deliveries(event) -> None:
    from toki.notify.actions.planning import plan_alert

    plan_alert(event.ids["alert_id"])
