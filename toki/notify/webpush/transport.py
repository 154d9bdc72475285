"""Web Push transport (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291, RFC 8188),
through pywebpush (its WebPusher encrypts: http_ece; VAPID: py-vapid), POSTed with urllib3. docs/webpush.md.

A batch is a list of subscriptions (Subscriber.address: the subscription JSON, toki.notify.webpush.subscription);
Web Push has one request per subscription, so `send` makes one POST each, TOKI_WEBPUSH_THREADS at a time (a bounded
pool: the push services answer in tens of milliseconds, and a batch of 100 one after the other would take seconds).
Every request carries `TTL` (TOKI_WEBPUSH_TTL), `Urgency` (high for evacuation orders, normal otherwise) and a
`Topic` derived from the batch's retry key: a repeat of the same message replaces a copy the push service still
holds for an offline browser instead of adding a second one.

Outcomes per subscription (reported to the outbox in one SendResult, channels.SendResult):
- 201/202 → accepted;
- 404/410 → gone (the browser unsubscribed or the subscription expired): the delivery fails and the outbox
  deactivates the subscriber;
- 429, 5xx, timeout, broken connection → retry later (Retry-After when the service gave one);
- any other 4xx (400 bad request, 401/403 VAPID refused, 413 payload too large) → failed.
The transport never touches the database.
"""

import hashlib
import json
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import urllib3
from django.conf import settings
from pywebpush import WebPusher, WebPushException

from toki.lib.text import cut
from toki.notify.channels import ChannelTransport, Content, Outcome, SendResult
from toki.notify.models import Category, Channel
from toki.notify.webpush import vapid
from toki.notify.webpush.subscription import from_address

logger = logging.getLogger(__name__)

BATCH_SIZE = 100  # subscriptions per outbox batch (one request each)
# Push services accept 4096 bytes of encrypted payload (RFC 8030 §7.2); aes128gcm adds 86 bytes of header, 16 of
# tag and 1 of padding delimiter. The JSON is kept below this by shortening the body.
PAYLOAD_MAX = 4096 - 86 - 16 - 1
HIGH_URGENCY = {Category.EVACUATION_ORDERS}
GONE = (404, 410)
ENVELOPE = ("title", "short", "body", "url", "category", "key", "kind")


def _payload(message: dict) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def topic(retry_key: str) -> str:
    """RFC 8030 §5.4: at most 32 characters of the base64url alphabet; the retry key's hex (a UUID) is one."""
    return uuid.UUID(str(retry_key)).hex


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class _One:
    address: str
    outcome: Outcome
    status: int | None
    error: str = ""
    retry_after: float | None = None
    gone: bool = False


class WebPushTransport(ChannelTransport):
    channel = Channel.WEBPUSH
    batch_size = BATCH_SIZE
    plans_while_unconfigured = False  # no VAPID key, nothing can be signed: planning leaves web push out

    def __init__(self, *, private_key: str, subject: str, ttl: int, timeout: int, threads: int):
        self.private_key, self.subject = private_key, subject
        self.ttl, self.timeout, self.threads = ttl, timeout, max(1, threads)
        self._signer: vapid.Signer | None = None
        self._pool: urllib3.PoolManager | None = None

    @classmethod
    def from_settings(cls) -> "WebPushTransport":
        return cls(private_key=settings.TOKI_WEBPUSH_VAPID_PRIVATE_KEY, subject=settings.TOKI_WEBPUSH_VAPID_SUBJECT,
                   ttl=settings.TOKI_WEBPUSH_TTL, timeout=settings.TOKI_WEBPUSH_TIMEOUT,
                   threads=settings.TOKI_WEBPUSH_THREADS)

    def is_configured(self) -> bool:
        if not (self.private_key and self.subject):
            return False
        try:
            self.signer()
        except vapid.NotConfigured as error:
            logger.error("web push: %s", error)
            return False
        return True

    def signer(self) -> vapid.Signer:
        if self._signer is None:
            self._signer = vapid.Signer(vapid.load(self.private_key), self.subject)
        return self._signer

    def render(self, content: Content) -> list[dict]:
        """One message: the JSON payload a service worker shows (docs/webpush.md, "The payload"). The body is
        shortened when the whole would not fit a push message."""
        message = {"title": content.title, "short": content.short, "body": content.body, "url": content.url,
                   "category": content.category, "key": content.key, "kind": content.kind}
        message.update({k: v for k, v in content.extra.items() if k not in ENVELOPE})
        over = len(_payload(message)) - PAYLOAD_MAX
        while over > 0 and message["body"]:
            # Cut by characters; a character is at most 4 bytes in UTF-8 (6 when JSON-escaped: never here).
            message["body"] = cut(message["body"], max(0, len(message["body"]) - max(1, over // 4)))
            over = len(_payload(message)) - PAYLOAD_MAX
        return [message]

    def urgency(self, message: dict) -> str:
        return "high" if message.get("category") in HIGH_URGENCY else "normal"

    def pool(self) -> urllib3.PoolManager:
        """One connection pool for every sending thread (keep-alive to each push service; urllib3 is thread-safe)."""
        if self._pool is None:
            self._pool = urllib3.PoolManager(num_pools=8, maxsize=self.threads, block=False, retries=False,
                                             timeout=urllib3.Timeout(total=self.timeout))
        return self._pool

    def send(self, addresses: list[str], messages: list[dict], *, retry_key: str) -> SendResult:
        """POST the message to every subscription of the batch, at most `threads` at once."""
        if len(messages) != 1:
            return SendResult(Outcome.FAILED, error=f"web push sends one message, not {len(messages)}")
        data = _payload(messages[0])
        headers = {"Urgency": self.urgency(messages[0]), "Topic": topic(retry_key)}
        sha, size = hashlib.sha256(data).hexdigest(), len(data)
        if len(addresses) <= 1 or self.threads == 1:
            results = [self.send_one(address, data, headers) for address in addresses]
        else:
            with ThreadPoolExecutor(max_workers=min(self.threads, len(addresses)),
                                    thread_name_prefix="webpush") as pool:
                results = list(pool.map(lambda address: self.send_one(address, data, headers), addresses))
        return summarise(results, sha, size)

    def send_one(self, address: str, data: bytes, headers: dict) -> _One:
        """Encrypt for the subscription (pywebpush: RFC 8291 aes128gcm) and POST it (urllib3, as pywebpush's own
        `send` would through requests, without requests' per-request overhead: a third of the CPU per message)."""
        try:
            subscription = from_address(address)
            body = WebPusher(subscription.as_info()).encode(data, "aes128gcm")["body"]
        except (ValueError, WebPushException) as error:  # not a subscription, or keys the library refuses
            return _One(address, Outcome.FAILED, None, f"subscription: {type(error).__name__}")
        request_headers = {**headers, **self.signer().headers(subscription.origin), "TTL": str(self.ttl),
                           "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream"}
        try:
            response = self.pool().request("POST", subscription.endpoint, body=body, headers=request_headers,
                                           redirect=False)
        except (urllib3.exceptions.HTTPError, OSError) as error:
            return _One(address, Outcome.RETRY, None, f"connection: {type(error).__name__}")
        status = response.status
        if status in (200, 201, 202):
            return _One(address, Outcome.ACCEPTED, status)
        reason = f"{status}: {response.reason or ''}".strip()[:200]
        if status in GONE:
            return _One(address, Outcome.FAILED, status, reason, gone=True)
        if status == 429 or status >= 500:
            return _One(address, Outcome.RETRY, status, reason, _retry_after(response.headers.get("Retry-After")))
        return _One(address, Outcome.FAILED, status, reason)


def summarise(results: list[_One], sha: str, size: int) -> SendResult:
    """The batch's SendResult: the addresses settled on their own (accepted while others wait for a retry,
    failed, gone) are listed; `outcome` is what happened to the rest."""
    common: dict[str, Any] = {"body_sha256": sha, "body_size": size}
    by_outcome: dict[Outcome, list[_One]] = {outcome: [] for outcome in Outcome}
    for one in results:
        by_outcome[one.outcome].append(one)
    gone = tuple(one.address for one in by_outcome[Outcome.FAILED] if one.gone)
    failed = tuple(one.address for one in by_outcome[Outcome.FAILED] if not one.gone)
    first_error = next((one for one in by_outcome[Outcome.FAILED]), None)
    if retry := by_outcome[Outcome.RETRY]:
        waits = [one.retry_after for one in retry if one.retry_after is not None]
        return SendResult(Outcome.RETRY, status=retry[0].status,
                          error=f"{len(retry)} of {len(results)} to retry; {retry[0].error}"[:200],
                          retry_after=max(waits) if waits else None,
                          accepted=tuple(one.address for one in by_outcome[Outcome.ACCEPTED]),
                          failed=failed, gone=gone, **common)
    if accepted := by_outcome[Outcome.ACCEPTED]:
        error = f"{len(failed) + len(gone)} of {len(results)} failed; {first_error.error}" if first_error else ""
        return SendResult(Outcome.ACCEPTED, status=accepted[0].status, error=error[:200], failed=failed, gone=gone,
                          **common)
    error = f"{len(results)} failed; {first_error.error}" if first_error else "no subscriptions"
    return SendResult(Outcome.FAILED, status=first_error.status if first_error else None, error=error[:200],
                      gone=gone, **common)
