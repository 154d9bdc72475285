"""A local Web Push service for tests, benchmarks and demos: real HTTP on 127.0.0.1 speaking RFC 8030 as a push
service does, so the transport is tested without the network (DESIGN.md rule 8). docs/webpush.md, "The local push
service".

It makes subscriptions as a browser would (`subscribe()`: an ECDH P-256 key pair and an auth secret, an endpoint
path it issues) and, for each POST to an endpoint: checks VAPID (ES256 JWT against the `k=` key, aud = its origin,
exp within 24 h, a sub; and the applicationServerKey the subscription was made with, when given), requires TTL,
checks Urgency and Topic, requires Content-Encoding aes128gcm, and DECRYPTS the body with the subscription's
private key (toki.notify.webpush.ece, written from RFC 8291), so tests read the message as the browser would.
A message with the Topic of one still held for the subscription replaces it (RFC 8030 §5.4).

    with LocalPushService(latency=0.05) as push:
        subscription = push.subscribe()            # the browser's subscription JSON, endpoint on push.base_url
        push.messages(subscription["endpoint"])   # → [Message(payload (decrypted bytes), ttl, urgency, topic, …)]
        push.json_messages(endpoint)              # → the decrypted payloads as JSON
        push.counts()                             # → {endpoint: messages held}
        push.unsubscribe(endpoint)                # later posts answer 410 Gone
        push.fail_next(2, status=429, retry_after=3)   # or 500, 503; nothing stored
        push.refused                              # → [(endpoint, status, reason)] of every refused request
        push.stats()

Out of process (the benchmark): `python -m toki.notify.webpush.localpush --port 18170 --latency-ms 50`, driven by
`LocalPushProcess` / `LocalPushClient` (localpush_process.py) through the private endpoints under /__local__/.
"""

import argparse
import json
import os
import secrets
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from toki.notify.localhttp import LocalHandler, LocalHTTPServer, ServedInThread
from toki.notify.webpush.ece import BrowserKeys, DecryptError, subscription_json
from toki.notify.webpush.localpush_checks import PushError, check_headers, check_vapid

PUSH_PREFIX = "/push/"
LOCAL_PREFIX = "/__local__/"


@dataclass
class Message:
    payload: bytes
    ttl: int
    urgency: str
    topic: str
    at: float  # time.time() when accepted

    def as_json(self) -> dict:
        return {"payload": self.payload.decode("utf-8", "replace"), "ttl": self.ttl, "urgency": self.urgency,
                "topic": self.topic, "at": self.at}


@dataclass
class _Fault:
    remaining: int
    status: int
    retry_after: float | None


class LocalPushService(ServedInThread):
    thread_name = "local-push-service"

    def __init__(self, *, latency: float = 0.0, port: int = 0, host: str = "127.0.0.1"):
        self.latency, self.host, self.port = latency, host, port
        self._lock = threading.Lock()
        self._verified: dict[str, object] = {}  # Authorization header → Vapid (a token is verified once)
        self.reset(subscriptions=True)

    # --- state ----------------------------------------------------------------------------------------------
    def reset(self, *, subscriptions: bool = False) -> None:
        """Forget messages, counters and faults (and the subscriptions too if asked)."""
        with self._lock:
            if subscriptions:
                self.keys: dict[str, BrowserKeys] = {}
                self.server_keys: dict[str, str] = {}
                self.gone: set[str] = set()
            self.held: dict[str, list[Message]] = {}
            self.posts: Counter = Counter()
            self.statuses: Counter = Counter()
            self.refused: list[tuple[str, int, str]] = []
            self.faults: list[_Fault] = []
            self.first_accepted_at: float | None = None
            self.last_accepted_at: float | None = None

    def subscribe(self, application_server_key: str = "") -> dict:
        """A new subscription as `PushSubscription.toJSON()` gives it. With `application_server_key` (base64url),
        pushes signed with another VAPID key are refused with 403, as browsers' push services do."""
        token = secrets.token_urlsafe(24)
        keys = BrowserKeys.generate()
        with self._lock:
            self.keys[token] = keys
            if application_server_key:
                self.server_keys[token] = application_server_key
        return subscription_json(f"{self.base_url}{PUSH_PREFIX}{token}", keys)

    def unsubscribe(self, endpoint: str) -> None:
        """The browser unsubscribed: the endpoint answers 410 Gone from now on."""
        with self._lock:
            self.gone.add(self._token(endpoint))

    def fail_next(self, n: int = 1, status: int = 500, *, retry_after: float | None = None) -> None:
        """Answer the next n valid push requests with `status` (429, 500, 503, …) without storing them."""
        with self._lock:
            self.faults.append(_Fault(n, status, retry_after))

    @staticmethod
    def _token(endpoint: str) -> str:
        path = urlsplit(endpoint).path
        return path[len(PUSH_PREFIX):] if path.startswith(PUSH_PREFIX) else path

    def messages(self, endpoint: str) -> list[Message]:
        with self._lock:
            return list(self.held.get(self._token(endpoint), []))

    def json_messages(self, endpoint: str) -> list[dict]:
        return [json.loads(message.payload) for message in self.messages(endpoint)]

    def counts(self) -> dict[str, int]:
        """Endpoint → messages held for it (a message replaced by its Topic counts once)."""
        with self._lock:
            return {f"{self.base_url}{PUSH_PREFIX}{token}": len(items) for token, items in self.held.items() if items}

    def stats(self) -> dict:
        with self._lock:
            held = [len(items) for items in self.held.values() if items]
            return {"subscriptions": len(self.keys), "posts": sum(self.posts.values()),
                    "statuses": {str(k): v for k, v in self.statuses.items()},
                    "subscriptions_with_messages": len(held), "messages_held": sum(held),
                    "max_per_subscription": max(held, default=0),
                    "subscriptions_posted_more_than_once": sum(1 for n in self.posts.values() if n > 1),
                    "refused": len(self.refused), "first_accepted_at": self.first_accepted_at,
                    "last_accepted_at": self.last_accepted_at}

    # --- the push request -----------------------------------------------------------------------------------
    def push(self, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        """One POST to an endpoint path: (status, response headers)."""
        token = path[len(PUSH_PREFIX):]
        if self.latency:
            time.sleep(self.latency)
        try:
            message = self._accept(token, headers, body)
        except PushError as error:
            with self._lock:
                self.statuses[error.status] += 1
                self.refused.append((f"{self.base_url}{path}", error.status, error.reason))
            return error.status, {"X-Reason": error.reason[:200], **error.headers}
        with self._lock:
            items = self.held.setdefault(token, [])
            replaced = [i for i, held in enumerate(items) if message.topic and held.topic == message.topic]
            if replaced:
                items[replaced[0]] = message
            else:
                items.append(message)
            self.statuses[201] += 1
            self.first_accepted_at = self.first_accepted_at or message.at
            self.last_accepted_at = message.at
        return 201, {"Location": f"{self.base_url}/message/{secrets.token_urlsafe(12)}"}

    def _accept(self, token: str, headers: dict, body: bytes) -> Message:
        with self._lock:
            keys, server_key, gone = self.keys.get(token), self.server_keys.get(token), token in self.gone
            if keys is not None:
                self.posts[token] += 1
        if keys is None:
            raise PushError(404, "no such subscription")
        if gone:
            raise PushError(410, "the subscription has expired or was unsubscribed")
        vapid = self._vapid(headers.get("authorization"))
        if server_key and vapid.public_key.rstrip("=") != server_key.rstrip("="):
            raise PushError(403, "VAPID key is not the applicationServerKey of this subscription")
        ttl, urgency, topic = check_headers(headers, body)
        fault = self._take_fault()
        if fault is not None:
            extra = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
            raise PushError(fault.status, "fault injected", extra)
        try:
            payload = keys.decrypt(body) if body else b""
        except DecryptError as error:
            raise PushError(400, f"payload: {error}") from None
        return Message(payload=payload, ttl=ttl, urgency=urgency, topic=topic, at=time.time())

    def _vapid(self, header):
        cached = self._verified.get(header or "")
        if cached is not None and cached.claims["exp"] > time.time():
            return cached
        vapid = check_vapid(header, origin=self.base_url)
        self._verified[header] = vapid
        return vapid

    def _take_fault(self) -> _Fault | None:
        with self._lock:
            while self.faults and self.faults[0].remaining <= 0:
                self.faults.pop(0)
            if not self.faults:
                return None
            self.faults[0].remaining -= 1
            return self.faults[0]

    # --- lifecycle (localhttp.ServedInThread: start, stop, serve_forever, base_url) ----------------------------
    def make_server(self) -> LocalHTTPServer:
        handler = type("PushHandler", (_Handler,), {"service": self})
        self._httpd = LocalHTTPServer((self.host, self.port), handler)
        return self._httpd

    # --- the private endpoints (/__local__/) for another process ---------------------------------------------
    def local(self, method: str, name: str, data: dict) -> tuple[int, object]:
        if method == "GET" and name == "stats":
            return 200, self.stats()
        if method == "GET" and name == "counts":
            return 200, self.counts()
        if method == "GET" and name == "refused":
            return 200, self.refused[:1000]
        if method == "POST" and name == "subscribe":
            count = int(data.get("count", 1))
            return 200, [self.subscribe(data.get("application_server_key", "")) for _ in range(count)]
        if method == "POST" and name == "messages":
            return 200, [message.as_json() for message in self.messages(data["endpoint"])]
        if method == "POST" and name == "unsubscribe":
            self.unsubscribe(data["endpoint"])
            return 200, {}
        if method == "POST" and name == "fail_next":
            self.fail_next(int(data.get("n", 1)), int(data.get("status", 500)), retry_after=data.get("retry_after"))
            return 200, {}
        if method == "POST" and name == "config":
            self.latency = float(data.get("latency_ms", self.latency * 1000)) / 1000
            return 200, {}
        if method == "POST" and name == "reset":
            self.reset(subscriptions=bool(data.get("subscriptions")))
            return 200, {}
        return 404, {"error": f"no local endpoint {method} {name}"}


class _Handler(LocalHandler):
    service: LocalPushService
    server_version = "toki-local-push/1"

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            self.close_connection = True
            return
        path = urlsplit(self.path).path
        if path.startswith(LOCAL_PREFIX):
            data = json.loads(body or b"{}") if method == "POST" else {}
            status, answer = self.service.local(method, path[len(LOCAL_PREFIX):], data)
            self._send(status, {"Content-Type": "application/json"}, json.dumps(answer).encode())
        elif method == "POST" and path.startswith(PUSH_PREFIX):
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, extra = self.service.push(path, headers, body)
            self._send(status, extra, b"")
        else:
            self._send(404, {}, b"")

    def _send(self, status: int, headers: dict, body: bytes) -> None:
        lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}", f"Server: {self.server_version}",
                 f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body)
        self.wfile.flush()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="A local Web Push service (RFC 8030/8291/8292) for tests.")
    parser.add_argument("--port", type=int, default=18170)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    service = LocalPushService(latency=args.latency_ms / 1000, port=args.port, host=args.host)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print(f"local push service on http://{args.host}:{args.port}", flush=True)
    service.serve_forever()


if __name__ == "__main__":
    main()
