"""fetch(): one polite HTTP GET of a JMA feed or telegram, with the standard library only (urllib.request).

- conditional GET: `If-Modified-Since` carries the Last-Modified the server sent last time (verbatim, as
  RFC 9110 asks), and 304 Not Modified comes back as a Response with `not_modified` and no body;
- `Accept-Encoding: gzip`, decompressed here with the size cap applied to the decompressed bytes too (a small
  gzip bomb cannot blow up into gigabytes);
- a timeout for connecting and for every read, and a deadline for the whole download (three times it), so a
  server that trickles one byte at a time cannot hold a poll forever;
- a size cap (Content-Length is checked before reading, the bytes while reading);
- a User-Agent naming Toki (settings.TOKI_JMA_USER_AGENT), so JMA can tell who polls;
- http and https only, including redirects (no file:, ftp: or data: URLs from a feed entry);
- the environment's proxy (https_proxy, no_proxy) is honoured, except for loopback addresses.

Every failure — timeout, connection refused, DNS, TLS, HTTP 4xx/5xx, a body over the cap, broken gzip — is
one exception type, FetchError, whose message is the reason. `permanent` is True only when fetching again
cannot help (the body is over the cap or is not decodable): the caller may then quarantine the URL.
"""

import functools
import http.client
import ipaddress
import socket
import ssl
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_TIMEOUT = 10.0
DEFAULT_USER_AGENT = "Toki/0.1 (open-source municipal disaster information platform; JMA XML PULL poller)"
MAX_TELEGRAM_BYTES = 20 * 1024 * 1024
MAX_FEED_BYTES = 5 * 1024 * 1024
DEADLINE_FACTOR = 3  # a whole download may take this many times the timeout
_CHUNK = 64 * 1024
_MAX_REDIRECTS = 5
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class FetchError(Exception):
    """A GET failed; str(error) is the reason. status is the HTTP status when the server answered."""

    def __init__(self, url: str, reason: str, *, status: int | None = None, permanent: bool = False):
        super().__init__(reason)
        self.url = url
        self.reason = reason
        self.status = status
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    status: int  # 200, or 304 for not modified
    body: bytes  # b"" for 304
    last_modified: str  # the Last-Modified header, verbatim ("" when absent)
    elapsed: float  # seconds

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    max_redirections = _MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"redirect to a non-HTTP URL {newurl[:100]!r} refused",
                                         headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Loading the system's CA certificates takes tens of milliseconds: once per process is enough."""
    return ssl.create_default_context()


def _opener(url: str) -> urllib.request.OpenerDirector:
    """An opener with HTTP(S) handlers only (build_opener would add file:, ftp: and data:)."""
    proxies = {} if _is_loopback(urlsplit(url).hostname) else urllib.request.getproxies()
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(proxies),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(context=_tls_context()),
        _RedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _too_large(url: str, what: str, max_bytes: int) -> FetchError:
    return FetchError(url, f"{what} is larger than the limit of {max_bytes} bytes", permanent=True)


def _read_body(url: str, response, *, max_bytes: int, deadline: float, timeout: float) -> bytes:
    length = response.headers.get("Content-Length", "").strip()
    if length.isdigit() and int(length) > max_bytes:
        raise _too_large(url, f"response of {int(length)} bytes (Content-Length)", max_bytes)
    encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip"):
        raise FetchError(url, f"unsupported Content-Encoding {encoding!r}", permanent=True)
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding != "identity" else None
    chunks: list[bytes] = []
    received = size = 0
    while chunk := response.read(_CHUNK):
        if time.monotonic() > deadline:
            raise FetchError(url, f"timed out: the download took more than {timeout * DEADLINE_FACTOR:g} s")
        received += len(chunk)
        if received > max_bytes:
            raise _too_large(url, "response", max_bytes)
        if decompressor is not None:
            try:
                chunk = decompressor.decompress(chunk, max_bytes - size + 1)
            except zlib.error as exc:
                raise FetchError(url, f"invalid gzip data: {exc}", permanent=True) from exc
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(url, "decompressed response", max_bytes)
        chunks.append(chunk)
    if decompressor is not None and not decompressor.eof:
        raise FetchError(url, "gzip data is truncated")
    return b"".join(chunks)


def _reason_of(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    if isinstance(exc, TimeoutError):  # socket.timeout is TimeoutError
        return f"timed out after {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name: {exc.strerror or exc}"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return f"TLS error: {exc}"
    if isinstance(exc, http.client.HTTPException):
        return f"bad HTTP response: {type(exc).__name__} {exc}".strip()
    if isinstance(exc, OSError):
        return f"connection error: {exc.strerror or exc}"
    if isinstance(exc, urllib.error.URLError):
        return f"request failed: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"


def fetch(url: str, *, if_modified_since: str = "", max_bytes: int = MAX_FEED_BYTES,
          timeout: float = DEFAULT_TIMEOUT, user_agent: str = DEFAULT_USER_AGENT) -> Response:
    """GET url; a 304 to a conditional request is a Response with not_modified. Raises FetchError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(url, f"not an http(s) URL: {url[:100]!r}", permanent=True)
    headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip", "Accept": "application/xml, text/xml, */*"}
    if if_modified_since:
        headers["If-Modified-Since"] = if_modified_since
    started = time.monotonic()
    deadline = started + timeout * DEADLINE_FACTOR
    try:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) checked above; no file: handler
        with _opener(url).open(request, timeout=timeout) as response:
            if response.status != 200:
                raise FetchError(url, f"unexpected HTTP status {response.status}", status=response.status)
            body = _read_body(url, response, max_bytes=max_bytes, deadline=deadline, timeout=timeout)
            last_modified = response.headers.get("Last-Modified", "")
            status = response.status
    except urllib.error.HTTPError as exc:
        with exc:
            if exc.code == 304:
                return Response(url=url, status=304, body=b"", last_modified=exc.headers.get("Last-Modified", "")
                                or if_modified_since, elapsed=time.monotonic() - started)
            raise FetchError(url, f"HTTP {exc.code} {exc.reason}".strip(), status=exc.code) from None
    except FetchError:
        raise
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        raise FetchError(url, _reason_of(exc, timeout)) from exc
    return Response(url=url, status=status, body=body, last_modified=last_modified,
                    elapsed=time.monotonic() - started)
