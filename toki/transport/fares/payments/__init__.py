"""Payment providers as plug-ins of one shape (like notify's channels): one folder each, registered in PROVIDERS.

A provider creates a hosted checkout for a purchase, reads its signed webhooks, lists its events for the
reconciliation sweep, and refunds. Every call that creates something carries the purchase's idempotency key, so a
retry after a timeout never charges or refunds twice (docs/fares.md "Payments")."""

from dataclasses import dataclass, field
from typing import Protocol


class ProviderError(Exception):
    """The provider refused or could not be reached; the message names the call and the reason (no card data)."""


class BadSignature(Exception):
    """A webhook whose signature, timestamp or body cannot be trusted."""


@dataclass(frozen=True)
class Checkout:
    session_id: str
    url: str


@dataclass(frozen=True)
class PaymentEvent:
    """A provider event reduced to what fares acts on."""

    event_id: str
    type: str  # "paid", "expired", "refunded" or "other"
    purchase_ref: str = ""  # our Purchase.public_id as sent with the checkout
    session_id: str = ""
    payment_ref: str = ""
    amount: int | None = None
    raw_type: str = ""
    extra: dict = field(default_factory=dict)


class Provider(Protocol):
    name: str
    checkout_origin: str  # where create_checkout sends the buyer (the page's CSP form-action must allow it)
    configured: bool  # has its credentials (the sweep skips a provider that has none)

    def create_checkout(self, *, purchase, success_url: str, cancel_url: str) -> Checkout: ...

    def parse_webhook(self, body: bytes, headers) -> PaymentEvent: ...

    def list_events(self, *, since: int) -> list[PaymentEvent]: ...

    def refund(self, *, purchase, idempotency_key: str) -> str: ...


def get_provider(name: str | None = None) -> Provider:
    from django.conf import settings

    from toki.transport.fares.payments.stripe.provider import StripeProvider

    providers = {"stripe": StripeProvider}
    chosen = name or settings.TOKI_FARES_PAYMENT_PROVIDER
    if chosen not in providers:
        raise ProviderError(f"TOKI_FARES_PAYMENT_PROVIDER={chosen!r}: unknown provider (known: {sorted(providers)})")
    return providers[chosen]()


def checkout_origin() -> str:
    try:
        return get_provider().checkout_origin
    except ProviderError:
        return ""
