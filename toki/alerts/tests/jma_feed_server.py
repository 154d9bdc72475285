"""A local stand-in for JMA's PULL server: Atom feeds and telegrams over real HTTP on 127.0.0.1 (DESIGN.md rule 8).

    with FeedServer() as server:
        feed = server.publish_feed("/feed/extra.xml", [server.telegram("32-35_06_03_240613_VXSE53.xml", updated)])
        poll_feed(feed)
        server.hits("/feed/extra.xml")

It speaks what the poller relies on: Last-Modified, If-Modified-Since → 304, gzip when asked for, a status of
choice, and a delay (to make the client time out). Every request is counted, so a test can prove that a telegram
already held is never downloaded again. Telegram bodies are the real JMA samples; the feeds are generated in the
shape of JMA's (reference §1). Also used by bench/jma_latency.py.
"""

import gzip as gzip_module
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "jma" / "samples"
ATOM_NS = "http://www.w3.org/2005/Atom"
DATA_PATH = "/developer/xml/data/"
_CONTROL_TITLE = re.compile(r"<Control>\s*<Title>([^<]*)</Title>")
_EDITORIAL_OFFICE = re.compile(r"<EditorialOffice>([^<]*)</EditorialOffice>")
_HEADLINE = re.compile(r"<Headline>\s*<Text>([^<]*)</Text>")

BILLION_LAUGHS_FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<feed xmlns="{ATOM_NS}"><title>&lol4;</title></feed>""".encode()


def sample_bytes(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


@dataclass(frozen=True)
class FeedEntry:
    link: str
    updated: datetime
    title: str = "気象警報・注意報（Ｈ２７）"
    author: str = "新潟地方気象台"
    content: str = ""
    id: str = ""


def atom_feed(entries: list[FeedEntry], *, title: str = "高頻度（随時）", self_url: str = "",
              updated: datetime | None = None, namespace: str = ATOM_NS) -> bytes:
    """An Atom feed in the shape of JMA's, entries in the order given (JMA lists the newest first)."""
    updated = updated or max((e.updated for e in entries), default=datetime(2025, 1, 1, tzinfo=UTC))
    items = "".join(
        f"""
  <entry>
    <title>{escape(e.title)}</title>
    <id>{escape(e.id or e.link)}</id>
    <updated>{e.updated.isoformat()}</updated>
    <author>
      <name>{escape(e.author)}</name>
    </author>
    <link type="application/xml" href="{escape(e.link, {'"': "&quot;"})}"/>
    <content type="text">{escape(e.content)}</content>
  </entry>"""
        for e in entries
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="{namespace}" lang="ja">
  <title>{escape(title)}</title>
  <subtitle>JMAXML publishing feed</subtitle>
  <updated>{updated.isoformat()}</updated>
  <id>{escape(self_url)}#short_{int(updated.timestamp())}</id>
  <link rel="related" href="https://www.jma.go.jp/"/>
  <link rel="self" href="{escape(self_url)}"/>
  <link rel="hub" href="http://alert-hub.appspot.com/"/>
  <rights type="html">&lt;a href="https://www.jma.go.jp/jma/kishou/info/coment.html"&gt;利用規約&lt;/a&gt;</rights>{items}
</feed>
""".encode()


@dataclass
class Resource:
    body: bytes
    last_modified: datetime
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering
    gzip: bool = False  # compress when the client accepts gzip
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    content_type: str = "application/xml"
    published_at: float = 0.0  # time.time() when put() installed it


@dataclass
class Request:
    path: str
    headers: dict = field(default_factory=dict)
    status: int = 0
    at: float = 0.0  # time.time() when the server looked the resource up (a benchmark's "poll" moment)


class _Handler(BaseHTTPRequestHandler):
    server_version = "JmaPullStandIn/1.0"
    protocol_version = "HTTP/1.0"

    def do_GET(self):  # the name http.server dispatches to
        stand_in: FeedServer = self.server.stand_in
        record = Request(path=self.path, headers=dict(self.headers.items()))
        resource = stand_in.lookup(record)
        if resource is None:
            record.status = 404
            self._answer(404, b"not found", {})
            return
        if resource.delay:
            threading.Event().wait(resource.delay)
        headers = {"Last-Modified": http_date(resource.last_modified), "Content-Type": resource.content_type}
        if resource.status == 200 and self._not_modified(resource):
            record.status = 304
            self._answer(304, b"", headers)
            return
        body = resource.body
        if resource.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip_module.compress(body)
            headers["Content-Encoding"] = "gzip"
        record.status = resource.status
        self._answer(resource.status, body, headers, send_length=resource.send_length)

    def _not_modified(self, resource: Resource) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            since_at = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return resource.last_modified.replace(microsecond=0) <= since_at

    def _answer(self, status: int, body: bytes, headers: dict, *, send_length: bool = True) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if send_length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to tell it

    def log_message(self, format, *args):  # http.server's signature; the tests want silence
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hung up is part of the tests


class FeedServer:
    """The stand-in server, on 127.0.0.1 and a free port, serving in a background thread until stop()."""

    def __init__(self):
        self._lock = threading.Lock()
        self._resources: dict[str, Resource] = {}
        self.requests: list[Request] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stand_in = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="jma-feed-server")
        self.clock = datetime(2025, 6, 30, 0, 0, tzinfo=UTC)  # the Last-Modified of the next change

    # --- life ---
    def start(self) -> "FeedServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "FeedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # --- content ---
    def tick(self) -> datetime:
        """A Last-Modified one second after the previous one (HTTP dates have one-second resolution)."""
        with self._lock:
            self.clock += timedelta(seconds=1)
            return self.clock

    def put(self, path: str, body: bytes, *, last_modified: datetime | None = None, **options) -> str:
        resource = Resource(body=body, last_modified=last_modified or self.tick(), **options)
        with self._lock:
            resource.published_at = time.time()
            self._resources[path] = resource
        return self.url(path)

    def lookup(self, request: Request) -> Resource | None:
        """Record a request and return what it is answered from, at one instant (under the lock)."""
        with self._lock:
            request.at = time.time()
            self.requests.append(request)
            return self._resources.get(request.path)

    def resource(self, path: str) -> Resource | None:
        with self._lock:
            return self._resources.get(path)

    def telegram(self, sample: str, updated: datetime, *, name: str | None = None, body: bytes | None = None,
                 **options) -> FeedEntry:
        """Serve a sample telegram (under another file name if given) and return its feed entry."""
        body = sample_bytes(sample) if body is None else body
        text = body.decode("utf-8", "replace")
        title = _CONTROL_TITLE.search(text)
        office = _EDITORIAL_OFFICE.search(text)
        headline = _HEADLINE.search(text)
        link = self.put(DATA_PATH + (name or sample), body, **options)
        return FeedEntry(link=link, updated=updated, title=title.group(1) if title else "?",
                         author=office.group(1) if office else "", content=headline.group(1) if headline else "")

    def publish_feed(self, path: str, entries: list[FeedEntry], **options) -> str:
        """Serve an Atom feed of the entries, newest first as JMA lists them, with a new Last-Modified."""
        ordered = sorted(entries, key=lambda e: e.updated, reverse=True)
        return self.put(path, atom_feed(ordered, self_url=self.url(path)), **options)

    # --- what the client did ---
    def hits(self, path_or_url: str) -> int:
        path = path_or_url.removeprefix(self.base_url)
        with self._lock:
            return sum(r.path == path for r in self.requests)

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def statuses(self, path_or_url: str) -> list[int]:
        path = path_or_url.removeprefix(self.base_url)
        with self._lock:
            return [r.status for r in self.requests if r.path == path]

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()

    def reset(self) -> None:
        """Forget every resource and request (a server shared by the tests of a class)."""
        with self._lock:
            self.requests.clear()
            self._resources.clear()


# Real samples for the tests: three that concern Sado (a 通常 earthquake, a 通常 tsunami warning, a tsunami
# drill) and three that do not (Tokyo H27 warnings, a rain report elsewhere, an EEW delivery test).
SADO_SAMPLES = ("32-35_06_03_240613_VXSE53.xml", "32-39_11_13_250206_VTSE41.xml", "32-39_12_02_250206_VTSE41.xml")
OTHER_SAMPLES = ("15_14_01_170216_VPWW53.xml", "18_03_01_190412_VPOA50.xml", "54_01_01_100514_VXSE42.xml")
T0 = datetime(2025, 6, 30, 3, 0, tzinfo=UTC)


class FeedServerMixin:
    """One FeedServer per test class, emptied before each test (a TestCase mixin)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = FeedServer().start()
        cls.addClassCleanup(cls.server.stop)

    def setUp(self):
        super().setUp()
        self.server.reset()

    def entries(self, samples, *, start: datetime = T0, **options) -> list[FeedEntry]:
        """Serve the samples as telegrams, one minute apart from `start`, and return their feed entries."""
        return [self.server.telegram(name, start + timedelta(minutes=i), **options) for i, name in enumerate(samples)]
