"""A local LINE Messaging API server for tests and benchmarks: real HTTP on 127.0.0.1, every request checked
against LINE's OpenAPI document (toki/notify/line/openapi/messaging-api.yml). See docs/line-local-server.md.

Python API (tests)::

    from toki.notify.line.localserver import LocalLineServer

    with LocalLineServer(channel_access_token="test-token", latency=0.0, rate_limit_per_second=None) as line:
        config = linebot.v3.messaging.Configuration(access_token="test-token", host=line.base_url)
        ...                                     # the SDK sends to line.base_url (api and api-data alike)
        line.received[user_id]                  # → [Delivery(request_id, operation, messages, retry_key, at)]
        line.delivery_counts()                  # → {user_id: number of accepted deliveries}
        line.invalid_requests                   # → [] when every request was valid (RecordedRequest items)
        line.requests                           # → RecordedRequest(method, path, headers, json, status, ...)
        line.fail_next(2, status=500)           # the next 2 valid requests fail, nothing delivered
        line.fail_next(1, status=500, deliver=True)   # delivered, retry key taken, but answered 500
        line.drop_next(1, deliver=True)         # delivered, then the connection is closed without an answer
        line.monthly_limit_reached = True       # 429 "You have reached your monthly limit."
        line.friends = {...}; line.blocked = {...}; line.profiles[user_id] = {"displayName": ...}
        token = line.issue_reply_token(user_id) # for /v2/bot/message/reply
        line.richmenus, line.richmenu_images, line.default_richmenu_id, line.user_richmenus, line.richmenu_aliases
        line.stats(); line.reset()

Constructor options: `port=0` (any free port), `host="127.0.0.1"`, `latency` (seconds slept before each LINE
answer), `rate_limit_per_second` (an int for every endpoint, each counted separately), `rate_limits`
(`{"multicast": 200, "broadcast": (60, 3600)}` by operationId, or `"line"` for LINE's published table
`LINE_RATE_LIMITS`), `record_bodies=True` (False keeps counters and delivery ids but no message bodies),
`strict_ids=True` (user ids must look like LINE's `U` + 32 hex), `require_image_matches_size=True`,
`max_logged_requests=1000` (the request log is a ring buffer; counters are kept for all).

Other processes (the CLI, `python -m toki.notify.line.localserver --port 18100 --latency-ms 50 --rate-limit 200
--token T`) are driven through `LocalLineClient(base_url)` or `LocalLineProcess(port=..., ...)`, which use the
private endpoints under `/__local__/` (not LINE's API): GET stats, received (?user=U…), invalid, requests,
richmenus; POST reset, fail_next, drop_next, config, reply_token.
"""

import argparse
import contextlib
import json
import os
import signal
import socket
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from toki.notify.line.localserver_ops import Call, Delivery, LineError, LineOperations, Reply
from toki.notify.line.openapi_check import SPEC_PATH, MethodNotAllowed, RouteNotFound, Spec
from toki.notify.localhttp import LocalHandler, LocalHTTPServer, ServedInThread

__all__ = ["LINE_RATE_LIMITS", "Delivery", "LocalLineServer", "RecordedRequest"]

HOUR, MINUTE = 3600.0, 60.0
# LINE's published rate limits per channel and endpoint (reference line.md §5): operationId → (requests, seconds).
LINE_RATE_LIMITS: dict[str, tuple[int, float]] = {
    "multicast": (200, 1.0),
    "narrowcast": (60, HOUR),
    "broadcast": (60, HOUR),
    "getNumberOfSentReplyMessages": (60, HOUR),
    "getNumberOfSentPushMessages": (60, HOUR),
    "getNumberOfSentMulticastMessages": (60, HOUR),
    "getNumberOfSentBroadcastMessages": (60, HOUR),
    "testWebhookEndpoint": (60, HOUR),
    "setWebhookEndpoint": (1000, MINUTE),
    "getWebhookEndpoint": (1000, MINUTE),
    "createRichMenu": (100, HOUR),
    "deleteRichMenu": (100, HOUR),
    "deleteRichMenuAlias": (100, HOUR),
    "getRichMenuBatchProgress": (100, HOUR),
    "richMenuBatch": (3, HOUR),
    "getRichMenuList": (10, 1.0),
    "showLoadingAnimation": (100, 1.0),
    "getMembershipSubscription": (200, 1.0),
    "getMembershipList": (200, 1.0),
    "getJoinedMembershipUsers": (200, 1.0),
    "*": (2000, 1.0),  # every other endpoint, push and reply included
}
RETRY_KEY_OPERATIONS = {"pushMessage", "multicast", "narrowcast", "broadcast"}
RETRY_KEY_TTL = 24 * HOUR
MAX_BODY_BYTES = 10 * 1024 * 1024
LOCAL_PREFIX = "/__local__/"
RATE_LIMIT_MESSAGE = "The API rate limit has been exceeded. Try again later."


class _Truncated(Exception):
    """The connection closed before the request's body was complete."""


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict
    json: object
    status: int = 0
    operation: str | None = None
    request_id: str = ""
    error: dict | None = None  # the LINE error body answered, for refused requests

    def as_json(self) -> dict:
        headers = {k: ("Bearer ***" if k == "authorization" else v) for k, v in self.headers.items()}
        return {"method": self.method, "path": self.path, "headers": headers, "json": self.json,
                "status": self.status, "operation": self.operation, "requestId": self.request_id, "error": self.error}


@dataclass
class Fault:
    remaining: int
    status: int | None  # None: drop the connection
    deliver: bool
    operation: str | None


@dataclass
class _Outcome:
    reply: Reply | None = None
    drop: bool = False
    invalid: bool = False
    record: RecordedRequest | None = None
    extra_headers: dict = field(default_factory=dict)


_SPEC_CACHE: dict[str, Spec] = {}
_SPEC_LOCK = threading.Lock()


def load_spec(path=SPEC_PATH) -> Spec:
    """The parsed spec, once per process (parsing the 6,000-line YAML takes a while)."""
    with _SPEC_LOCK:
        if str(path) not in _SPEC_CACHE:
            _SPEC_CACHE[str(path)] = Spec.load(path)
        return _SPEC_CACHE[str(path)]


class LocalLineServer(ServedInThread, LineOperations):
    thread_name = "local-line-server"

    def __init__(self, channel_access_token: str = "test-token", latency: float = 0.0,  # noqa: S107
                 rate_limit_per_second: int | None = None, port: int = 0, *, host: str = "127.0.0.1",
                 rate_limits: dict | str | None = None, record_bodies: bool = True, strict_ids: bool = True,
                 require_image_matches_size: bool = True, max_logged_requests: int = 1_000,
                 retry_key_ttl: float = RETRY_KEY_TTL, spec_path=SPEC_PATH):
        self.channel_access_token = channel_access_token
        self.latency = latency
        self.host, self.port = host, port
        self.record_bodies = record_bodies
        self.strict_ids = strict_ids
        self.require_image_matches_size = require_image_matches_size
        self.max_logged_requests = max_logged_requests
        self.retry_key_ttl = retry_key_ttl
        self.spec = load_spec(spec_path)
        self.configure_rate_limits(rate_limit_per_second, rate_limits)
        self._lock = threading.RLock()
        self.reset()

    # --- configuration and state ----------------------------------------------------------------------------
    def configure_rate_limits(self, per_second: int | None = None, table: dict | str | None = None) -> None:
        limits: dict[str, tuple[int, float]] = {}
        if per_second:
            limits["*"] = (int(per_second), 1.0)
        if table == "line":
            limits.update(LINE_RATE_LIMITS)
        elif table:
            for name, value in table.items():
                limits[name] = (int(value), 1.0) if isinstance(value, int | float) else (int(value[0]), value[1])
        self.rate_limits = limits
        self._windows: dict[str, deque] = {}

    def reset(self) -> None:
        """Forget every request, delivery, rich menu, fault and rate-limit window (the configuration stays)."""
        with getattr(self, "_lock", threading.RLock()):
            self.requests: deque[RecordedRequest] = deque(maxlen=self.max_logged_requests)
            self.invalid_requests: list[RecordedRequest] = []
            self.received: defaultdict[str, list[Delivery]] = defaultdict(list)
            self.counters: Counter = Counter()
            self.by_operation: defaultdict[str, Counter] = defaultdict(Counter)
            self.retry_keys: dict[str, tuple[str, float, dict]] = {}
            self.faults: list[Fault] = []
            self.friends: set[str] = set()
            self.blocked: set[str] = set()
            self.profiles: dict[str, dict] = {}
            self.reply_tokens: dict[str, str] = {}
            self.broadcasts: list[dict] = []
            self.narrowcasts: dict[str, dict] = {}
            self.batches: dict[str, float] = {}
            self.richmenus: dict[str, dict] = {}
            self.richmenu_images: dict = {}
            self.richmenu_aliases: dict[str, str] = {}
            self.user_richmenus: dict[str, str] = {}
            self.default_richmenu_id: str | None = None
            self.response_errors: list[dict] = []
            self.monthly_limit_reached = False
            self._windows = {}
            self._message_serial = 0

    def fail_next(self, n: int = 1, status: int = 500, *, deliver: bool = False, operation: str | None = None):
        """Answer the next n valid requests (of `operation`, an operationId, if given) with `status`.

        deliver=False: nothing happens on the server (LINE refused it). deliver=True: the request is carried out
        (messages delivered, retry key taken) and only the answer is an error, as after a LINE-side timeout.
        """
        with self._lock:
            self.faults.append(Fault(n, status, deliver, operation))

    def drop_next(self, n: int = 1, *, deliver: bool = False, operation: str | None = None):
        """Close the connection of the next n valid requests without an answer (after delivering if deliver)."""
        with self._lock:
            self.faults.append(Fault(n, None, deliver, operation))

    def issue_reply_token(self, user_id: str) -> str:
        """A reply token as a webhook event would carry it; usable once with /v2/bot/message/reply."""
        token = uuid.uuid4().hex
        with self._lock:
            self.reply_tokens[token] = user_id
        return token

    def count_truncated(self) -> None:
        """A request whose sender went away mid-body (not answered, not a request LINE would have seen)."""
        with self._lock:
            self.counters["truncated"] += 1

    def delivery_counts(self) -> dict[str, int]:
        with self._lock:
            return {user_id: len(items) for user_id, items in self.received.items() if items}

    def stats(self) -> dict:
        with self._lock:
            counts = [len(items) for items in self.received.values() if items]
            return {
                "requests": self.counters["requests"],
                "invalid": self.counters["invalid"],
                "truncated": self.counters["truncated"],
                "deliveries": self.counters["deliveries"],
                "messages": self.counters["messages"],
                "recipients": len(counts),
                "recipients_with_more_than_one": sum(c > 1 for c in counts),
                "max_per_recipient": max(counts, default=0),
                "retry_conflicts": self.counters["retry_conflicts"],
                "rate_limited": self.counters["rate_limited"],
                "faults_injected": self.counters["faults"],
                "blocked_skipped": self.counters["blocked_skipped"],
                "response_errors": len(self.response_errors),
                "by_operation": {op: {str(k): v for k, v in c.items()} for op, c in self.by_operation.items()},
            }

    # --- lifecycle (localhttp.ServedInThread: start, stop, serve_forever, base_url) ----------------------------
    def make_server(self) -> LocalHTTPServer:
        handler = type("LineHandler", (_Handler,), {"line": self})
        self._httpd = LocalHTTPServer((self.host, self.port), handler)
        return self._httpd

    # --- the request pipeline -----------------------------------------------------------------------------
    def handle(self, method: str, target: str, headers: dict, raw: bytes) -> _Outcome:
        url = urlsplit(target)
        request_id = str(uuid.uuid4())
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        body = None
        if raw and content_type == "application/json":
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        record = RecordedRequest(method, url.path, headers, body if self.record_bodies else None,
                                 request_id=request_id)
        if self.latency:
            time.sleep(self.latency)
        try:
            reply, fault = self._process(method, url, headers, raw, content_type, body, request_id, record)
        except LineError as error:
            reply, fault = Reply(status=error.status, body=error.body(), headers=error.headers), None
            record.error = reply.body
        record.status = reply.status if fault is None or fault.status is None else fault.status
        outcome = _Outcome(reply=reply, record=record)
        if fault is not None:
            if fault.status is None:
                outcome.drop, record.status = True, 0
            else:
                outcome.reply = Reply(status=fault.status, body={"message": "Internal Server Error"})
        outcome.invalid = reply.status in (400, 401, 404, 405, 413, 415) and fault is None
        with self._lock:
            self.counters["requests"] += 1
            self.by_operation[record.operation or "(none)"][record.status] += 1
            self.requests.append(record)
            if outcome.invalid:
                self.counters["invalid"] += 1
                if len(self.invalid_requests) < self.max_logged_requests:
                    self.invalid_requests.append(record)
        return outcome

    def _process(self, method, url, headers, raw, content_type, body, request_id, record):
        if headers.get("authorization") is None:
            raise LineError(401, "Authorization header required. Must follow the scheme, "
                                 "'Authorization: Bearer <ACCESS TOKEN>'")
        if headers["authorization"] != f"Bearer {self.channel_access_token}":
            raise LineError(401, "Authentication failed. Confirm that the access token in the authorization "
                                 "header is valid.")
        try:
            op, path_params = self.spec.route(method, url.path)
        except RouteNotFound:
            raise LineError(404, "Not found") from None
        except MethodNotAllowed:
            raise LineError(405, "Method Not Allowed") from None
        record.operation = op.operation_id
        self._rate_limit(op.operation_id)
        retry_key = headers.get("x-line-retry-key")
        if retry_key is not None:
            if op.operation_id not in RETRY_KEY_OPERATIONS:
                raise LineError(400, "The 'X-Line-Retry-Key' header is not supported by this API")
            if not _is_uuid(retry_key):
                raise LineError(400, "The value for the 'X-Line-Retry-Key' header is invalid")
        query = parse_qs(url.query)
        details = self.spec.validate_parameters(op, query, path_params)
        if details:
            raise LineError(400, f"The request has {len(details)} error(s)", [d.as_json() for d in details])
        if op.body_media:
            self._check_body(op, raw, content_type, body)
        call = Call(op.operation_id, request_id, body, raw, content_type, path_params, query, retry_key)
        handler = getattr(self, "op_" + op.operation_id, None) or self._generic
        fault = self._take_fault(op.operation_id)
        if fault is not None and not fault.deliver:
            return Reply(status=fault.status or 500), fault
        try:
            reply = self._execute(handler, call)
        except LineError as error:
            if fault is None:
                raise
            record.error = error.body()
            return Reply(status=error.status, body=error.body(), headers=error.headers), fault
        self._check_response(op, reply)
        return reply, fault

    def _execute(self, handler, call: Call) -> Reply:
        """Carry out one valid request, at most once per retry key (atomically: concurrent repeats get 409)."""
        with self._lock:
            if call.retry_key is not None:
                self._expire_retry_keys()
                seen = self.retry_keys.get(call.retry_key)
                if seen is not None and time.monotonic() - seen[1] < self.retry_key_ttl:
                    self.counters["retry_conflicts"] += 1
                    raise LineError(409, "The retry key is already accepted",
                                    headers={"X-Line-Accepted-Request-Id": seen[0]}, extra=seen[2])
            reply = handler(call)
            if call.retry_key is not None and 200 <= reply.status < 300:
                sent = {}
                if isinstance(reply.body, dict) and "sentMessages" in reply.body:
                    sent = {"sentMessages": reply.body["sentMessages"]}
                self.retry_keys[call.retry_key] = (call.request_id, time.monotonic(), sent)
            return reply

    def _check_body(self, op, raw: bytes, content_type: str, body) -> None:
        if "application/json" in op.body_media:
            if not raw and not op.body_required:
                return
            if content_type != "application/json":
                raise LineError(415, "Unsupported Media Type: the Content-Type must be application/json")
            if not raw:
                raise LineError(400, "The request body is required")
            if body is None:
                raise LineError(400, "The request body could not be parsed as JSON (line: -, column: -)")
            details = self.spec.validate_body(op, body)
            if details:
                raise LineError(400, f"The request body has {len(details)} error(s)",
                                [d.as_json() for d in details])
        elif op.body_required and not raw:
            raise LineError(400, "The request body is required")

    def _rate_limit(self, operation: str) -> None:
        limit = self.rate_limits.get(operation) or self.rate_limits.get("*")
        if limit is None:
            return
        count, period = limit
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault(operation, deque())
            while window and now - window[0] >= period:
                window.popleft()
            if len(window) >= count:
                self.counters["rate_limited"] += 1
                raise LineError(429, RATE_LIMIT_MESSAGE)
            window.append(now)

    def _take_fault(self, operation: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.operation in (None, operation):
                    fault.remaining -= 1
                    self.counters["faults"] += 1
                    if fault.remaining == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def _expire_retry_keys(self) -> None:
        """Forget keys older than the TTL now and then (memory); a lookup checks the age itself."""
        if len(self.retry_keys) % 1024 == 0:
            cutoff = time.monotonic() - self.retry_key_ttl
            for key in [k for k, v in self.retry_keys.items() if v[1] < cutoff]:
                del self.retry_keys[key]

    def _generic(self, call: Call) -> Reply:
        """An operation without its own implementation: the spec's example answer, or {} if that is valid."""
        op = self.spec.by_id[call.operation]
        raw = self.spec.document["paths"][op.template][op.method.lower()]
        for status, response in sorted(raw.get("responses", {}).items()):
            if not status.startswith("2"):
                continue
            content = response.get("content", {})
            media = content.get("application/json")
            if not content:
                return Reply(status=int(status), body={})
            if media is None:  # binary content (message images, …) is not kept by this server
                break
            schema = media.get("schema", {})
            candidates = [e["value"] for e in (media.get("examples") or {}).values() if "value" in e]
            candidates += [media["example"]] if "example" in media else []
            for body in [*candidates, {}]:  # a few of the spec's own examples do not match its schema
                if not self.spec.validate_body_schema(body, schema):
                    return Reply(status=int(status), body=body)
        raise LineError(501, f"{call.operation} is not implemented by the local LINE server")

    def _check_response(self, op, reply: Reply) -> None:
        """Record (as a bug of this server) a 2xx JSON answer that does not match the spec's response schema."""
        if not isinstance(reply.body, dict) or not 200 <= reply.status < 300:
            return
        raw = self.spec.document["paths"][op.template][op.method.lower()]
        media = raw.get("responses", {}).get(str(reply.status), {}).get("content", {}).get("application/json")
        if media and "schema" in media:
            problems = self.spec.validate_body_schema(reply.body, media["schema"])
            if problems:
                with self._lock:
                    self.response_errors.append({"operation": op.operation_id,
                                                 "details": [p.as_json() for p in problems]})

    # --- /__local__/ introspection --------------------------------------------------------------------------
    def handle_local(self, method: str, target: str, raw: bytes) -> tuple[int, dict]:
        url = urlsplit(target)
        name = url.path[len(LOCAL_PREFIX):].strip("/")
        query = parse_qs(url.query)
        data = json.loads(raw) if raw else {}
        with self._lock:
            if method == "GET" and name == "stats":
                return 200, self.stats()
            if method == "GET" and name == "received":
                if "user" in query:
                    user_id = query["user"][0]
                    return 200, {"user": user_id, "deliveries": [d.as_json() for d in self.received.get(user_id, [])]}
                return 200, {"counts": self.delivery_counts()}
            if method == "GET" and name == "invalid":
                return 200, {"invalid": [r.as_json() for r in self.invalid_requests]}
            if method == "GET" and name == "requests":
                limit = int(query.get("limit", ["100"])[0])
                return 200, {"requests": [r.as_json() for r in list(self.requests)[-limit:]]}
            if method == "GET" and name == "richmenus":
                return 200, {"richmenus": self.richmenus, "default": self.default_richmenu_id,
                             "users": self.user_richmenus, "aliases": self.richmenu_aliases,
                             "images": {k: [v.content_type, v.width, v.height]
                                        for k, v in self.richmenu_images.items()}}
            if method == "POST" and name == "reset":
                self.reset()
                return 200, {}
            if method == "POST" and name in ("fail_next", "drop_next"):
                status = None if name == "drop_next" else int(data.get("status", 500))
                self.faults.append(Fault(int(data.get("n", 1)), status, bool(data.get("deliver", False)),
                                         data.get("operation")))
                return 200, {}
            if method == "POST" and name == "reply_token":
                return 200, {"replyToken": self.issue_reply_token(data["userId"])}
            if method == "POST" and name == "config":
                return 200, self._configure(data)
        return 404, {"message": "Not found"}

    def set_user_language(self, user_id: str, language: str) -> None:
        """The language of the user's LINE app, as GET /v2/bot/profile/{userId} reports it (a BCP 47 tag such as
        "en-US"; "" for a profile without one)."""
        profile = {**self.profiles.get(user_id, {"displayName": "LINE user"})}
        if language:
            profile["language"] = language
        else:
            profile.pop("language", None)
        self.profiles[user_id] = profile

    def _configure(self, data: dict) -> dict:
        if "latency" in data:
            self.latency = float(data["latency"])
        if "rate_limit_per_second" in data or "rate_limits" in data:
            self.configure_rate_limits(data.get("rate_limit_per_second"), data.get("rate_limits"))
        for name in ("friends", "blocked"):
            if name in data:
                setattr(self, name, set(data[name]))
        if "monthly_limit_reached" in data:
            self.monthly_limit_reached = bool(data["monthly_limit_reached"])
        for user_id, language in (data.get("user_languages") or {}).items():
            self.set_user_language(user_id, language)
        return {"latency": self.latency, "rate_limits": self.rate_limits}


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


class _Handler(LocalHandler):
    line: LocalLineServer
    server_version = "toki-local-line/1"

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_PUT(self):
        self._serve("PUT")

    def do_DELETE(self):
        self._serve("DELETE")

    def do_PATCH(self):
        self._serve("PATCH")

    def _read_body(self) -> bytes | None:
        """The request body; None when it is too large. Raises _Truncated when the sender went away before the
        whole body arrived (a client killed mid-request): LINE never sees such a request, so it is not one."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:
                line = self.rfile.readline()
                if not line:
                    raise _Truncated
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    return None
                chunk = self.rfile.read(size)
                if len(chunk) < size:
                    raise _Truncated
                chunks.append(chunk)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise _Truncated
        return body

    def _serve(self, method: str):
        try:
            raw = self._read_body()
        except _Truncated:
            self.close_connection = True
            self.line.count_truncated()
            return
        if raw is None:
            self.close_connection = True
            self._send(Reply(status=413, body={"message": "Request Entity Too Large"}), {})
            return
        if self.path.startswith(LOCAL_PREFIX):
            try:
                status, body = self.line.handle_local(method, self.path, raw)
            except (ValueError, KeyError, TypeError) as error:
                status, body = 400, {"message": f"bad request: {error}"}
            self._send(Reply(status=status, body=body), {})
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        outcome = self.line.handle(method, self.path, headers, raw)
        if outcome.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(outcome.reply, {"x-line-request-id": outcome.record.request_id})

    def _send(self, reply: Reply, headers: dict):
        if isinstance(reply.body, bytes):
            payload, content_type = reply.body, reply.content_type
        else:
            payload, content_type = json.dumps(reply.body, ensure_ascii=False).encode(), "application/json"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in {**headers, **reply.headers}.items():
            self.send_header(name, value)
        self._headers_buffer.append(b"\r\n" + payload)  # end_headers() without its separate flush
        try:
            self.flush_headers()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _watch_parent(parent: int, server: LocalLineServer) -> None:
    """No orphaned servers: a test run that is killed takes its server with it."""
    while os.getppid() == parent:
        time.sleep(0.5)
    server._httpd.shutdown()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m toki.notify.line.localserver",
                                     description="Local LINE Messaging API server for tests and benchmarks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18100)
    parser.add_argument("--token", default="test-token", help="the channel access token it accepts")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="sleep before each answer")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per second, each endpoint")
    parser.add_argument("--line-rate-limits", action="store_true", help="LINE's published per-endpoint limits")
    parser.add_argument("--record-bodies", action="store_true", help="keep message bodies (default: counters and ids)")
    parser.add_argument("--lenient-ids", action="store_true", help="accept user ids that do not look like LINE's")
    parser.add_argument("--exit-with-parent", action="store_true", help="stop when the starting process is gone")
    parser.add_argument("--user-language", action="append", default=[], metavar="USERID=TAG",
                        help="the LINE app language a user's profile reports, e.g. U0123…=en-US (repeatable)")
    args = parser.parse_args(argv)
    languages = {}
    for item in args.user_language:
        user_id, equals, tag = item.partition("=")
        if not equals or not user_id:
            parser.error(f"--user-language {item!r}: expected USERID=TAG, e.g. U{'0' * 32}=en-US")
        languages[user_id] = tag
    server = LocalLineServer(args.token, latency=args.latency_ms / 1000, rate_limit_per_second=args.rate_limit,
                             port=args.port, host=args.host, rate_limits="line" if args.line_rate_limits else None,
                             record_bodies=args.record_bodies, strict_ids=not args.lenient_ids)
    for user_id, tag in languages.items():
        server.set_user_language(user_id, tag)

    def shutdown(signum, frame):
        threading.Thread(target=server._httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    if args.exit_with_parent:
        threading.Thread(target=_watch_parent, args=(os.getppid(), server), daemon=True).start()
    print(f"local LINE server on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()
    server._httpd.server_close()


if __name__ == "__main__":
    main()
