"""LINE Messaging API transport: one multicast per batch (at most 500 user ids), with the batch's
X-Line-Retry-Key on every attempt, through line-bot-sdk v3 (`linebot.v3.messaging`).

Outcomes (docs/notify.md, reference line.md §4–5):
- 200 → accepted; 409 → accepted too (LINE already accepted this retry key: the message went out once);
- 429 → retry later, except the monthly quota ("You have reached your monthly limit."): failed, an operator
  must act; 5xx, timeouts and broken connections → retry later with the same key;
- any other 4xx (bad token, invalid message) → failed: sending it again cannot help.
Hosts come from settings (LINE_API_BASE_URL): tests and benchmarks use the local LINE server. The request goes
through the SDK's ApiClient directly (see `LineTransport.send`), as `multicast_with_http_info` would send it.
"""

import hashlib
import json
import logging
from typing import Any

import urllib3
from django.conf import settings

from toki.lib.text import cut, text_length
from toki.notify.channels import ChannelTransport, Content, Outcome, SendResult
from toki.notify.line.client import api_client
from toki.notify.models import Channel

logger = logging.getLogger(__name__)

MULTICAST_MAX = 500  # `to` 1..500 in the OpenAPI spec
MULTICAST_PATH = "/v2/bot/message/multicast"
# As MessagingApi.multicast_with_http_info declares them (line-bot-sdk 3.27).
MULTICAST_RESPONSE_TYPES = {"200": "object", "400": "ErrorResponse", "403": "ErrorResponse",
                            "409": "ErrorResponse", "429": "ErrorResponse"}
QUOTA_MESSAGE = "monthly limit"
TEXT_LIMIT = 5000  # characters (UTF-16 code units) of one text message, LINE's limit


def _header(headers, name: str) -> str:
    if not headers:
        return ""
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _retry_after(headers) -> float | None:
    value = _header(headers, "Retry-After").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _error_message(body) -> str:
    """LINE's error `message` (never the recipients: the response body holds none)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    try:
        message = json.loads(body or "{}").get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return str(message)[:200]


class LineTransport(ChannelTransport):
    channel = Channel.LINE
    batch_size = MULTICAST_MAX

    def __init__(self, *, host: str, token: str, timeout: int):
        self.host, self.token, self.timeout = host, token, timeout

    @classmethod
    def from_settings(cls) -> "LineTransport":
        return cls(host=settings.LINE_API_BASE_URL, token=settings.LINE_CHANNEL_ACCESS_TOKEN,
                   timeout=settings.LINE_API_TIMEOUT)

    def is_configured(self) -> bool:
        return bool(self.token)

    def render(self, content: Content) -> list[dict]:
        """One text message: the full text in the reader's language (what, where, what to do), then the link.
        Its first line is the title, which is what the lock screen shows."""
        link = f"\n\n{content.url}" if content.url else ""
        text = cut(content.body, TEXT_LIMIT - text_length(link)) + link
        return [{"type": "text", "text": text}]

    def send(self, addresses: list[str], messages: list[dict], *, retry_key: str) -> SendResult:
        """One multicast through the SDK's ApiClient (auth, headers, urllib3 pool, ApiException), without its
        pydantic request model: validating and serialising 500 ids through it twice cost about 10 ms of CPU per
        request, more than everything else a worker does. The message objects are still checked against the
        SDK's models (they are few); the ids are LINE user ids from follow events."""
        from linebot.v3.messaging import ApiException, Message, MessagingApi

        for message in messages:
            Message.from_dict(message)  # raises for a message the SDK would refuse to send
        body = {"to": list(addresses), "messages": messages}
        encoded = json.dumps(body).encode()  # what the SDK's REST client sends (json.dumps of the body)
        sha, size = hashlib.sha256(encoded).hexdigest(), len(encoded)
        api = MessagingApi(api_client(self.host, self.token))
        headers = {"X-Line-Retry-Key": str(retry_key), "Accept": "application/json",
                   "Content-Type": "application/json"}
        try:
            response = api.api_client.call_api(
                MULTICAST_PATH, "POST", {}, [], headers, body=body, post_params=[], files={},
                response_types_map=MULTICAST_RESPONSE_TYPES, auth_settings=["Bearer"],
                _return_http_data_only=False, _preload_content=True, _request_timeout=self.timeout,
                _host=api.line_base_path, collection_formats={})
        except ApiException as error:
            return self._refused(error, sha, size)
        except (urllib3.exceptions.HTTPError, OSError) as error:
            return SendResult(Outcome.RETRY, error=f"connection: {type(error).__name__}"[:200],
                              body_sha256=sha, body_size=size)
        return SendResult(Outcome.ACCEPTED, status=response.status_code,
                          request_id=_header(response.headers, "x-line-request-id"), body_sha256=sha, body_size=size)

    def _refused(self, error, sha: str, size: int) -> SendResult:
        status = error.status or None
        message = _error_message(error.body)
        common: dict[str, Any] = {"status": status, "body_sha256": sha, "body_size": size}
        if status == 409:
            # The retry key was accepted before (a retry after a lost answer, or after a worker died).
            return SendResult(Outcome.ACCEPTED, request_id=_header(error.headers, "x-line-accepted-request-id"),
                              error="409: accepted earlier", **common)
        if status == 429 and QUOTA_MESSAGE in message.lower():
            logger.error("LINE monthly message quota reached: deliveries fail until the plan allows more")
            return SendResult(Outcome.FAILED, error=f"429 quota: {message}", **common)
        if status == 429 or status is None or status >= 500:
            return SendResult(Outcome.RETRY, error=f"{status or 'error'}: {message or error.reason}"[:200],
                              retry_after=_retry_after(error.headers), **common)
        return SendResult(Outcome.FAILED, error=f"{status}: {message or error.reason}"[:200], **common)
