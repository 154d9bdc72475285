"""Cached public pages (docs/page-cache.md): the home, warnings, shelters, tourist and other public pages an
anonymous reader gets are rendered once per language and public version, then served from a cache.

**Invalidation.** Every public change raises `PublicVersion.number` (`public_changed()`): the portal's subscribers
of the domain events that republish the 軽量版 call it (toki/portal/subscribers.py), and so does disaster mode,
in its own transaction. A page is cached under the version read *before* it was rendered, so a page that read
data from before a change is never served under the version after it. Each process reads the version at most
once per VERSION_CHECK_SECONDS, so a change is served within that plus the event's delivery (the worker picks
the delivery up within a second). Entries also expire after TOKI_PAGE_CACHE_SECONDS: what changes with time alone
(the JMA feed's freshness) is never older than that.

**Who gets a cached page.** GET requests with no session cookie and no messages cookie, i.e. readers who are not
logged in and have nothing addressed to them personally; staff (always a session) never read from or write to
the cache, so nothing a staff member sees (drills, staff links) can reach anyone else. A response is stored only
if it is a 200 HTML page of a view in CACHED_PAGES, with only that view's known query parameters, that set no
cookie, wrote nothing into the session, showed no message and used no CSRF token (a token is the reader's own;
the public forms need none: the survey posts without a cookie and the language switch is a link). A page that
used the CSP nonce (an inline style) is served with a fresh nonce in place of the one it was rendered with: that
nonce was random and unknown when any content in the page was written, so the swap opens nothing a render would
not.

**Where.** The middleware sits right inside the page-view counter: the outer ones (security headers, CSP,
language, CSRF, authentication, page-view counting) run for a cached page as for a rendered one. A hit skips the
messages and X-Frame-Options middleware (for an anonymous reader with no message their only work is the header,
which is stored with the page), URL resolution and the view. The key holds the language LocaleMiddleware chose;
responses carry `Vary: Accept-Language, Cookie` either way.

**Failures.** Any error of the cache or of reading the version means the page is rendered as if there were no
cache (logged, at most once a minute per process): the cache can make a page faster, never make it fail.
"""

import hashlib
import logging
import threading
import time

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db.models import F
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from toki.portal.models import PublicVersion

log = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
VERSION_CHECK_SECONDS = 1.0
STATUS_HEADER = "X-Toki-Page-Cache"  # hit, or miss when the page was rendered and stored
_ERROR_LOG_INTERVAL = 60.0

# URL name → the query parameters its page may be cached with (any other parameter: rendered, not cached).
CACHED_PAGES: dict[str, frozenset[str]] = {
    "portal:home": frozenset({"survey"}),
    "portal:warnings": frozenset({"category", "district", "page"}),
    "portal:shelters": frozenset(),
    "portal:tourist": frozenset(),
    "portal:preparedness": frozenset(),
    "portal:opendata": frozenset(),
    "lifelines:index": frozenset(),
    "notices:list": frozenset({"category", "page"}),
    "notices:detail": frozenset(),
    "posts:list": frozenset({"page"}),
}

_version_memo: tuple[int, float] = (0, float("-inf"))  # (number, time.monotonic() it was read)
_last_error_logged = float("-inf")
_log_lock = threading.Lock()


def public_changed() -> None:
    """Raise the public version: pages cached before this call are not served again (within
    VERSION_CHECK_SECONDS in other processes, at once in this one). Call it after the change committed, or inside
    the change's own transaction."""
    global _version_memo
    now = timezone.now()
    version, created = PublicVersion.objects.get_or_create(pk=1, defaults={"number": 1, "changed_at": now})
    if not created:
        PublicVersion.objects.filter(pk=version.pk).update(number=F("number") + 1, changed_at=now)
    _version_memo = (0, float("-inf"))


def current_version() -> int:
    """The public version, read from the database at most once per VERSION_CHECK_SECONDS in this process."""
    global _version_memo
    number, read_at = _version_memo
    now = time.monotonic()
    if now - read_at < VERSION_CHECK_SECONDS:
        return number
    number = PublicVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0
    _version_memo = (number, now)
    return number


def forget_version() -> None:
    """Read the version again on the next request (tests: the database was rolled back under the memo)."""
    global _version_memo
    _version_memo = (0, float("-inf"))


def _log_error(what: str) -> None:
    """Log a cache failure with its traceback, at most once per _ERROR_LOG_INTERVAL: with Redis down every request
    would otherwise log one."""
    global _last_error_logged
    with _log_lock:
        now = time.monotonic()
        if now - _last_error_logged < _ERROR_LOG_INTERVAL:
            return
        _last_error_logged = now
    log.warning("page cache: %s; pages are rendered without the cache", what, exc_info=True)


def _reader_is_anonymous(request) -> bool:
    return (request.method == "GET"
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and CookieStorage.cookie_name not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META)


def page_key(request) -> str | None:
    """The cache key of this request's page, or None when this request must be rendered for its reader."""
    if not settings.TOKI_PAGE_CACHE_SECONDS or not _reader_is_anonymous(request):
        return None
    try:
        version = current_version()
    except Exception:
        _log_error("could not read the public version")
        return None
    # htmx asks for fragments of the same URL: a fragment is kept apart from the whole page.
    fragment = "hx" if "HTTP_HX_REQUEST" in request.META else "page"
    path = hashlib.sha256(request.get_full_path().encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return f"toki:page:{version}:{request.LANGUAGE_CODE}:{fragment}:{path}"


def _view_may_be_cached(request) -> bool:
    match = request.resolver_match
    allowed = CACHED_PAGES.get(match.view_name) if match else None
    return allowed is not None and set(request.GET).issubset(allowed)


def _is_storable(request, response) -> bool:
    """A 200 HTML page of a cached view that holds nothing of this reader's own (see the module's docstring)."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html") or not _view_may_be_cached(request):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # a CSRF token in the page belongs to this reader
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    return not len(get_messages(request))


def _entry(request, response) -> tuple[bytes, dict, bytes | None]:
    """What is stored: the page, its headers, and the CSP nonce it was rendered with (None if it used none)."""
    nonce = get_nonce(request)
    return response.content, dict(response.headers), str(nonce).encode() if nonce else None


def _cached_response(request, entry) -> HttpResponse:
    content, headers, nonce = entry
    if nonce:
        content = content.replace(nonce, str(get_nonce(request)).encode())
    response = HttpResponse(content, headers=headers)
    response[STATUS_HEADER] = "hit"
    return response


class PageCacheMiddleware:
    """Serve anonymous readers' public pages from the cache, and store them there (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = page_key(request)
        if key is None:
            return self.get_response(request)
        try:
            entry = caches[CACHE_ALIAS].get(key)
        except Exception:
            _log_error("could not read a page")
            return self.get_response(request)
        if entry is not None:
            return _cached_response(request, entry)
        response = self.get_response(request)
        if _is_storable(request, response):
            # The page depends on the language cookie and on having no session; say so even when the view did not.
            patch_vary_headers(response, ("Cookie",))
            try:
                caches[CACHE_ALIAS].set(key, _entry(request, response), settings.TOKI_PAGE_CACHE_SECONDS)
            except Exception:
                _log_error("could not store a page")
            else:
                response[STATUS_HEADER] = "miss"
        return response
