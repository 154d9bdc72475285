"""The shape every delivery channel has (DESIGN.md rule 8): LINE today, household tablets and web push later.

A channel says how many recipients one request may carry, what its message objects look like for a subscriber,
and sends one batch with the batch's idempotency key. The outbox (`toki.notify.actions`) does the rest: planning,
claiming, retrying, the states. A transport does network I/O only; it never touches the database.

A channel is one folder (`toki/notify/<channel>/transport.py`, a ChannelTransport) and one registration: a line in
`toki.notify.apps.CHANNELS`, which `register`s it when the app is ready. Planning sends to the subscribers of every
registered channel, and nothing else in the outbox names a channel (docs/notify.md, "Adding a channel").

    transport = transport_for(subscriber.channel)
    key = transport.message_key(subscriber_language)       # recipients with the same key share one message
    messages = transport.render(content, language)          # JSON message objects, stored on the batch
    result = transport.send(addresses, messages, retry_key=batch.retry_key)
"""

import enum
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    ACCEPTED = "accepted"  # the channel took the request (LINE: 200, or 409 for a retry key it already accepted)
    RETRY = "retry"  # may succeed later with the same key: rate limit, server error, timeout, broken connection
    FAILED = "failed"  # the request itself is wrong (4xx): sending it again cannot help


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    status: int | None = None  # HTTP status; None for a connection error or timeout
    request_id: str = ""  # the channel's id of the accepted request (LINE: x-line-request-id)
    error: str = ""  # short and free of personal data: it is stored and shown to staff
    retry_after: float | None = None  # seconds, when the channel said how long to wait
    body_sha256: str = ""
    body_size: int = 0
    # Channels with one request per address (Web Push) settle some addresses on their own; `outcome` is then what
    # happened to the others. `accepted`: taken although others wait for a retry (they are not sent again);
    # `failed`: refused for good; `gone`: the channel says the address no longer exists (the browser
    # unsubscribed): failed, and the outbox deactivates its subscriber (actions.subscriptions.addresses_gone).
    accepted: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    gone: tuple[str, ...] = ()


@dataclass(frozen=True)
class Content:
    """What an announcement says in one language, ready for any channel (toki.notify.announcements)."""

    language: str
    title: str
    short: str  # at most 100 characters: lock screens and previews
    body: str
    url: str  # the portal page with the details
    extra: dict = field(default_factory=dict)
    # The announcement's envelope, set by Announcement.text_in (channels that carry data, such as Web Push, send it
    # along; text channels ignore it): its category, dedupe key and kind (new / update / cancel).
    category: str = ""
    key: str = ""
    kind: str = ""


class ChannelTransport(ABC):
    channel: str
    batch_size: int

    def message_key(self, language: str) -> str:
        """Recipients whose key is equal get the same message and may share a batch."""
        return language

    @abstractmethod
    def render(self, content: Content) -> list[dict]:
        """The channel's message objects (JSON) for `content`."""

    @abstractmethod
    def send(self, addresses: list[str], messages: list[dict], *, retry_key: str) -> SendResult:
        """Send one batch. Never raises for a network or protocol failure: it returns the outcome."""

    # What planning does while the channel is not configured: True → plan its deliveries anyway, they wait
    # (planned) until it is (LINE: a token set later sends them); False → leave its subscribers out, with a log line
    # (Web Push: without the VAPID key no message can be signed).
    plans_while_unconfigured: bool = True

    def is_configured(self) -> bool:
        return True

    @classmethod
    def from_settings(cls) -> "ChannelTransport":
        """The transport as the settings configure it (hosts, tokens); `transport_for` makes it this way."""
        return cls()


# channel value (Subscriber.channel, DeliveryBatch.channel) → dotted path of its ChannelTransport class. Filled by
# `register` when the apps are ready, read afterwards; the class is imported on first use (LINE's SDK is slow).
_registry: dict[str, str] = {}


def register(channel: str, transport: str) -> None:
    """Make `channel` a sending channel, sent through the ChannelTransport class at dotted path `transport`."""
    if _registry.get(channel, transport) != transport:
        raise ValueError(f"channel {channel!r} is registered already, with {_registry[channel]}")
    _registry[channel] = transport


def unregister(channel: str) -> None:
    """Stop planning for `channel` (a test's own channel, when the test ends)."""
    _registry.pop(channel, None)


def registered_channels() -> tuple[str, ...]:
    """The channels planning sends to, in registration order."""
    return tuple(_registry)


def planned_channels() -> tuple[str, ...]:
    """The registered channels planning sends to now: a channel that is not configured and does not plan while
    unconfigured is left out, and says so in the log."""
    chosen = []
    for channel in _registry:
        transport = transport_for(channel)
        if transport.plans_while_unconfigured or transport.is_configured():
            chosen.append(channel)
        else:
            logger.warning("channel %s is not configured: planning leaves its subscribers out", channel)
    return tuple(chosen)


def transport_for(channel: str) -> ChannelTransport:
    try:
        path = _registry[channel]
    except KeyError:
        raise LookupError(f"no transport registered for channel {channel!r}") from None
    return import_string(path).from_settings()
