"""The one way Toki opens the LINE Messaging API: line-bot-sdk v3 pointed at the hosts in settings.

`LINE_API_BASE_URL` serves api.line.me's operations and `LINE_API_DATA_BASE_URL` the api-data.line.me ones (rich
menu images, content). Tests point both at the local LINE server (toki.notify.line.localserver). The SDK uses
`Configuration.host` for every operation when it is set, so each host gets its own client.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from linebot.v3.messaging import Configuration, MessagingApi, MessagingApiBlob

# line-bot-sdk takes seconds to import (generated classes): it is imported when first used, so web processes,
# which only enqueue webhook events, never load it (task workers load it at start, toki/notify/apps.py).


def is_configured() -> bool:
    """Whether Toki can call the Messaging API (an access token is set)."""
    return bool(settings.LINE_CHANNEL_ACCESS_TOKEN)


def _configuration(host: str) -> "Configuration":
    from linebot.v3.messaging import Configuration

    return Configuration(access_token=settings.LINE_CHANNEL_ACCESS_TOKEN, host=host)


def request_timeout() -> int:
    """Seconds to wait for LINE; pass as `_request_timeout=` to every SDK call."""
    return settings.LINE_API_TIMEOUT


@contextmanager
def messaging_api() -> Iterator["MessagingApi"]:
    """`MessagingApi` on LINE_API_BASE_URL (reply, push, multicast, rich menus, …)."""
    from linebot.v3.messaging import ApiClient, MessagingApi

    with ApiClient(_configuration(settings.LINE_API_BASE_URL)) as client:
        yield MessagingApi(client)


@contextmanager
def messaging_blob_api() -> Iterator["MessagingApiBlob"]:
    """`MessagingApiBlob` on LINE_API_DATA_BASE_URL (rich menu images)."""
    from linebot.v3.messaging import ApiClient, MessagingApiBlob

    with ApiClient(_configuration(settings.LINE_API_DATA_BASE_URL)) as client:
        yield MessagingApiBlob(client)
