"""Driving a local LINE server that runs in another process (`python -m toki.notify.line.localserver`): the
process itself (`LocalLineProcess`, started on a free port and stopped with the test or benchmark) and the client
of its /__local__/ endpoints (`LocalLineClient`). The server is localserver.py (docs/line-local-server.md)."""

import json
import socket
import sys
import urllib.request

from toki.notify.line.localserver import LOCAL_PREFIX
from toki.notify.localhttp import ChildServer


class LocalLineClient:
    """Drives a local LINE server in another process through its /__local__/ endpoints."""

    def __init__(self, base_url: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, name: str, data: dict | None = None) -> dict:
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 - http on loopback
            self.base_url + LOCAL_PREFIX + name, data=body, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - loopback
            return json.loads(response.read())

    def stats(self) -> dict:
        return self._call("GET", "stats")

    def delivery_counts(self) -> dict[str, int]:
        return self._call("GET", "received")["counts"]

    def deliveries(self, user_id: str) -> list[dict]:
        return self._call("GET", f"received?user={user_id}")["deliveries"]

    def invalid_requests(self) -> list[dict]:
        return self._call("GET", "invalid")["invalid"]

    def reset(self) -> None:
        self._call("POST", "reset", {})

    def fail_next(self, n: int = 1, status: int = 500, *, deliver: bool = False, operation: str | None = None):
        self._call("POST", "fail_next", {"n": n, "status": status, "deliver": deliver, "operation": operation})

    def drop_next(self, n: int = 1, *, deliver: bool = False, operation: str | None = None):
        self._call("POST", "drop_next", {"n": n, "deliver": deliver, "operation": operation})

    def configure(self, **settings) -> dict:
        return self._call("POST", "config", settings)

    def issue_reply_token(self, user_id: str) -> str:
        return self._call("POST", "reply_token", {"userId": user_id})["replyToken"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalLineProcess(ChildServer):
    name = "local LINE server"
    """The CLI server in a child process (it outlives killed workers); a context manager. `port=0` takes a port
    that is free now, so that two test runs on one machine never collide."""

    def __init__(self, port: int = 0, *, token: str = "test-token", latency_ms: float = 0,  # noqa: S107
                 rate_limit: int | None = None, line_rate_limits: bool = False, record_bodies: bool = False,
                 startup_timeout: float = 20.0, user_languages: dict[str, str] | None = None):
        self.port = port or _free_port()
        port = self.port
        self.base_url = f"http://127.0.0.1:{port}"
        self.args = [sys.executable, "-m", "toki.notify.line.localserver", "--port", str(port), "--token", token,
                     "--latency-ms", str(latency_ms), "--exit-with-parent"]
        if rate_limit:
            self.args += ["--rate-limit", str(rate_limit)]
        if line_rate_limits:
            self.args.append("--line-rate-limits")
        if record_bodies:
            self.args.append("--record-bodies")
        for user_id, tag in (user_languages or {}).items():
            self.args += ["--user-language", f"{user_id}={tag}"]
        self.startup_timeout = startup_timeout
        self.client = LocalLineClient(self.base_url)

    def probe(self) -> object:
        return self.client.stats()

    def start(self) -> "LocalLineProcess":
        with socket.socket() as probe:  # another server answering on the port would be taken for ours
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError:
                raise RuntimeError(f"port {self.port} is already in use") from None

        def still_running() -> None:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the local LINE server on port {self.port} exited")

        self.start_child(still_running)
        return self
