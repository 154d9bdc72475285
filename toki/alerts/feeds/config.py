"""The poller's settings, each with its default (docs/jma-feeds.md lists them; docs/settings.md the variables).

Read at call time, so `override_settings` in tests and a changed setting take effect without a restart.
"""

from django.conf import settings

from toki.alerts.feeds.http import DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, MAX_FEED_BYTES, MAX_TELEGRAM_BYTES

JMA_FEED_BASE = "https://www.data.jma.go.jp/developer/xml/feed/"
DEFAULT_FEEDS = [f"{JMA_FEED_BASE}extra.xml", f"{JMA_FEED_BASE}eqvol.xml"]
DEFAULT_LONG_FEEDS = [f"{JMA_FEED_BASE}extra_l.xml", f"{JMA_FEED_BASE}eqvol_l.xml"]
DEFAULT_POLL_INTERVAL = 60  # seconds: the high-frequency feeds change every minute
DEFAULT_POLL_SECOND = 20  # poll at second :20 of each interval (reference §1)
DEFAULT_BACKFILL_AFTER = 600  # the high-frequency feeds list at least the last 10 minutes


def feeds() -> list[str]:
    """The high-frequency feeds polled every interval."""
    return list(getattr(settings, "TOKI_JMA_FEEDS", DEFAULT_FEEDS))


def long_feeds() -> list[str]:
    """The long feeds (several days), read for back-fill after downtime."""
    return list(getattr(settings, "TOKI_JMA_LONG_FEEDS", DEFAULT_LONG_FEEDS))


def timeout() -> float:
    return float(getattr(settings, "TOKI_JMA_TIMEOUT", DEFAULT_TIMEOUT))


def user_agent() -> str:
    return str(getattr(settings, "TOKI_JMA_USER_AGENT", DEFAULT_USER_AGENT) or DEFAULT_USER_AGENT)


def max_feed_bytes() -> int:
    return int(getattr(settings, "TOKI_JMA_MAX_FEED_BYTES", MAX_FEED_BYTES))


def max_telegram_bytes() -> int:
    return int(getattr(settings, "TOKI_JMA_MAX_TELEGRAM_BYTES", MAX_TELEGRAM_BYTES))


def poll_interval() -> float:
    return float(getattr(settings, "TOKI_JMA_POLL_INTERVAL", DEFAULT_POLL_INTERVAL))


def poll_second() -> float:
    return float(getattr(settings, "TOKI_JMA_POLL_SECOND", DEFAULT_POLL_SECOND))


def backfill_after() -> float:
    """Seconds without a successful poll of the high-frequency feeds after which the long feeds are read."""
    return float(getattr(settings, "TOKI_JMA_BACKFILL_AFTER", DEFAULT_BACKFILL_AFTER))
