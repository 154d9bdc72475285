"""The OpenID Connect relying party for the デジタル認証アプリ (docs/fares.md "Residency"): authorization code with
PKCE (S256), state and nonce, through Authlib's OAuth 2.0 client and its OpenID Connect ID-token claims
(`authlib.oidc.core.CodeIDToken`), the signature checked by joserfc (Authlib's JOSE library) against the
provider's JWKS.

Network calls live here (rule 5). What the provider tells us about the person (the address, the sub) is used for
the municipality check and the keyed hash and then dropped: it is never stored, logged or put in a URL."""

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any, cast

from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from requests import RequestException

from toki.transport.fares import conf

SESSION_KEY = "fares_oidc"
TIMEOUT = 10
LEEWAY = 60  # seconds of clock difference allowed on exp/iat
FLOW_MAX_AGE = 600  # a login started more than 10 minutes ago is not finished
ALGORITHMS = ["RS256", "ES256"]


class OidcError(Exception):
    """The login could not be trusted or finished; `code` is shown to the resident (translated) and audited."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Verified:
    pseudonym: str
    is_resident: bool


def _get_json(url: str, **kwargs) -> dict:
    import requests

    try:
        response = requests.get(url, timeout=TIMEOUT, **kwargs)
        response.raise_for_status()
        data = response.json()
    except (RequestException, ValueError):
        raise OidcError("provider_unreachable") from None
    if not isinstance(data, dict):
        raise OidcError("provider_unreachable")
    return data


def discovery() -> dict:
    issuer = settings.TOKI_FARES_OIDC_ISSUER.rstrip("/")
    if not issuer:
        raise OidcError("not_configured")
    document = _get_json(f"{issuer}/.well-known/openid-configuration")
    for field in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        if not isinstance(document.get(field), str):
            raise OidcError("bad_discovery")
    if document["issuer"].rstrip("/") != issuer:  # OIDC Discovery §4.3
        raise OidcError("bad_discovery")
    return document


def _client(redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(settings.TOKI_FARES_OIDC_CLIENT_ID, settings.TOKI_FARES_OIDC_CLIENT_SECRET or None,
                         scope="openid address", redirect_uri=redirect_uri, code_challenge_method="S256")


def start(session, redirect_uri: str) -> str:
    """Begin a login: state, nonce and PKCE verifier kept in the resident's session; the provider's URL returned."""
    document = discovery()
    flow = {"state": generate_token(32), "nonce": generate_token(32), "verifier": generate_token(64),
            "started": int(time.time())}
    session[SESSION_KEY] = flow
    url, _state = _client(redirect_uri).create_authorization_url(
        document["authorization_endpoint"], state=flow["state"], nonce=flow["nonce"], code_verifier=flow["verifier"])
    return url


def finish(session, redirect_uri: str, params) -> Verified:
    """Complete the login from the callback's query `params`; raises OidcError with the reason."""
    flow = session.pop(SESSION_KEY, None)
    if not isinstance(flow, dict) or not hmac.compare_digest(str(params.get("state", "")), flow.get("state", "")):
        raise OidcError("state_mismatch")
    if time.time() - flow.get("started", 0) > FLOW_MAX_AGE:
        raise OidcError("flow_expired")
    if params.get("error"):
        raise OidcError("provider_refused")
    code = params.get("code", "")
    if not isinstance(code, str) or not code or len(code) > 512:
        raise OidcError("no_code")
    document = discovery()
    client = _client(redirect_uri)
    try:
        token = client.fetch_token(document["token_endpoint"], code=code, code_verifier=flow["verifier"],
                                   grant_type="authorization_code", timeout=TIMEOUT)
    except Exception as error:  # Authlib's OAuthError (invalid_grant …), requests' errors, a body not JSON
        raise OidcError("token_refused") from error
    if not isinstance(token.get("id_token"), str) or not isinstance(token.get("access_token"), str):
        raise OidcError("token_refused")
    claims = verify_id_token(token["id_token"], document, nonce=flow["nonce"], access_token=token["access_token"])
    _spend_nonce(flow["nonce"])
    userinfo = _get_json(document["userinfo_endpoint"],
                         headers={"Authorization": f"Bearer {token['access_token']}"})
    if userinfo.get("sub") != claims["sub"]:  # OIDC Core §5.3.2
        raise OidcError("userinfo_mismatch")
    return Verified(pseudonym=pseudonym(document["issuer"], claims["sub"]), is_resident=is_sado_address(userinfo))


def verify_id_token(id_token: str, document: dict, *, nonce: str, access_token: str) -> CodeIDToken:
    try:
        keys = KeySet.import_key_set(cast(Any, _get_json(document["jwks_uri"])))
    except (JoseError, ValueError, TypeError, KeyError):
        raise OidcError("bad_jwks") from None
    try:
        decoded = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except BadSignatureError:
        raise OidcError("bad_signature") from None
    except JoseError:
        raise OidcError("bad_id_token") from None
    claims = CodeIDToken(
        decoded.claims, decoded.header,
        options={"iss": {"essential": True, "value": document["issuer"]},
                 "aud": {"essential": True, "value": settings.TOKI_FARES_OIDC_CLIENT_ID},
                 "sub": {"essential": True}},
        params={"nonce": nonce, "client_id": settings.TOKI_FARES_OIDC_CLIENT_ID, "access_token": access_token})
    try:
        claims.validate(leeway=LEEWAY)
    except ExpiredTokenError:
        raise OidcError("expired") from None
    except (InvalidClaimError, MissingClaimError) as error:
        raise OidcError({"iss": "wrong_issuer", "aud": "wrong_audience", "nonce": "nonce_mismatch"}.get(
            error.claim, "bad_id_token")) from None
    except JoseError:
        raise OidcError("bad_id_token") from None
    return claims


def _spend_nonce(nonce: str) -> None:
    from django.db import IntegrityError, transaction

    from toki.transport.fares.models import UsedNonce

    try:
        with transaction.atomic():
            UsedNonce.objects.create(digest=hashlib.sha256(nonce.encode()).hexdigest())
    except IntegrityError:
        raise OidcError("nonce_replay") from None


def pseudonym(issuer: str, subject: str) -> str:
    return hmac.new(conf.pseudonym_key(), f"{issuer}\n{subject}".encode(), hashlib.sha256).hexdigest()


def is_sado_address(userinfo: dict) -> bool:
    """The municipality check on the standard `address` claim (OIDC Core §5.1.1): `formatted`, or region +
    locality. Nothing of it is kept."""
    address = userinfo.get("address")
    if not isinstance(address, dict):
        raise OidcError("no_address")
    prefix = settings.TOKI_FARES_ADDRESS_PREFIX
    formatted = address.get("formatted")
    if isinstance(formatted, str) and formatted.replace(" ", "").replace("\u3000", "").startswith(prefix):
        return True
    region, locality = address.get("region"), address.get("locality")
    if isinstance(region, str) and isinstance(locality, str):
        return f"{region}{locality}".startswith(prefix)
    return False
