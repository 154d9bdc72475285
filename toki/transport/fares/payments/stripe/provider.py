"""The Stripe provider: Checkout Sessions (hosted payment page), signed webhooks (`Stripe-Signature: t=…,v1=…`,
HMAC-SHA256 over "t.body"), the events list for reconciliation, refunds. Plain HTTPS with `requests`, form-encoded
as Stripe's API expects; `Idempotency-Key` on every POST."""

import hashlib
import hmac
import json
import time

import requests
from django.conf import settings

from toki.transport.fares.payments import BadSignature, Checkout, PaymentEvent, ProviderError

TIMEOUT = 15
SIGNATURE_TOLERANCE = 300  # seconds, Stripe's default
MAX_WEBHOOK = 256 * 1024
EVENT_TYPES = {"checkout.session.completed": "paid", "checkout.session.async_payment_succeeded": "paid",
               "checkout.session.expired": "expired", "charge.refunded": "refunded"}


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, body: bytes, header: str, *, now: float | None = None) -> None:
    """Stripe's scheme: any v1 entry matching HMAC-SHA256(secret, "t.body"), t within the tolerance."""
    if not secret:
        raise BadSignature("no webhook secret configured")
    timestamp, candidates = None, []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise BadSignature("Stripe-Signature header without t= and v1=")
    if abs((now or time.time()) - timestamp) > SIGNATURE_TOLERANCE:
        raise BadSignature("Stripe-Signature timestamp outside the tolerance")
    expected = signature_header(secret, body, timestamp).split("v1=")[1]
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise BadSignature("Stripe-Signature does not match the body")


def to_event(data: dict) -> PaymentEvent:
    """One Stripe event object reduced to what fares acts on; raises ValueError on a malformed one."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise ValueError("event without id or type")
    obj = (data.get("data") or {}).get("object")
    if not isinstance(obj, dict):
        raise ValueError("event without data.object")
    kind = EVENT_TYPES.get(data["type"], "other")
    if kind == "paid" and obj.get("payment_status") != "paid":
        kind = "other"  # completed but not yet paid (a delayed method): the async_payment_succeeded event follows
    metadata: dict = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
    reference = obj.get("client_reference_id") or metadata.get("toki_purchase") or ""
    payment = obj.get("payment_intent") if kind != "refunded" else obj.get("payment_intent") or obj.get("id")
    return PaymentEvent(event_id=data["id"], type=kind, raw_type=data["type"], purchase_ref=str(reference),
                        session_id=str(obj.get("id", "")) if kind != "refunded" else "",
                        payment_ref=str(payment or ""),
                        amount=obj.get("amount_total") if isinstance(obj.get("amount_total"), int) else None)


class StripeProvider:
    name = "stripe"

    def __init__(self):
        self.base = settings.TOKI_FARES_STRIPE_API_BASE.rstrip("/")
        self.secret_key = settings.TOKI_FARES_STRIPE_SECRET_KEY
        self.webhook_secret = settings.TOKI_FARES_STRIPE_WEBHOOK_SECRET
        self.configured = bool(self.secret_key)
        # Stripe's hosted Checkout page; a local server (tests, the demo) hosts its own at its API origin.
        self.checkout_origin = ("https://checkout.stripe.com" if self.base == "https://api.stripe.com"
                                else self.base)

    def _call(self, method: str, path: str, *, data=None, params=None, idempotency_key: str = "") -> dict:
        if not self.secret_key:
            raise ProviderError("TOKI_FARES_STRIPE_SECRET_KEY is not set")
        headers = {"Authorization": f"Bearer {self.secret_key}", "Stripe-Version": "2024-06-20"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = requests.request(method, f"{self.base}{path}", data=data, params=params, headers=headers,
                                        timeout=TIMEOUT)
            body = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderError(f"Stripe {method} {path}: {type(error).__name__}") from None
        if response.status_code >= 400 or not isinstance(body, dict):
            message = body.get("error", {}).get("message", "") if isinstance(body, dict) else ""
            raise ProviderError(f"Stripe {method} {path}: HTTP {response.status_code} {message}"[:300])
        return body

    def create_checkout(self, *, purchase, success_url: str, cancel_url: str) -> Checkout:
        ref = str(purchase.public_id)
        body = self._call("POST", "/v1/checkout/sessions", idempotency_key=purchase.idempotency_key, data={
            "mode": "payment", "success_url": success_url, "cancel_url": cancel_url,
            "client_reference_id": ref, "metadata[toki_purchase]": ref,
            "line_items[0][quantity]": "1", "line_items[0][price_data][currency]": "jpy",
            "line_items[0][price_data][unit_amount]": str(purchase.amount_yen),
            "line_items[0][price_data][product_data][name]": f"Toki {purchase.product}",
            "payment_intent_data[metadata][toki_purchase]": ref,
        })
        if not isinstance(body.get("id"), str) or not isinstance(body.get("url"), str):
            raise ProviderError("Stripe POST /v1/checkout/sessions: answer without id or url")
        return Checkout(session_id=body["id"], url=body["url"])

    def parse_webhook(self, body: bytes, headers) -> PaymentEvent:
        if len(body) > MAX_WEBHOOK:
            raise BadSignature("webhook body too large")
        verify_signature(self.webhook_secret, body, headers.get("Stripe-Signature", ""))
        try:
            return to_event(json.loads(body))
        except ValueError as error:
            raise BadSignature(f"webhook body: {error}") from None

    def list_events(self, *, since: int) -> list[PaymentEvent]:
        """Every event of the types fares handles created at or after `since`, oldest first (pages followed)."""
        events, starting_after = [], None
        for _page in range(100):
            params = {"limit": 100, "created[gte]": since, "types[]": list(EVENT_TYPES)}
            if starting_after:
                params["starting_after"] = starting_after
            page = self._call("GET", "/v1/events", params=params)
            rows: list = page["data"] if isinstance(page.get("data"), list) else []
            for row in rows:
                try:
                    events.append(to_event(row))
                except ValueError:
                    continue
            if not page.get("has_more") or not rows:
                break
            starting_after = rows[-1].get("id")
        events.reverse()  # Stripe lists newest first
        return events

    def refund(self, *, purchase, idempotency_key: str) -> str:
        body = self._call("POST", "/v1/refunds", idempotency_key=idempotency_key,
                          data={"payment_intent": purchase.provider_payment, "reason": "requested_by_customer"})
        return str(body.get("id", ""))
