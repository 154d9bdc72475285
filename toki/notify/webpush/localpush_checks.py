"""What the local push service checks on each push request (RFC 8030 §5, RFC 8292, RFC 8291), apart from the
server itself (localpush.py): the VAPID `Authorization` header and the message headers. Each check raises
PushError(status, reason) as a push service would answer.
"""

import json
import re
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from toki.notify.webpush.ece import b64url_decode

MAX_TOKEN_LIFETIME = 24 * 3600  # RFC 8292 §2: exp no more than 24 hours after the request
URGENCIES = ("very-low", "low", "normal", "high")  # RFC 8030 §5.3
TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # RFC 8030 §5.4
MAX_PAYLOAD = 4096  # octets of encrypted body a push service must accept (RFC 8030 §7.2)


class PushError(Exception):
    def __init__(self, status: int, reason: str, headers: dict | None = None):
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers or {}


@dataclass(frozen=True)
class Vapid:
    public_key: str  # the `k` parameter, base64url
    claims: dict


def _parameters(value: str) -> dict[str, str]:
    parts = {}
    for item in value.split(","):
        name, _, param = item.strip().partition("=")
        if not param:
            raise PushError(401, f"Authorization: malformed parameter {name!r}")
        parts[name.strip().lower()] = param.strip()
    return parts


def check_vapid(header: str | None, *, origin: str, now: float | None = None) -> Vapid:
    """RFC 8292 §3: `Authorization: vapid t=<JWT>, k=<base64url P-256 public key>`; the JWT is ES256-signed by
    that key, its `aud` is this push service's origin, its `exp` in the future and at most 24 hours away, and it
    names a contact (`sub`, mailto: or https:)."""
    if not header:
        raise PushError(401, "Authorization: missing (VAPID required)")
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "vapid":
        raise PushError(401, f"Authorization: scheme {scheme!r}, not vapid")
    params = _parameters(rest)
    if "t" not in params or "k" not in params:
        raise PushError(401, "Authorization: vapid needs t= and k=")
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(params["k"]))
    except ValueError:
        raise PushError(401, "Authorization: k is not an uncompressed P-256 public key") from None
    pieces = params["t"].split(".")
    if len(pieces) != 3:
        raise PushError(401, "Authorization: t is not a JWS compact serialisation")
    try:
        header_json = json.loads(b64url_decode(pieces[0]))
        claims = json.loads(b64url_decode(pieces[1]))
        signature = b64url_decode(pieces[2])
    except ValueError:
        raise PushError(401, "Authorization: t does not decode") from None
    if not isinstance(header_json, dict) or header_json.get("alg") != "ES256":
        raise PushError(401, "Authorization: JWT alg must be ES256")
    if len(signature) != 64:
        raise PushError(401, "Authorization: an ES256 signature is 64 bytes (r ‖ s)")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        key.verify(der, f"{pieces[0]}.{pieces[1]}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise PushError(401, "Authorization: JWT signature does not verify with k") from None
    if not isinstance(claims, dict):
        raise PushError(401, "Authorization: JWT claims are not an object")
    if claims.get("aud") != origin:
        raise PushError(401, f"Authorization: aud {claims.get('aud')!r} is not this push service ({origin})")
    now = time.time() if now is None else now
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now:
        raise PushError(401, "Authorization: JWT expired or without exp")
    if exp > now + MAX_TOKEN_LIFETIME:
        raise PushError(401, "Authorization: exp more than 24 hours ahead")
    sub = claims.get("sub", "")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
        raise PushError(401, "Authorization: sub must be a mailto: or https: contact")
    return Vapid(public_key=params["k"], claims=claims)


def check_headers(headers: dict, body: bytes) -> tuple[int, str, str]:
    """RFC 8030 §5.2–5.4 and RFC 8291 §4: TTL (required), Urgency, Topic, Content-Encoding aes128gcm and the size.
    Returns (ttl, urgency, topic); headers are lower-cased names."""
    ttl = headers.get("ttl")
    if ttl is None:
        raise PushError(400, "TTL header missing (RFC 8030 §5.2)")
    if not ttl.isdigit():
        raise PushError(400, "TTL must be a non-negative integer")
    urgency = headers.get("urgency", "normal")
    if urgency not in URGENCIES:
        raise PushError(400, f"Urgency {urgency!r} is not one of {', '.join(URGENCIES)}")
    topic = headers.get("topic", "")
    if topic and not TOPIC.match(topic):
        raise PushError(400, "Topic must be 1–32 characters of the base64url alphabet")
    if body:
        if headers.get("content-encoding", "").lower() != "aes128gcm":
            raise PushError(415, "Content-Encoding must be aes128gcm (RFC 8291)")
        if len(body) > MAX_PAYLOAD:
            raise PushError(413, f"payload of {len(body)} bytes: at most {MAX_PAYLOAD}")
    return int(ttl), urgency, topic
