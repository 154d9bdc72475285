"""The one task of the events app: deliver one event to one subscriber (JSON ids only)."""

from toki.lib.tasks import task


@task
def deliver_event(event_id: int, subscriber: str) -> str:
    from toki.events.outbox import deliver

    return deliver(event_id, subscriber)
