"""How a page left open learns that what it shows is out of date: a version of the public situation (alerts and
evacuation orders, the disaster-mode switch, the shelters open), cheap enough to poll.

The public pages carry the version they were rendered with (templates/base.html); static/js/live-refresh.js polls
/live.json and, when the version differs, fetches the page again and swaps in its evacuation-order region. One
query, which also brings the disaster-mode switch and says whether any order is in force: a public page with no
order in force costs no more queries than before the orders were shown on every page.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Subquery

from toki.alerts.models import Alert, EvacuationOrder
from toki.areas.models import Municipality
from toki.portal.models import SiteMode
from toki.shelters.models import ShelterOpening


@dataclass(frozen=True, slots=True)
class PublicState:
    version: str  # changes whenever a public alert or order is issued or lifted, the mode or a shelter changes
    orders_in_force: int  # real (not drill) evacuation orders in force
    mode: SiteMode | None = None  # the disaster-mode switch when it is on (its messages), as site_mode reads it


def public_state(municipality) -> PublicState:
    if municipality is None:
        return PublicState(version="none", orders_in_force=0)
    orders = (EvacuationOrder.objects.filter(municipality=OuterRef("pk"), lifted_at=None, is_drill=False)
              .order_by().values("municipality").annotate(n=Count("pk")).values("n"))
    mode = SiteMode.objects.filter(municipality=OuterRef("pk"))
    row: Mapping[str, Any] = Municipality.objects.filter(pk=municipality.pk).values(
        last_alert=Subquery(Alert.objects.filter(municipality=OuterRef("pk"), status=Alert.Status.ACTUAL)
                            .order_by("-pk").values("pk")[:1]),
        orders=Subquery(orders),
        mode_on=Subquery(mode.values("disaster_mode")[:1]),
        mode_message=Subquery(mode.values("message")[:1]),
        mode_message_en=Subquery(mode.values("message_en")[:1]),
        mode_changed=Subquery(mode.values("changed_at")[:1]),
        shelters_changed=Subquery(ShelterOpening.objects.filter(shelter__municipality=OuterRef("pk"))
                                  .order_by("-updated_at").values("updated_at")[:1]),
    ).first() or {}
    parts = "|".join(str(row.get(key)) for key in ("last_alert", "orders", "mode_changed", "shelters_changed"))
    switched_on = None
    if row.get("mode_on"):
        switched_on = SiteMode(municipality=municipality, disaster_mode=True, message=row["mode_message"] or "",
                               message_en=row["mode_message_en"] or "", changed_at=row["mode_changed"])
    return PublicState(version=hashlib.sha256(parts.encode()).hexdigest()[:16],
                       orders_in_force=row.get("orders") or 0, mode=switched_on)
