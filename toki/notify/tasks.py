"""notify's background tasks: JSON ids only, never addresses (DESIGN.md rule 12)."""

from toki.lib.tasks import task


@task
def send_batch(batch_id: int) -> str:
    from toki.notify.actions.sending import send_batch as send

    return send(batch_id)


@task
def send_batches(batch_ids: list[int]) -> dict[str, int]:
    """A group of batches as planning readies them, sent concurrently (NOTIFY_SEND_THREADS)."""
    from toki.notify.actions.sending import send_batches as send

    return send(batch_ids)
