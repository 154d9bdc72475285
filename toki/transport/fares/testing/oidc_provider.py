"""A local OpenID provider for tests and the demo (test infrastructure, never used in production): it speaks the
protocol a relying party of the デジタル認証アプリ sees — discovery (OIDC Discovery 1.0), a JWKS, the authorization
endpoint (code flow, PKCE S256 required), the token endpoint (code single-use, redirect_uri and code_verifier
checked, client authentication), ID tokens signed RS256 or ES256 with joserfc, and the userinfo endpoint with the
standard `address` claim.

The person who "holds the card" is `provider.person` (sub and address); tests change it, and switch on faults:
`id_token_claims` (overrides such as a wrong `aud`), `sign_with_stranger_key`, `alg`."""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from toki.notify.localhttp import OnFreeLoopbackPort

SADO_ADDRESS = {"formatted": "新潟県佐渡市両津夷1番地", "region": "新潟県", "locality": "佐渡市"}
NIIGATA_ADDRESS = {"formatted": "新潟県新潟市中央区学校町通1番町602番地1", "region": "新潟県", "locality": "新潟市"}


class LocalOpenIdProvider(OnFreeLoopbackPort):
    thread_name = "local-openid-provider"

    def __init__(self, *, client_id: str = "toki-fares", client_secret: str = ""):
        self.client_id = client_id
        self.client_secret = client_secret
        self.keys: dict[str, Any] = {
            "RS256": RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "use": "sig", "alg": "RS256"}),
            "ES256": ECKey.generate_key("P-256", parameters={"kid": "ec-1", "use": "sig", "alg": "ES256"}),
        }
        self.stranger = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})  # same kid, not published
        self.alg = "RS256"
        self.person = {"sub": "jpki-" + secrets.token_hex(8), "address": dict(SADO_ADDRESS),
                       "name": "佐渡 太郎", "individual_number": "123456789012"}
        self.id_token_claims: dict = {}
        self.sign_with_stranger_key = False
        self.codes: dict = {}
        self.tokens: dict = {}
        self.requests: list = []
        self.lock = threading.Lock()

    @property
    def issuer(self) -> str:  # bound on a free loopback port when started (`with` it, or start()/stop())
        return self.base_url

    # --- protocol ---------------------------------------------------------------------------------------------
    def discovery(self) -> dict:
        return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks", "response_types_supported": ["code"],
                "subject_types_supported": ["pairwise"], "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "code_challenge_methods_supported": ["S256"], "scopes_supported": ["openid", "address"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
                "grant_types_supported": ["authorization_code"]}

    def jwks(self) -> Any:
        return KeySet(list(self.keys.values())).as_dict(private=False)

    def authorize(self, query: dict) -> tuple[int, dict]:
        """Answer an authorization request as a consenting card holder would: (status, headers or error body)."""
        if query.get("client_id") != self.client_id or not query.get("redirect_uri"):
            return 400, {"error": "invalid_request"}
        redirect = query["redirect_uri"]
        problem = ""
        if query.get("response_type") != "code":
            problem = "unsupported_response_type"
        elif "openid" not in query.get("scope", "").split():
            problem = "invalid_scope"
        elif query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            problem = "invalid_request"
        if problem:
            return 302, {"Location": f"{redirect}?{urlencode({'error': problem, 'state': query.get('state', '')})}"}
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {"redirect_uri": redirect, "challenge": query["code_challenge"],
                                "nonce": query.get("nonce"), "person": dict(self.person), "at": time.time()}
        return 302, {"Location": f"{redirect}?{urlencode({'code': code, 'state': query.get('state', '')})}"}

    def token(self, form: dict, authorization: str) -> tuple[int, dict]:
        if not self._client_ok(form, authorization):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # single use
        if grant is None or time.time() - grant["at"] > 60 or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or challenge != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        access = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[access] = grant["person"]
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": grant["person"]["sub"], "aud": self.client_id, "iat": now,
                  "exp": now + 300, "auth_time": now}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        claims.update(self.id_token_claims)
        key = self.stranger if self.sign_with_stranger_key else self.keys[self.alg]
        alg = "RS256" if self.sign_with_stranger_key else self.alg
        id_token = jwt.encode({"alg": alg, "kid": key.kid}, claims, key)
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        token = authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else ""
        person = self.tokens.get(token)
        if person is None:
            return 401, {"error": "invalid_token"}
        return 200, {"sub": person["sub"], "address": person["address"]}

    def _client_ok(self, form: dict, authorization: str) -> bool:
        if authorization.startswith("Basic "):
            raw = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = raw.partition(":")
            return client_id == self.client_id and secrets.compare_digest(secret, self.client_secret)
        return form.get("client_id") == self.client_id and not self.client_secret

    def id_token_for(self, claims: dict) -> str:
        return jwt.encode({"alg": self.alg, "kid": self.keys[self.alg].kid}, claims, self.keys[self.alg])

    # --- HTTP -------------------------------------------------------------------------------------------------
    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict, headers: dict | None = None):
                if status == 302:
                    self.send_response(302)
                    self.send_header("Location", body["Location"])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                provider.requests.append(("GET", parts.path))
                if parts.path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif parts.path == "/jwks":
                    self._send(200, provider.jwks())
                elif parts.path == "/authorize":
                    self._send(*provider.authorize(query))
                elif parts.path == "/userinfo":
                    self._send(*provider.userinfo(self.headers.get("Authorization", "")))
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.requests.append(("POST", parts.path))
                if parts.path == "/token":
                    self._send(*provider.token(form, self.headers.get("Authorization", "")))
                else:
                    self._send(404, {"error": "not_found"})

        return Handler
