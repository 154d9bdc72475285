"""RFC 8291 message decryption (and the browser's side of a subscription), written from the RFCs with
`cryptography` only: the local push service decrypts what the transport encrypted through pywebpush/http_ece,
so a test that reads the message back checks the library's encryption independently.

RFC 8188 `aes128gcm` body: salt (16) ‖ rs (uint32) ‖ idlen (1) ‖ keyid (idlen: the application server's
ephemeral public key, 65 bytes, RFC 8291 §4) ‖ one record (RFC 8291 §4: a push message is a single record).

RFC 8291 §3.3–3.4, with the user agent's key pair (ua) and the application server's ephemeral key (as):
    ecdh_secret = ECDH(ua_private, as_public)
    PRK_key = HMAC-SHA-256(auth_secret, ecdh_secret)
    IKM = HMAC-SHA-256(PRK_key, "WebPush: info" ‖ 0x00 ‖ ua_public ‖ as_public ‖ 0x01)
    PRK = HMAC-SHA-256(salt, IKM)
    CEK = HMAC-SHA-256(PRK, "Content-Encoding: aes128gcm" ‖ 0x00 ‖ 0x01)[:16]
    NONCE = HMAC-SHA-256(PRK, "Content-Encoding: nonce" ‖ 0x00 ‖ 0x01)[:12]
The record is AES-128-GCM(CEK, NONCE) of plaintext ‖ 0x02 ‖ zero padding (the last record's delimiter).
"""

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_INFO = b"WebPush: info\x00"
CEK_INFO = b"Content-Encoding: aes128gcm\x00\x01"
NONCE_INFO = b"Content-Encoding: nonce\x00\x01"
HEADER_MIN = 16 + 4 + 1
TAG = 16


def b64url_decode(value: str) -> bytes:
    """base64url with or without padding; raises ValueError for anything else."""
    if not isinstance(value, str) or not value or any(c in value for c in "+/ \n"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class DecryptError(ValueError):
    """The body is not a message encrypted for this subscription (what is wrong is in the text)."""


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def _point(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


@dataclass(frozen=True)
class BrowserKeys:
    """What a browser makes when it subscribes: an ECDH P-256 key pair and a 16-byte auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @classmethod
    def generate(cls) -> "BrowserKeys":
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def public_bytes(self) -> bytes:
        return _point(self.private_key.public_key())

    def subscription_keys(self) -> dict:
        """The `keys` member of the subscription JSON: {"p256dh", "auth"} as base64url."""
        return {"p256dh": b64url_encode(self.public_bytes), "auth": b64url_encode(self.auth_secret)}

    def decrypt(self, body: bytes) -> bytes:
        return decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret)


def decrypt(body: bytes, *, private_key: ec.EllipticCurvePrivateKey, auth_secret: bytes) -> bytes:
    if len(body) < HEADER_MIN:
        raise DecryptError("body shorter than the aes128gcm header")
    salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    if rs < 18:
        raise DecryptError(f"record size {rs} below the minimum of 18")
    keyid, record = body[HEADER_MIN:HEADER_MIN + idlen], body[HEADER_MIN + idlen:]
    if idlen != 65:
        raise DecryptError(f"keyid of {idlen} bytes: RFC 8291 puts the 65-byte server public key there")
    if len(record) > rs:
        raise DecryptError("more than one record: a push message is a single record (RFC 8291 §4)")
    if len(record) <= TAG:
        raise DecryptError("record shorter than its authentication tag")
    try:
        as_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), keyid)
    except ValueError:
        raise DecryptError("keyid is not a P-256 point") from None
    ecdh_secret = private_key.exchange(ec.ECDH(), as_public)
    prk_key = _hmac(auth_secret, ecdh_secret)
    ikm = _hmac(prk_key, KEY_INFO + _point(private_key.public_key()) + keyid + b"\x01")
    prk = _hmac(salt, ikm)
    cek, nonce = _hmac(prk, CEK_INFO)[:16], _hmac(prk, NONCE_INFO)[:12]
    try:
        padded = AESGCM(cek).decrypt(nonce, record, None)
    except InvalidTag:
        raise DecryptError("authentication failed: not encrypted for this subscription") from None
    unpadded = padded.rstrip(b"\x00")
    if not unpadded or unpadded[-1] != 2:
        raise DecryptError("no last-record delimiter (0x02) after the plaintext")
    return unpadded[:-1]


def subscription_json(endpoint: str, keys: BrowserKeys) -> dict:
    """A subscription as `PushSubscription.toJSON()` gives it."""
    return {"endpoint": endpoint, "expirationTime": None, "keys": keys.subscription_keys()}


def public_from_b64(value: str) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(value))
