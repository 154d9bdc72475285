"""The one way Toki opens the LINE Messaging API: line-bot-sdk v3 pointed at the hosts in settings.

`LINE_API_BASE_URL` serves api.line.me's operations and `LINE_API_DATA_BASE_URL` the api-data.line.me ones (rich
menu images, content). Tests point both at the local LINE server (toki.notify.line.localserver). The SDK uses
`Configuration.host` for every operation when it is set, so each host gets its own client.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from linebot.v3.insight import Insight
    from linebot.v3.messaging import ApiClient, MessagingApi, MessagingApiBlob

# line-bot-sdk takes seconds to import (generated classes): it is imported when first used, so web processes,
# which only enqueue webhook events, never load it (task workers load it at start, toki/notify/apps.py).


def is_configured() -> bool:
    """Whether Toki can call the Messaging API (an access token is set)."""
    return bool(settings.LINE_CHANNEL_ACCESS_TOKEN)


@lru_cache(maxsize=8)
def api_client(host: str, token: str, package: str = "messaging") -> "ApiClient":
    """One SDK client (and its urllib3 connection pool, which is thread-safe) per process, host/token and SDK
    package (`messaging`, or `insight` for the follower statistics), shared by the delivery transport, webhook
    replies, the rich menu commands and the KPI figures.

    urllib3 never retries: a retried multicast or reply could reach LINE twice; the outbox retries itself, with
    backoff and the same X-Line-Retry-Key (docs/notify.md)."""
    sdk = import_module(f"linebot.v3.{package}")
    configuration = sdk.Configuration(access_token=token, host=host)
    configuration.retries = False
    configuration.connection_pool_maxsize = 32  # ≥ the threads that send at once (NOTIFY_SEND_THREADS)
    return sdk.ApiClient(configuration)


def request_timeout() -> int:
    """Seconds to wait for LINE; pass as `_request_timeout=` to every SDK call."""
    return settings.LINE_API_TIMEOUT


@contextmanager
def messaging_api() -> Iterator["MessagingApi"]:
    """`MessagingApi` on LINE_API_BASE_URL (reply, push, multicast, rich menus, …)."""
    from linebot.v3.messaging import MessagingApi

    yield MessagingApi(api_client(settings.LINE_API_BASE_URL, settings.LINE_CHANNEL_ACCESS_TOKEN))


@contextmanager
def messaging_blob_api() -> Iterator["MessagingApiBlob"]:
    """`MessagingApiBlob` on LINE_API_DATA_BASE_URL (rich menu images)."""
    from linebot.v3.messaging import MessagingApiBlob

    yield MessagingApiBlob(api_client(settings.LINE_API_DATA_BASE_URL, settings.LINE_CHANNEL_ACCESS_TOKEN))


@contextmanager
def insight_api() -> Iterator["Insight"]:
    """LINE's Insight API on LINE_API_BASE_URL (the number of followers and blocks per day)."""
    from linebot.v3.insight import Insight

    yield Insight(api_client(settings.LINE_API_BASE_URL, settings.LINE_CHANNEL_ACCESS_TOKEN, "insight"))
