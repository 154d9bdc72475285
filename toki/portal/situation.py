"""What is in force now, for the home page: the city's evacuation orders and the warnings for the municipality,
worded in the reader's language by the alerts renderer, and how fresh Toki's copy of the JMA feeds is."""

from datetime import timedelta

from django.utils import timezone, translation

from toki.alerts.in_force import warning_titles
from toki.alerts.selectors import last_feed_success, orders_in_force

# JMA's high-frequency feeds change every minute; a copy older than this is not "now" any more.
FEED_STALE_AFTER = timedelta(minutes=5)


def situation(municipality) -> dict:
    orders = list(orders_in_force(municipality))
    levels = sorted({o.level for o in orders}, reverse=True)
    last_success = last_feed_success()
    return {
        "order_groups": [
            {"level": level, "orders": [o for o in orders if o.level == level]} for level in levels
        ],
        "warning_titles": warning_titles(municipality, translation.get_language() or "ja"),
        "feed_last_success": last_success,
        "feed_is_fresh": bool(last_success and timezone.now() - last_success < FEED_STALE_AFTER),
    }
