"""Background work of the HQ app (JSON arguments only, DESIGN.md rule 6)."""

from toki.lib.tasks import task


@task
def chronicle_shelter_opening_task(opening_id: int, change: str) -> int:
    from toki.hq.actions.feeds import chronicle_shelter_opening

    return chronicle_shelter_opening(opening_id, change)
