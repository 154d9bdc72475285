"""What the channels' local servers (test infrastructure: the local LINE server, the local push service) share:
the threaded HTTP server, the request handler's base, and the driver of a server running as a child process."""

import socket
import subprocess
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


class LocalHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, no access log, and no Nagle delay."""

    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in one write and without Nagle's delay: otherwise each answer waits for the
        # client's delayed ACK (40 ms on Linux), which would swamp the configured latency.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):
        pass


class ServedInThread(ABC):
    """A local server object that serves its HTTP server in a daemon thread (`start`/`stop`, a context manager) or
    in the calling thread (`serve_forever`, for a CLI). Subclasses make the server (`make_server`, which sets
    `_httpd`) and have `host`."""

    host: str
    thread_name = "local-server"
    _httpd: LocalHTTPServer | None = None
    _thread: threading.Thread | None = None

    @abstractmethod
    def make_server(self) -> LocalHTTPServer:
        """Bind the server (setting `_httpd`) and return it."""

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the server is not started")
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def start(self):
        server = self.make_server()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """For the CLI: serve in the calling thread until shutdown() from another thread or a signal."""
        self.make_server().serve_forever(poll_interval=0.2)


class OnFreeLoopbackPort(ServedInThread):
    """A ServedInThread bound, when started, to a free port on 127.0.0.1 with the handler class `_handler()`
    answers (the fares' local OpenID provider and Stripe)."""

    host = "127.0.0.1"

    @abstractmethod
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class, bound to this server object."""

    def make_server(self) -> LocalHTTPServer:
        self._httpd = LocalHTTPServer((self.host, 0), self._handler())
        return self._httpd


class ChildServer(ABC):
    """A local server started as a child process (`args`), ready once `probe()` answers; a context manager."""

    args: list[str]
    base_url: str
    startup_timeout: float = 20.0
    name = "local server"
    process: subprocess.Popen | None = None

    @abstractmethod
    def probe(self) -> object:
        """One request to the child; raises OSError while it is not answering yet."""

    def start_child(self, check: Callable[[], None] | None = None) -> None:
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL)  # noqa: S603 - our own module
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                self.probe()
                if check is not None:
                    check()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the {self.name} did not start on {self.base_url}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self.start()

    @abstractmethod
    def start(self):
        """Start the child (through `start_child`) and return self."""

    def __exit__(self, *exc) -> None:
        self.stop()
