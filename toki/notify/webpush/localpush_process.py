"""The local push service in another process (`python -m toki.notify.webpush.localpush`), for the benchmark:
`LocalPushProcess` starts and stops it, `LocalPushClient` drives it through its /__local__/ endpoints."""

import json
import subprocess
import sys
import time
import urllib.request

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


class LocalPushProcess:
    def __init__(self, port: int, *, latency_ms: float = 0, startup_timeout: float = 20.0):
        self.base_url = f"http://127.0.0.1:{port}"
        self.args = [sys.executable, "-m", "toki.notify.webpush.localpush", "--port", str(port),
                     "--latency-ms", str(latency_ms)]
        self.startup_timeout = startup_timeout
        self.client = LocalPushClient(self.base_url)
        self.process: subprocess.Popen | None = None

    def start(self) -> "LocalPushProcess":
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL)  # noqa: S603 - our own module
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                self.client.stats()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the local push service did not start on {self.base_url}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "LocalPushProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
