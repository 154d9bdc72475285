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
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.utils.module_loading import import_string


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


@dataclass(frozen=True)
class Content:
    """What an announcement says in one language, ready for any channel (toki.notify.announcements)."""

    language: str
    title: str
    short: str  # at most 100 characters: lock screens and previews
    body: str
    url: str  # the portal page with the details
    extra: dict = field(default_factory=dict)


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


def transport_for(channel: str) -> ChannelTransport:
    try:
        path = _registry[channel]
    except KeyError:
        raise LookupError(f"no transport registered for channel {channel!r}") from None
    return import_string(path).from_settings()
