"""The evacuation orders in force as residents must see them first on every public page: one card per order
issued (the districts staff issued it for together), with the level's colour, what to do now, the districts, the
time, the reason staff typed, and the shelters open in those districts with their address and a directions link.

One presenter for every surface: the dynamic pages get the cards through the context processor
(toki.portal.context_processors), the 軽量版 from the rows its snapshot already loaded (toki.portal.static_site).
Which open shelters a card offers is decided in `shelters_for_card` alone, so that a hazard-aware finder can
replace it in one place.
"""

from django.utils import translation

from toki.alerts.in_force import order_words
from toki.alerts.rendering.lang import Lang
from toki.alerts.selectors import orders_in_force
from toki.lib.geo import directions_url
from toki.lib.place_names import local_name
from toki.portal.presenters import open_shelter_rows
from toki.shelters.selectors import public_shelters


def order_cards_now(municipality) -> list[dict]:
    """The cards for the orders in force now, in the active language: the orders, the open shelters and, when
    some are open, their master rows (toki.portal.live tells the pages first whether any order is in force)."""
    if municipality is None:
        return []
    orders = list(orders_in_force(municipality))
    if not orders:
        return []
    open_rows = open_shelter_rows(municipality)
    sites = public_shelters(municipality).filter(pk__in=[row["shelter_id"] for row in open_rows]) if open_rows else []
    return order_cards(orders, open_rows, {site.pk: site for site in sites})


def order_cards(orders: list, open_rows: list[dict], sites: dict) -> list[dict]:
    """Cards for `orders` (EvacuationOrder rows with their district), highest level first, newest first; `open_rows`
    are presenters.open_shelter_rows, `sites` the Shelter rows of those, by id (for address and hazards)."""
    language = translation.get_language() or "ja"
    issued_together: dict = {}
    for order in orders:
        issued_together.setdefault(order.issue_alert_id, []).append(order)
    cards = [_card(group, open_rows, sites, language) for group in issued_together.values()]
    return sorted(cards, key=lambda card: (-card["level"], -card["issued_at"].timestamp()))


def _card(orders: list, open_rows: list[dict], sites: dict, language: str) -> dict:
    first = orders[0]
    words = order_words(first, language)
    district_ids = {order.district_id for order in orders}
    districts = [local_name(order.district) for order in orders]
    return {
        "level": first.level,
        "name": words.name,
        "action": words.action,
        "hazard": words.hazard,
        "districts": districts,
        "districts_text": Lang(language).join(districts),
        "district_codes": [order.district.code for order in orders],
        "issued_at": first.issued_at,
        "issued": words.issued,
        "reason": first.reason,
        "reason_label": words.reason_label,
        "shelters": shelters_for_card(district_ids, first.hazard, open_rows, sites),
    }


def shelters_for_card(district_ids: set, hazard: str, open_rows: list[dict], sites: dict) -> list[dict]:
    """The shelters open now in the card's districts, those designated for the order's hazard first, then as
    open_shelter_rows orders them (open before full). `designated` is None when the master says nothing of the
    hazard (an order for "other")."""
    shown = []
    for row in open_rows:
        site = sites.get(row["shelter_id"])
        if site is None or site.district_id not in district_ids:
            continue
        designated = getattr(site, f"hazard_{hazard}", None)
        shown.append({**row, "address": site.address, "designated": designated,
                      "directions_url": directions_url(row["lat"], row["lon"])})
    return sorted(shown, key=lambda row: row["designated"] is False)
