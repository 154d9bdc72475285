"""Domain events (ADR 0007): an action publishes what changed, as an outbox row in its own transaction; after the
commit each subscriber runs as its own idempotent task; `events_sweep` redelivers whatever a crash left behind.

    from toki.events.outbox import publish
    publish("alerts.alert_published", municipality_id=alert.municipality_id, alert_id=alert.pk)

Apps declare what they announce in `<app>/events.py` (`toki.events.registry.declare`) and what they do when
others change in `<app>/subscribers.py` (`toki.events.registry.subscriber`); both are imported at start-up.
"""
