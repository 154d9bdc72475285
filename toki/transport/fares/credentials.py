"""Credentials as compact JWS (RFC 7515) signed with Ed25519 (alg "EdDSA", RFC 8037) through `cryptography`.

A credential carries only what a checker needs: `sub` (the holder's pseudonymous public id, no name, no photo),
`elig` (eligible for the resident fare), `kind` (card / day / sub30 / single), `exp` (valid until), `iat`, `jti`
(for revocation and the double-use check). The header names the key (`kid`); the city publishes its keys as a
JWKS at /.well-known/toki-fares-jwks.json, the old ones too until the credentials they signed have expired."""

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from toki.transport.fares import conf

TYP = "toki-fare+jwt"
MAX_TOKEN = 2000  # a QR code of this size is still read by a phone camera


class InvalidCredential(Exception):
    """The credential cannot be trusted; `code` says why (malformed, unknown_key, bad_signature, expired…)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text or any(c not in _B64U for c in text):
        raise InvalidCredential("malformed")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64U = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _json(data: dict) -> bytes:
    return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


@dataclass(frozen=True)
class Claims:
    sub: str
    kind: str
    elig: bool
    exp: int
    iat: int
    jti: str


def sign(claims: Claims, key: conf.SigningKey | None = None) -> str:
    key = key or conf.signing_keys()[0]
    header = b64u(_json({"alg": "EdDSA", "kid": key.kid, "typ": TYP}))
    payload = b64u(_json({"sub": claims.sub, "kind": claims.kind, "elig": claims.elig, "exp": claims.exp,
                          "iat": claims.iat, "jti": claims.jti}))
    signing_input = f"{header}.{payload}".encode("ascii")
    return f"{header}.{payload}.{b64u(key.private.sign(signing_input))}"


def public_keys() -> dict[str, Ed25519PublicKey]:
    return {key.kid: key.private.public_key() for key in conf.signing_keys()}


def jwks_x(public: Ed25519PublicKey) -> str:
    return b64u(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def jwks() -> dict:
    """The published key set (RFC 8037 OKP keys)."""
    return {"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig", "alg": "EdDSA", "x": jwks_x(public)}
                     for kid, public in public_keys().items()]}


def verify(token: str, *, now: datetime | None = None, keys: dict | None = None) -> Claims:
    """The claims of a valid, unexpired credential; InvalidCredential otherwise (never another exception)."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 2:
        raise InvalidCredential("malformed")
    header_b64, payload_b64, signature_b64 = token.split(".")
    try:
        header = json.loads(b64u_decode(header_b64))
        payload = json.loads(b64u_decode(payload_b64))
    except ValueError:
        raise InvalidCredential("malformed") from None
    if not isinstance(header, dict) or header.get("alg") != "EdDSA" or header.get("typ") != TYP:
        raise InvalidCredential("malformed")
    kid = header.get("kid")
    public = (keys if keys is not None else public_keys()).get(kid) if isinstance(kid, str) else None
    if public is None:
        raise InvalidCredential("unknown_key")
    try:
        public.verify(b64u_decode(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
    except InvalidSignature:
        raise InvalidCredential("bad_signature") from None
    try:
        claims = Claims(sub=str(payload["sub"]), kind=str(payload["kind"]), elig=payload["elig"] is True,
                        exp=int(payload["exp"]), iat=int(payload["iat"]), jti=str(payload["jti"]))
    except (KeyError, TypeError, ValueError):
        raise InvalidCredential("malformed") from None
    if claims.exp <= (now or datetime.now(UTC)).timestamp():
        raise InvalidCredential("expired")
    return claims
