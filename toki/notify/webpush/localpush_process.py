"""The local push service in another process (`python -m toki.notify.webpush.localpush`), for the benchmark:
`LocalPushProcess` starts and stops it, `LocalPushClient` drives it through its /__local__/ endpoints."""

import json
import sys
import urllib.request

from toki.notify.localhttp import ChildServer
from toki.notify.webpush.localpush import LOCAL_PREFIX


class LocalPushClient:
    def __init__(self, base_url: str, timeout: float = 60.0):
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def _call(self, method: str, name: str, data: dict | None = None):
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 - http on loopback
            self.base_url + LOCAL_PREFIX + name, data=body, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - loopback
            return json.loads(response.read())

    def stats(self) -> dict:
        return self._call("GET", "stats")

    def counts(self) -> dict[str, int]:
        return self._call("GET", "counts")

    def refused(self) -> list:
        return self._call("GET", "refused")

    def subscribe(self, count: int, application_server_key: str = "") -> list[dict]:
        return self._call("POST", "subscribe", {"count": count, "application_server_key": application_server_key})

    def messages(self, endpoint: str) -> list[dict]:
        return self._call("POST", "messages", {"endpoint": endpoint})

    def reset(self) -> None:
        self._call("POST", "reset", {})


class LocalPushProcess(ChildServer):
    name = "local push service"

    def __init__(self, port: int, *, latency_ms: float = 0, startup_timeout: float = 20.0):
        self.base_url = f"http://127.0.0.1:{port}"
        self.args = [sys.executable, "-m", "toki.notify.webpush.localpush", "--port", str(port),
                     "--latency-ms", str(latency_ms)]
        self.startup_timeout = startup_timeout
        self.client = LocalPushClient(self.base_url)

    def probe(self) -> object:
        return self.client.stats()

    def start(self) -> "LocalPushProcess":
        self.start_child()
        return self
