"""Background work of the alerts app: JSON arguments (ids) only, each calling an action."""

from toki.lib.tasks import task


@task()
def process_telegram(telegram_id: int) -> None:
    """Apply a stored telegram to the alert state (idempotent: a processed telegram is skipped)."""
    from toki.alerts.actions.state import apply_telegram

    apply_telegram(telegram_id)
