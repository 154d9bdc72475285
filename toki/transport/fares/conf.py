"""Fares configuration read from settings (docs/settings.md): keys, prices, the OpenID provider.

Secrets have no real defaults: a debug site derives its pseudonym key and one signing key from SECRET_KEY so that
`make run` works with no configuration; with TOKI_DEBUG off a missing key raises ImproperlyConfigured."""

import base64
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pseudonym_key() -> bytes:
    if settings.TOKI_FARES_PSEUDONYM_KEY:
        return settings.TOKI_FARES_PSEUDONYM_KEY.encode()
    if not settings.DEBUG:
        raise ImproperlyConfigured("TOKI_FARES_PSEUDONYM_KEY must be set when TOKI_DEBUG is off")
    return hashlib.sha256(b"toki-fares-pseudonym:" + settings.SECRET_KEY.encode()).digest()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey


def signing_keys() -> list[SigningKey]:
    """The key ring, newest (the one that signs) first. Each entry "kid:seed" with a 32-byte base64url seed."""
    entries = settings.TOKI_FARES_SIGNING_KEYS
    if not entries:
        if not settings.DEBUG:
            raise ImproperlyConfigured("TOKI_FARES_SIGNING_KEYS must be set when TOKI_DEBUG is off")
        seed = hashlib.sha256(b"toki-fares-signing:" + settings.SECRET_KEY.encode()).digest()
        return [SigningKey("debug-1", Ed25519PrivateKey.from_private_bytes(seed))]
    ring = []
    for position, entry in enumerate(entries, start=1):
        kid, _, seed_text = entry.partition(":")
        try:
            seed = _b64d(seed_text)
            if not kid or len(seed) != 32:
                raise ValueError
        except ValueError:
            raise ImproperlyConfigured(
                f"TOKI_FARES_SIGNING_KEYS entry {position}: expected kid:<32-byte base64url seed>") from None
        ring.append(SigningKey(kid, Ed25519PrivateKey.from_private_bytes(seed)))
    return ring


PRODUCTS = ("sub30", "day", "single")


def price_yen(product: str) -> int:
    return {"sub30": settings.TOKI_FARES_PRICE_SUB30, "day": settings.TOKI_FARES_PRICE_DAY,
            "single": settings.TOKI_FARES_PRICE_SINGLE}[product]
