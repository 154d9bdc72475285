"""A browser's PushSubscription (`subscription.toJSON()`), checked, and how it is kept in Subscriber.address.

The address of a Web Push subscriber is the subscription as compact JSON with the endpoint first:
`{"endpoint":"https://…","keys":{"p256dh":"…","auth":"…"}}` — everything the transport needs (where to POST,
whose keys to encrypt for, RFC 8291), in the one channel-neutral column every channel has. Real endpoints are up to
~450 characters (Mozilla's autopush v2 tokens are the longest), so an address is at most ~600; the column holds
ADDRESS_MAX. The address is personal data like a LINE user id: never logged, never in a task argument.
"""

import ipaddress
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError

from toki.notify.models import ADDRESS_MAX
from toki.notify.webpush.ece import b64url_decode

ENDPOINT_MAX = 1500  # characters: room for any push service's endpoint within ADDRESS_MAX
P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04 ‖ X ‖ Y
AUTH_BYTES = 16  # the auth secret (RFC 8291 §3.2)


@dataclass(frozen=True)
class PushSubscription:
    endpoint: str
    p256dh: str  # base64url, no padding, as the browser gives it
    auth: str

    def as_address(self) -> str:
        return json.dumps({"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}},
                          separators=(",", ":"), ensure_ascii=False)

    def as_info(self) -> dict:
        """The `subscription_info` pywebpush takes."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    @property
    def origin(self) -> str:
        parts = urlsplit(self.endpoint)
        return f"{parts.scheme}://{parts.netloc}"


def address_prefix(endpoint: str) -> str:
    """What every address of `endpoint` starts with (the lookup of register/unregister by endpoint)."""
    return json.dumps({"endpoint": endpoint}, separators=(",", ":"), ensure_ascii=False)[:-1] + ","


def _host_allowed(scheme: str, host: str, port: int | None) -> bool:
    for entry in settings.TOKI_WEBPUSH_ENDPOINT_HOSTS:
        if entry.startswith("http://"):
            allowed = urlsplit(entry)
            if scheme == "http" and host == allowed.hostname and port == allowed.port:
                return True
        elif scheme == "https" and (host == entry or (entry.startswith(".") and host.endswith(entry))):
            return True
    return False


def _endpoint_error(endpoint) -> str:
    if not isinstance(endpoint, str) or not endpoint:
        return "missing: the push service URL the browser gave"
    if len(endpoint) > ENDPOINT_MAX:
        return f"longer than {ENDPOINT_MAX} characters"
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "not a URL"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an https:// URL"
    if parts.username or parts.password or parts.fragment:
        return "must not carry credentials or a fragment"
    if not _host_allowed(parts.scheme, parts.hostname, port):
        if parts.scheme != "https":
            return "must be an https:// URL"
        try:
            ipaddress.ip_address(parts.hostname)
            return "must name a push service, not an IP address"
        except ValueError:
            return "not a known push service (TOKI_WEBPUSH_ENDPOINT_HOSTS)"
    return ""


def _key_error(keys: dict, name: str, size: int) -> str:
    value = keys.get(name)
    if not isinstance(value, str) or not value:
        return "missing"
    try:
        raw = b64url_decode(value)
    except ValueError:
        return "not base64url"
    if len(raw) != size:
        return f"must decode to {size} bytes, not {len(raw)}"
    if name == "p256dh":
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            return "not an uncompressed P-256 public key"
    return ""


def parse(subscription) -> PushSubscription:
    """The browser's subscription JSON (a dict: {"endpoint", "keys": {"p256dh", "auth"}}; other members such as
    expirationTime are ignored), checked. Raises ValidationError with one message per bad field, named
    "subscription.endpoint", "subscription.keys.p256dh", "subscription.keys.auth"."""
    if not isinstance(subscription, dict):
        raise ValidationError({"subscription": "must be the JSON object of the browser's PushSubscription"})
    errors = {}
    endpoint = subscription.get("endpoint")
    if message := _endpoint_error(endpoint):
        errors["subscription.endpoint"] = message
    keys = subscription.get("keys")
    if not isinstance(keys, dict):
        errors["subscription.keys"] = "missing: an object with p256dh and auth"
    else:
        for name, size in (("p256dh", P256DH_BYTES), ("auth", AUTH_BYTES)):
            if message := _key_error(keys, name, size):
                errors[f"subscription.keys.{name}"] = message
    if errors:
        raise ValidationError(errors)
    assert isinstance(endpoint, str) and isinstance(keys, dict)
    parsed = PushSubscription(endpoint=endpoint, p256dh=keys["p256dh"].rstrip("="), auth=keys["auth"].rstrip("="))
    if len(parsed.as_address()) > ADDRESS_MAX:
        raise ValidationError({"subscription.endpoint": f"the subscription is longer than {ADDRESS_MAX} characters"})
    return parsed


def from_address(address: str) -> PushSubscription:
    """A stored address back as a subscription (it was checked when registered). Raises ValueError if it is not
    one (a row written by other means)."""
    try:
        data = json.loads(address)
        return PushSubscription(endpoint=data["endpoint"], p256dh=data["keys"]["p256dh"], auth=data["keys"]["auth"])
    except (ValueError, KeyError, TypeError):
        raise ValueError("not a web push subscription address") from None
