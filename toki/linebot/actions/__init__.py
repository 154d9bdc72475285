"""The LINE conversation's own changes (DESIGN.md rule 2); changes to subscribers go through
`toki.notify.actions.subscriptions`:

- `webhook`: store each webhook event once (dedupe on webhookEventId) and enqueue its handling;
- (the default rich menu follows disaster mode: `toki/linebot/subscribers.py`, on `portal.disaster_mode_changed`).
"""
