"""What fares announces (toki.events, ADR 0007). Ids only: rides (selling its rides through fares) and the KPI
refresh may subscribe."""

from toki.events.registry import declare

RESIDENCY_VERIFIED = declare("fares.residency_verified", ids=("holder_id",),
                             doc="a holder's residency was verified, re-verified or approved (準住民)")
PURCHASE_PAID = declare("fares.purchase_paid", ids=("purchase_id",), doc="a purchase was paid and its pass issued")
PURCHASE_REFUNDED = declare("fares.purchase_refunded", ids=("purchase_id",),
                            doc="a purchase was refunded and its pass revoked")
