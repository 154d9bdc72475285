"""`shelter_opening_changed` is sent after the commit of every change to a shelter opening that others show:
opened, status (開設 / 満員 / 閉鎖), crowding (空き / 混雑 / 満員, computed or set), confirmation.

Arguments: `sender` (the ShelterOpening class), `opening_id` (int), `change` (one of CHANGES). Connected by the
portal (the static 軽量版 republishes) and by the integrator to the HQ chronology; this app never imports them
(ADR 0005). Receivers must be quick and must not raise: enqueue, don't work.
"""

from django.db import transaction
from django.dispatch import Signal

shelter_opening_changed = Signal()

CHANGES = ("opened", "status", "crowding", "confirmed", "closed")


def announce_on_commit(opening_id: int, change: str) -> None:
    from toki.shelters.models import ShelterOpening

    assert change in CHANGES, change
    transaction.on_commit(lambda: shelter_opening_changed.send(sender=ShelterOpening, opening_id=opening_id,
                                                               change=change))
