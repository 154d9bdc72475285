"""The poller's settings (defaults and environment variables in toki/settings.py and docs/settings.md).

Read at call time, so `override_settings` in tests and a changed setting take effect without a restart.
"""

from django.conf import settings


def feeds() -> list[str]:
    """The high-frequency feeds polled every interval."""
    return list(settings.TOKI_JMA_FEEDS)


def long_feeds() -> list[str]:
    """The long feeds (several days), read for back-fill after downtime."""
    return list(settings.TOKI_JMA_LONG_FEEDS)


def timeout() -> float:
    return float(settings.TOKI_JMA_TIMEOUT)


def user_agent() -> str:
    return settings.TOKI_JMA_USER_AGENT


def max_feed_bytes() -> int:
    return int(settings.TOKI_JMA_MAX_FEED_BYTES)


def max_telegram_bytes() -> int:
    return int(settings.TOKI_JMA_MAX_TELEGRAM_BYTES)


def poll_interval() -> float:
    return float(settings.TOKI_JMA_POLL_INTERVAL)


def poll_second() -> float:
    return float(settings.TOKI_JMA_POLL_SECOND)


def backfill_after() -> float:
    """Seconds without a successful poll of the high-frequency feeds after which the long feeds are read."""
    return float(settings.TOKI_JMA_BACKFILL_AFTER)
