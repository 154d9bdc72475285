"""What every browser check shares: the report, the browser and its contexts, watching a page, logging in.

run.py drives the checks; a11y.py (axe-core), zoom.py (200% zoom) and nojs.py (JavaScript off) add theirs.
"""

import contextlib
import os
import struct
import zlib
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from tests_browser import server

CHROMIUM = os.environ.get("TOKI_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "laptop": {"viewport": {"width": 1366, "height": 768}},  # the HQ drill: a staff laptop
    "tablet": {"viewport": {"width": 800, "height": 1280}, "has_touch": True},  # shelter staff, portrait
    # What Chromium's own 200% zoom of a 1280x800 window gives the page: 640x400 CSS px, devicePixelRatio 2.
    "zoom200": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}
TILE_HOST = "cyberjapandata.gsi.go.jp"  # GSI map tiles: unreachable offline, answered with a blank tile
ACTION_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 20_000
SCREENSHOTS_DIR = server.ARTIFACTS_DIR / "screenshots"
LANGUAGES = ("ja", "en")  # every page in Japanese (the default) and once in English
PUBLIC_PAGES = ("/", "/shelters/", "/warnings/", "/tourist/", "/lifelines/", "/notices/", "/posts/", "/posts/new/",
                "/opendata/", "/prepare/", "/accounts/login/", "/kpi/", "/kpi/portal-visits/")
STAFF_PAGES = ("/accounts/", "/alerts/", "/alerts/orders/", "/accounts/audit/", "/lifelines/manage/",
               "/notices/manage/", "/posts/moderate/", "/portal/mode/", "/portal/kpi/")  # as alice, the HQ admin
STAFF_USER = "alice"


def transparent_png() -> bytes:
    """A 1x1 fully transparent PNG, built here so that no binary blob sits in the source."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)  # 1x1, 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 5)) + chunk(
        b"IEND", b"")


class CheckFailed(AssertionError):
    pass


def expect(condition: bool, reason: str) -> None:
    if not condition:
        raise CheckFailed(reason)


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, name: str) -> None:
        self.passed += 1
        print(f"ok {name}", flush=True)

    def fail(self, name: str, reason: str) -> None:
        self.failed += 1
        print(f"FAIL {name}: {reason}", flush=True)

    def check(self, name: str, test: Callable[[], None]) -> bool:
        try:
            test()
        except Exception as exc:
            reason = str(exc).strip() or type(exc).__name__
            self.fail(name, reason.splitlines()[0] if isinstance(exc, CheckFailed) else short(reason))
            return False
        self.ok(name)
        return True


def short(text: str, lines: int = 3) -> str:
    kept = [line.strip() for line in text.splitlines() if line.strip()][:lines]
    return " | ".join(kept)[:400]


def is_site(url: str) -> bool:
    return urlsplit(url).hostname == "127.0.0.1"


def page_name(path: str) -> str:
    """`/alerts/orders/` -> `alerts-orders`, `/` -> `home`: for check names and artifact files."""
    return path.strip("/").replace("/", "-") or "home"


class Watch:
    """What went wrong on one page: console errors, uncaught exceptions, failed requests to the site."""

    def __init__(self, page):
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.console_errors.append(f"{message.text} ({where})" if where else message.text)

    def _request_failed(self, request) -> None:
        if is_site(request.url):
            self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def _response(self, response) -> None:
        if is_site(response.url) and response.status >= 400:
            self.failed_requests.append(f"{response.request.method} {response.url}: HTTP {response.status}")

    def expect_clean(self, kind: str) -> None:
        found = self.console_errors if kind == "console" else self.failed_requests
        expect(not found, f"{len(found)}: " + "; ".join(found[:3]))


# Every page reports what its Content-Security-Policy refused (the `securitypolicyviolation` event, which fires for
# blocked scripts, styles, images, connections …) as a console error starting "CSP violation"; Chromium's own
# "Refused to …" console message is caught too. An init script runs before the page's own and is not subject to
# the page's CSP.
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} refused ${event.blockedURI || "inline"} `
                + `(${event.sourceFile || location.href}:${event.lineNumber})`);
}, true);"""


def is_csp_violation(text: str) -> bool:
    return text.startswith(("CSP violation", "Refused to")) or "Content Security Policy" in text


def watch_csp(context, sink: list[str]) -> None:
    """Collect every CSP violation of the pages of `context` into `sink` (the run fails on any)."""
    context.add_init_script(CSP_LISTENER)
    context.on("console", lambda message: sink.append(message.text) if is_csp_violation(message.text) else None)


class Browser:
    """The Chromium instance and the routing shared by every context."""

    def __init__(self, playwright, base_url: str):
        self.base_url = base_url
        self.external: list[str] = []  # requests that left the machine other than map tiles
        self.csp_violations: list[str] = []  # what the site's Content-Security-Policy refused, on any page
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS,
                                                  timeout=30_000)
        self.tile = transparent_png()

    def context(self, viewport: str, **options):
        """A fresh context (cookies, storage) at one of VIEWPORTS; options go to Playwright's new_context
        (java_script_enabled=False, storage_state=...). Never bypass_csp: the run checks the site's CSP on every
        page (watch_csp)."""
        context = self.browser.new_context(base_url=self.base_url, locale="ja-JP", timezone_id="Asia/Tokyo",
                                           **VIEWPORTS[viewport], **options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.route(lambda url: not is_site(url), self._outside)
        watch_csp(context, self.csp_violations)
        return context

    def _outside(self, route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == TILE_HOST:
            route.fulfill(status=200, content_type="image/png", body=self.tile)
        else:
            self.external.append(url)
            route.abort()

    def staff_state(self, password: str) -> dict:
        """Cookies of a session logged in as alice, for contexts that start logged in (storage_state=...)."""
        context = self.context("desktop")
        try:
            page = context.new_page()
            page.goto("/accounts/login/", wait_until="load")
            log_in(page, STAFF_USER, password)
            page.wait_for_url("**/accounts/", timeout=NAVIGATION_TIMEOUT_MS)
            return context.storage_state()
        finally:
            context.close()

    def close(self) -> None:
        self.browser.close()


def open_page(context, path: str):
    page = context.new_page()
    watch = Watch(page)
    response = page.goto(path, wait_until="load")
    settle(page)
    return page, watch, response


def goto_in(page, path: str, language: str):
    """Open `path` in `language` the way a reader does: the switcher's link, which sets the language cookie
    and comes back to `path`. Returns the final response (after the redirect)."""
    response = page.goto(f"/language/{language}/?next={quote(path)}", wait_until="load")
    settle(page)
    return response


def open_checked(page, path: str, language: str, *, first: bool):
    """Open `path` (in `language` through the switcher link the first time, then directly, the cookie being
    set) and check it answered 200 at that path. Returns the response."""
    if first:
        response = goto_in(page, path, language)
    else:
        response = page.goto(path, wait_until="load")
        settle(page)
    expect(response is not None and response.status == 200,
           f"HTTP {response.status if response else 'none'} for {path}")
    expect(urlsplit(page.url).path == path, f"{path} ended at {page.url}")
    return response


def each_page(report: "Report", browser: "Browser", staff_state: dict | None, label: str, check, *,
              context_kind: str, languages, **context_options) -> None:
    """Run `check(report, page, path, language, first=...)` on every public page anonymously and every staff
    page as alice, in each language; a failed staff login is reported once under `label`."""
    runs = [(PUBLIC_PAGES, None)]
    if staff_state is None:
        report.fail(f"{label} staff pages", "could not log in as alice; staff pages not checked")
    else:
        runs.append((STAFF_PAGES, staff_state))
    for paths, state in runs:
        context = browser.context(context_kind, storage_state=state, **context_options)
        try:
            page = context.new_page()
            for language in languages:
                for index, path in enumerate(paths):
                    check(report, page, path, language, first=index == 0)
        finally:
            context.close()


def settle(page) -> None:
    """Let late requests (tiles, htmx loads) finish; a page that polls never idles, which is fine."""
    with contextlib.suppress(Exception):
        page.wait_for_load_state("networkidle", timeout=5_000)


def screenshot(report: Report, page, name: str) -> None:
    path = SCREENSHOTS_DIR / f"{name}.png"
    try:
        page.evaluate("document.fonts ? document.fonts.ready.then(() => true) : true")
        page.screenshot(path=str(path), full_page=True, animations="disabled", timeout=ACTION_TIMEOUT_MS)
    except Exception as exc:
        report.fail(f"screenshot {name}", short(str(exc)))


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang") or ""


def language_switcher(page):
    return page.locator("nav.lang-switcher").first


def log_in(page, username: str, password: str):
    form = page.locator("form:has(input[name=password])").first
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation(wait_until="load") as navigation:
        form.locator("[type=submit]").first.click()
    return navigation.value


def submit_order_through_review(page, form) -> None:
    """The evacuation order form filled in by the caller: say it is real (the form has no default), ask for the
    review, then confirm what goes out (alerts/views.py's review step)."""
    form.locator("input[name=is_drill][value=real]").check()
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").first.click()
    settle(page)
    with page.expect_navigation(wait_until="load"):
        page.locator("form.order-review__confirm button[value=confirm]").click()
    settle(page)
