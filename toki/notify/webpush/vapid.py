"""The application server's VAPID key pair (RFC 8292) from settings, through py-vapid.

TOKI_WEBPUSH_VAPID_PRIVATE_KEY is the private key as base64url: the raw 32-byte P-256 scalar (what
`manage.py webpush_keys` prints) or a DER key (what py-vapid's own `vapid --gen` writes, without the PEM lines).
The public key, base64url of the uncompressed point, is the `applicationServerKey` browsers subscribe with.
"""

import time

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid, VapidException

from toki.notify.webpush.ece import b64url_encode

TOKEN_LIFETIME = 12 * 3600  # seconds; RFC 8292 §2 allows up to 24 h, push services refuse more
RENEW_BEFORE = 3600  # a cached token is signed anew when it has less than this left


class NotConfigured(Exception):
    """No VAPID key or subject in the settings, or a key that cannot be read."""


def load(private_key: str) -> Vapid:
    try:
        return Vapid.from_string(private_key=private_key)
    except (VapidException, ValueError, TypeError) as error:
        raise NotConfigured(f"TOKI_WEBPUSH_VAPID_PRIVATE_KEY cannot be read: {type(error).__name__}") from None


def from_settings() -> Vapid:
    if not settings.TOKI_WEBPUSH_VAPID_PRIVATE_KEY:
        raise NotConfigured("TOKI_WEBPUSH_VAPID_PRIVATE_KEY is not set")
    if not settings.TOKI_WEBPUSH_VAPID_SUBJECT:
        raise NotConfigured("TOKI_WEBPUSH_VAPID_SUBJECT is not set")
    return load(settings.TOKI_WEBPUSH_VAPID_PRIVATE_KEY)


def public_key(vapid: Vapid) -> str:
    """base64url of the uncompressed public point (65 bytes): the browser's applicationServerKey."""
    return b64url_encode(vapid.public_key.public_bytes(serialization.Encoding.X962,
                                                       serialization.PublicFormat.UncompressedPoint))


def private_key_b64(vapid: Vapid) -> str:
    """base64url of the raw 32-byte private scalar (the settings' form)."""
    return b64url_encode(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))


def generate() -> Vapid:
    vapid = Vapid()
    vapid.generate_keys()
    return vapid


class Signer:
    """VAPID Authorization headers (`vapid t=<JWT>, k=<public key>`), one per push service origin, signed once and
    reused until an hour before they expire: signing per message would cost an ECDSA signature each."""

    def __init__(self, vapid: Vapid, subject: str):
        self.vapid, self.subject = vapid, subject
        self._tokens: dict[str, tuple[int, dict]] = {}

    def headers(self, origin: str, *, now: float | None = None) -> dict:
        now = int(now if now is not None else time.time())
        cached = self._tokens.get(origin)
        if cached and cached[0] - now > RENEW_BEFORE:
            return cached[1]
        exp = now + TOKEN_LIFETIME
        headers = self.vapid.sign({"aud": origin, "exp": exp, "sub": self.subject})
        self._tokens[origin] = (exp, headers)
        return headers
