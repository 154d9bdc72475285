"""What takes the tablet's screen: the evacuation orders in force for the household's district and the warnings
(警報, 特別警報) in force for the municipality, read through the alerts app's selectors and worded by its
renderer (the same words as LINE and CAP). Advisories (注意報) do not take the screen.

`district_alerts` is the same for every household of a district, so it is kept in the cache for
POLL_CACHE_SECONDS: 3,000 tablets polling every 30 s compute it about once per district per window."""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache

from toki.alerts.in_force import order_words, titles_of_states
from toki.alerts.selectors import orders_in_force, public_warnings_in_force

# 警戒レベル colours (内閣府 guideline: Lv5 black, Lv4 purple, Lv3 red), darkened where needed for 7:1 with white.
LEVEL_CLASS = {5: "level-5", 4: "level-4", 3: "level-3"}


def _warning_level(kind_name: str) -> int | None:
    if "特別警報" in kind_name:
        return 5
    if kind_name.endswith("警報"):
        return 3
    return None


def compute_district_alerts(municipality, district_id: int, language: str) -> list[dict]:
    alerts: list[dict] = []
    for order in orders_in_force(municipality).filter(district_id=district_id):
        words = order_words(order, language)
        alerts.append({"key": f"order:{order.pk}", "kind": "order", "level": int(order.level),
                       "css": LEVEL_CLASS.get(int(order.level), "level-3"), "title": words.name,
                       "action": words.action, "hazard": words.hazard, "issued": words.issued})
    states = [s for s in public_warnings_in_force(municipality) if _warning_level(s.kind_name)]
    for alert_id in dict.fromkeys(s.alert_id for s in states):
        own = [s for s in states if s.alert_id == alert_id]
        level = max(_warning_level(s.kind_name) or 3 for s in own)
        for title in titles_of_states(own, language)[:1]:
            alerts.append({"key": f"alert:{alert_id}", "kind": "warning", "level": level,
                           "css": LEVEL_CLASS[level], "title": title,
                           "action": "、".join(dict.fromkeys(s.kind_name for s in own)), "hazard": "",
                           "issued": ""})
    alerts.sort(key=lambda a: -int(a["level"]))
    return alerts


def district_alerts(household, language: str) -> list[dict]:
    """The alerts for `household`'s district, from the cache when another tablet of the district asked within
    POLL_CACHE_SECONDS (the municipality is read only when they are computed)."""
    seconds = settings.TOKI_COMMUNITY_POLL_CACHE_SECONDS
    key = f"community:alerts:{household.municipality_id}:{household.district_id}:{language}"
    found = cache.get(key) if seconds else None
    if found is None:
        found = compute_district_alerts(household.municipality, household.district_id, language)
        if seconds:
            cache.set(key, found, seconds)
    return found


def latest_item(household) -> int | None:
    """The newest item addressed to the household, shared in the cache by every household of the same 自治会 and
    班 for POLL_CACHE_SECONDS (so an unchanged poll reads only its device)."""
    from toki.community.selectors import latest_item_id

    seconds = settings.TOKI_COMMUNITY_POLL_CACHE_SECONDS
    key = f"community:latest:{household.municipality_id}:{household.jichikai_id}:{household.han_id}"
    found = cache.get(key) if seconds else None
    if found is None:
        found = {"id": latest_item_id(household)}
        if seconds:
            cache.set(key, found, seconds)
    return found["id"]


def poll_body(alerts: list[dict], *, latest_item: int | None, watch_message: bool) -> tuple[bytes, str]:
    """The poll's JSON and its ETag (a hash of the JSON: an unchanged state gives the same tag)."""
    body = json.dumps({"alerts": alerts, "latest_item": latest_item, "watch_message": watch_message},
                      ensure_ascii=False, separators=(",", ":")).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
