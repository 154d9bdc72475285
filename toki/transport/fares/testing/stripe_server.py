"""A local server that answers like Stripe for the endpoints fares uses (test infrastructure and demo, never
production): POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id}, GET /v1/events, POST /v1/refunds, and
a hosted payment page (/pay/{id}) where the "card" is paid. Objects are Stripe's published fixtures
(shared/data/stripe/fixtures3.json, MIT) with the fields of this payment filled in; `Idempotency-Key` behaves as
Stripe's (same key and parameters: the first answer again; other parameters: 400 idempotency_error). Webhooks are
signed with Stripe's scheme and POSTed to `webhook_url`, or kept in `pending_webhooks` for a test to deliver
through Django's test client. `drop_webhooks` loses them (for the reconciliation sweep)."""

import contextlib
import copy
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from toki.notify.localhttp import OnFreeLoopbackPort
from toki.transport.fares.payments.stripe.provider import signature_header

# shared/ sits beside the repository (no Django settings read here: the browser tests start this server before
# the throwaway site's settings exist).
FIXTURES = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "stripe" / "fixtures3.json"


def load_fixtures() -> dict:
    return json.loads(FIXTURES.read_text(encoding="utf-8"))["resources"]


def _error(status: int, kind: str, message: str, param: str = "") -> tuple[int, dict]:
    return status, {"error": {"type": kind, "message": message, "param": param}}


class LocalStripe(OnFreeLoopbackPort):
    thread_name = "local-stripe"

    def __init__(self, *, secret_key: str = "sk_test_toki", webhook_secret: str = "whsec_toki",  # noqa: S107 test keys
                 webhook_url: str = ""):
        self.fixtures = load_fixtures()
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.drop_webhooks = False
        self.sessions: dict = {}
        self.events: list = []
        self.refunds: dict = {}
        self.idempotency: dict = {}
        self.pending_webhooks: list = []
        self.requests: list = []
        self.lock = threading.Lock()

    @property
    def base(self) -> str:  # bound on a free loopback port when started (`with` it, or start()/stop())
        return self.base_url

    # --- API --------------------------------------------------------------------------------------------------
    def create_session(self, form: dict) -> tuple[int, dict]:
        for name in ("mode", "success_url", "cancel_url", "line_items[0][price_data][currency]",
                     "line_items[0][price_data][unit_amount]", "line_items[0][quantity]"):
            if not form.get(name):
                return _error(400, "invalid_request_error", f"Missing required param: {name}.", name)
        if form["mode"] != "payment":
            return _error(400, "invalid_request_error", "Invalid mode", "mode")
        amount = form["line_items[0][price_data][unit_amount]"]
        if not amount.isdigit() or int(amount) < 50:
            return _error(400, "invalid_request_error", "Invalid integer", "line_items[0][price_data][unit_amount]")
        session = copy.deepcopy(self.fixtures["checkout.session"])
        session_id = "cs_test_" + secrets.token_hex(16)
        now = int(time.time())
        session.update({
            "id": session_id, "url": f"{self.base}/pay/{session_id}", "mode": "payment", "status": "open",
            "payment_status": "unpaid", "payment_intent": None, "amount_total": int(amount),
            "amount_subtotal": int(amount), "currency": form["line_items[0][price_data][currency]"],
            "client_reference_id": form.get("client_reference_id"), "success_url": form["success_url"],
            "cancel_url": form["cancel_url"], "created": now, "expires_at": now + 86400, "livemode": False,
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
        })
        with self.lock:
            self.sessions[session_id] = session
        return 200, session

    def pay(self, session_id: str) -> dict:
        """The card holder pays on the hosted page: the session completes and its event is sent."""
        with self.lock:
            session = self.sessions[session_id]
            if session["payment_status"] == "paid":
                return session
            session.update({"status": "complete", "payment_status": "paid",
                            "payment_intent": "pi_" + secrets.token_hex(12)})
        self._event("checkout.session.completed", session)
        return session

    def expire(self, session_id: str) -> None:
        with self.lock:
            self.sessions[session_id]["status"] = "expired"
        self._event("checkout.session.expired", self.sessions[session_id])

    def refund(self, form: dict) -> tuple[int, dict]:
        intent = form.get("payment_intent", "")
        session = next((s for s in self.sessions.values() if s["payment_intent"] and s["payment_intent"] == intent),
                       None)
        if session is None:
            return _error(400, "invalid_request_error", f"No such payment_intent: '{intent}'", "payment_intent")
        if any(r["payment_intent"] == intent for r in self.refunds.values()):
            return _error(400, "invalid_request_error", "Charge has already been refunded.", "payment_intent")
        refund = copy.deepcopy(self.fixtures["refund"])
        refund.update({"id": "re_" + secrets.token_hex(12), "amount": session["amount_total"], "currency": "jpy",
                       "payment_intent": intent, "status": "succeeded", "created": int(time.time()),
                       "reason": form.get("reason"), "charge": "ch_" + secrets.token_hex(12)})
        with self.lock:
            self.refunds[refund["id"]] = refund
        charge = copy.deepcopy(self.fixtures["charge"])
        charge.update({"id": refund["charge"], "payment_intent": intent, "amount": session["amount_total"],
                       "amount_refunded": session["amount_total"], "refunded": True, "currency": "jpy",
                       "metadata": dict(session["metadata"])})
        self._event("charge.refunded", charge)
        return 200, refund

    def list_events(self, query: dict) -> tuple[int, dict]:
        gte = query.get("created[gte]", ["0"])[0]
        limit = query.get("limit", ["10"])[0]
        if not gte.isdigit() or not limit.isdigit() or not 1 <= int(limit) <= 100:
            return _error(400, "invalid_request_error", "Invalid list parameters", "limit")
        types = set(query.get("types[]", []))
        rows = [e for e in reversed(self.events) if e["created"] >= int(gte) and (not types or e["type"] in types)]
        after = query.get("starting_after", [""])[0]
        if after:
            ids = [e["id"] for e in rows]
            rows = rows[ids.index(after) + 1:] if after in ids else []
        page = rows[:int(limit)]
        return 200, {"object": "list", "url": "/v1/events", "has_more": len(rows) > len(page), "data": page}

    def _event(self, type_: str, obj: dict) -> dict:
        event = copy.deepcopy(self.fixtures["event"])
        event.update({"id": "evt_" + secrets.token_hex(12), "type": type_, "created": int(time.time()),
                      "data": {"object": copy.deepcopy(obj)}, "livemode": False, "api_version": "2024-06-20",
                      "pending_webhooks": 1})
        with self.lock:
            self.events.append(event)
        if not self.drop_webhooks:
            self.send_webhook(event)
        return event

    def signed(self, event: dict, *, secret: str | None = None, timestamp: int | None = None) -> tuple[bytes, str]:
        body = json.dumps(event).encode()
        return body, signature_header(secret or self.webhook_secret, body, timestamp or int(time.time()))

    def send_webhook(self, event: dict) -> None:
        body, header = self.signed(event)
        if not self.webhook_url:
            self.pending_webhooks.append((body, header))
            return
        with contextlib.suppress(requests.RequestException):  # Stripe retries later; the sweep finds it meanwhile
            requests.post(self.webhook_url, data=body, timeout=10,
                          headers={"Content-Type": "application/json", "Stripe-Signature": header})

    def idempotent(self, key: str, form: dict, make) -> tuple[int, dict]:
        if not key:
            return make()
        with self.lock:
            seen = self.idempotency.get(key)
        if seen is not None:
            if seen[0] != form:
                return _error(400, "idempotency_error",
                              "Keys for idempotent requests can only be used with the same parameters.")
            return seen[1]
        answer = make()
        with self.lock:
            self.idempotency[key] = (form, answer)
        return answer

    # --- HTTP -------------------------------------------------------------------------------------------------
    def _handler(self):
        stripe = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body, content_type="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization", "") != f"Bearer {stripe.secret_key}":
                    self._send(*_error(401, "invalid_request_error", "Invalid API Key provided"))
                    return False
                return True

            def do_GET(self):
                parts = urlsplit(self.path)
                stripe.requests.append(("GET", parts.path))
                if parts.path.startswith("/pay/"):
                    session = stripe.sessions.get(parts.path[5:])
                    if session is None:
                        return self._send(404, b"no such session", "text/plain")
                    page = (f'<!doctype html><html lang="en"><title>Local Stripe checkout</title><main>'
                            f'<h1>Pay &yen;{session["amount_total"]}</h1><form method="post">'
                            f'<button type="submit">Pay</button></form></main></html>')
                    return self._send(200, page.encode(), "text/html; charset=utf-8")
                if not self._authorised():
                    return None
                if parts.path == "/v1/events":
                    return self._send(*stripe.list_events(parse_qs(parts.query)))
                if parts.path.startswith("/v1/checkout/sessions/"):
                    session = stripe.sessions.get(parts.path.rsplit("/", 1)[1])
                    if session is None:
                        return self._send(*_error(404, "invalid_request_error", "No such checkout.session"))
                    return self._send(200, session)
                return self._send(*_error(404, "invalid_request_error", "Unrecognized request URL"))

            def do_POST(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                stripe.requests.append(("POST", parts.path))
                if parts.path.startswith("/pay/"):
                    session_id = parts.path[5:]
                    if session_id not in stripe.sessions:
                        return self._send(404, b"no such session", "text/plain")
                    session = stripe.pay(session_id)
                    self.send_response(303)
                    self.send_header("Location", session["success_url"])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if not self._authorised():
                    return None
                key = self.headers.get("Idempotency-Key", "")
                if parts.path == "/v1/checkout/sessions":
                    return self._send(*stripe.idempotent(key, form, lambda: stripe.create_session(form)))
                if parts.path == "/v1/refunds":
                    return self._send(*stripe.idempotent(key, form, lambda: stripe.refund(form)))
                return self._send(*_error(404, "invalid_request_error", "Unrecognized request URL"))

        return Handler
