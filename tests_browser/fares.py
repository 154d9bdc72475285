"""Issue 20's done-when, in Chromium: a resident proves residency through the local OpenID provider, gets the
digital resident card, buys a 30-day pass through the local Stripe server (hosted page, signed webhook to the
site), and the checker page — logged in as a checker, its service worker installed — verifies both with the
network cut (Playwright context offline), records the uses, and sends them when the network is back.
Screenshots at phone (the resident) and tablet (the checker) size.

The local OpenID provider and Stripe server run in this process; `site_env()` gives the site their addresses
before it starts (run.py)."""

import contextlib
import json

from tests_browser.common import (
    NAVIGATION_TIMEOUT_MS,
    Report,
    Watch,
    expect,
    log_in,
    screenshot,
    settle,
    short,
)
from tests_browser.shelter_pwa import off_loop

CHECKER_USER = "alice"  # HQ may check (toki/transport/fares/permissions.py); partners' clerks in production
_SERVERS: dict = {}


def site_env() -> dict:
    """Start the local OpenID provider and Stripe server; the settings that point the site at them."""
    from toki.transport.fares.testing.keys import TEST_KEYS
    from toki.transport.fares.testing.oidc_provider import LocalOpenIdProvider
    from toki.transport.fares.testing.stripe_server import LocalStripe

    stack = contextlib.ExitStack()
    op = stack.enter_context(LocalOpenIdProvider())
    stripe = stack.enter_context(LocalStripe())
    _SERVERS.update(op=op, stripe=stripe, stack=stack)
    return {"TOKI_FARES_OIDC_ISSUER": op.issuer, "TOKI_FARES_STRIPE_API_BASE": stripe.base,
            "TOKI_FARES_STRIPE_SECRET_KEY": stripe.secret_key,
            "TOKI_FARES_STRIPE_WEBHOOK_SECRET": stripe.webhook_secret,
            "TOKI_FARES_PSEUDONYM_KEY": TEST_KEYS["TOKI_FARES_PSEUDONYM_KEY"],
            "TOKI_FARES_SIGNING_KEYS": ",".join(TEST_KEYS["TOKI_FARES_SIGNING_KEYS"])}


def stop_servers() -> None:
    stack = _SERVERS.pop("stack", None)
    if stack is not None:
        stack.close()


def check_fares(report: Report, browser, site, password: str) -> None:
    if "stripe" not in _SERVERS:
        report.fail("fares servers", "site_env() was not called before the site started")
        return
    _SERVERS["stripe"].webhook_url = f"{site.url}/fares/webhooks/stripe/"
    tokens: dict = {}
    resident = browser.context("phone")
    try:
        resident_journey(report, resident, tokens)
    finally:
        resident.close()
    if "card" in tokens and "sub30" in tokens:
        checker_journey(report, browser, password, tokens)


def resident_journey(report: Report, context, tokens: dict) -> None:
    page = context.new_page()
    watch = Watch(page)
    page.goto("/fares/", wait_until="load")
    screenshot(report, page, "fares-start-phone")

    def prove() -> None:
        with page.expect_navigation(url="**/fares/", timeout=NAVIGATION_TIMEOUT_MS):
            page.locator("form[action='/fares/residency/start/'] button").click()
        settle(page)
        expect(page.locator("figure[data-kind=card] svg").count() == 1, "no resident card QR after the login")
        tokens["card"] = page.locator("p.fare-token[data-kind=card]").text_content().strip()

    if not report.check("fares: residency proved through the local OpenID provider, card shown", prove):
        return
    screenshot(report, page, "fares-card-phone")

    def buy() -> None:
        with page.expect_navigation(url="**/pay/**", timeout=NAVIGATION_TIMEOUT_MS):
            page.locator("button[data-product=sub30]").click()
        with page.expect_navigation(url="**/fares/bought/**", timeout=NAVIGATION_TIMEOUT_MS):
            page.get_by_role("button", name="Pay").click()
        page.goto("/fares/", wait_until="load")
        expect(page.locator("p.fare-token[data-kind=sub30]").count() == 1, "no 30-day pass after paying")
        tokens["sub30"] = page.locator("p.fare-token[data-kind=sub30]").text_content().strip()

    if report.check("fares: 30-day pass bought through the local Stripe checkout and webhook", buy):
        screenshot(report, page, "fares-pass-phone")
    report.check("fares resident pages: no console errors", lambda: watch.expect_clean("console"))
    report.check("fares resident pages: no failed requests", lambda: watch.expect_clean("requests"))


def open_checker(browser, viewport: str, password: str):
    context = browser.context(viewport)
    login = context.new_page()
    login.goto("/accounts/login/", wait_until="load")
    log_in(login, CHECKER_USER, password)
    login.wait_for_url("**/accounts/", timeout=NAVIGATION_TIMEOUT_MS)
    login.close()
    page = context.new_page()
    watch = Watch(page)
    page.goto("/fares/checker/", wait_until="load")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.evaluate("() => window.TokiChecker.ready")
    return context, page, watch


def check_token(page, token: str) -> dict:
    return page.evaluate("(token) => window.TokiChecker.check(token)", token)


@off_loop
def server_uses() -> int:
    from toki.transport.fares.models import UseEvent

    return UseEvent.objects.filter(status="applied").count()


def checker_journey(report: Report, browser, password: str, tokens: dict) -> None:
    before = server_uses()
    context, page, watch = open_checker(browser, "tablet", password)
    try:
        report.check("fares checker: WebCrypto Ed25519 available in Chromium", lambda: expect(
            page.evaluate("document.documentElement.dataset.webcrypto") == "ed25519", "no Ed25519 in WebCrypto"))
        context.set_offline(True)

        def offline() -> None:
            page.reload(wait_until="load")  # the page itself from the service worker's cache
            page.evaluate("() => window.TokiChecker.ready")
            expect(page.evaluate("navigator.onLine") is False, "the context is not offline")
            for kind in ("card", "sub30"):
                result = check_token(page, tokens[kind])
                expect(result["ok"] is True, f"{kind}: {json.dumps(result)[:200]}")
                expect(result["claims"]["kind"] == kind, f"{kind}: kind {result['claims']['kind']}")
            expect(page.locator("#result[data-state=valid]").count() == 1, "the result does not say valid")

        if report.check("fares checker: card and 30-day pass verified with the network cut", offline):
            screenshot(report, page, "fares-checker-valid-tablet")

        def forged() -> None:
            header, payload, signature = tokens["sub30"].split(".")
            result = check_token(page, f"{header}.{payload[:-2]}AA.{signature}")
            expect(result["ok"] is False, "a forged pass was accepted")
            expect(page.locator("#result[data-state]").get_attribute("data-state") in ("bad_signature", "malformed"),
                   "the result does not name the refusal")

        if report.check("fares checker: a forged pass refused offline", forged):
            screenshot(report, page, "fares-checker-refused-tablet")

        def synced() -> None:
            context.set_offline(False)
            page.evaluate("() => window.dispatchEvent(new Event('online'))")
            page.wait_for_function("() => document.getElementById('unsent').textContent.length > 0 && "
                                   "!/\\d/.test(document.getElementById('unsent').textContent)", timeout=20_000)
            expect(server_uses() - before == 2, f"{server_uses() - before} uses on the server")

        report.check("fares checker: the two uses sent once the network is back", synced)
        # Requests the sync loop tried while the network was cut are expected to fail; nothing else may.
        report.check("fares checker: no console errors but the offline requests", lambda: expect(
            not (errors := [e for e in watch.console_errors if "ERR_INTERNET_DISCONNECTED" not in e]),
            f"{len(errors)}: " + "; ".join(errors[:3])))
    except Exception as exc:
        report.fail("fares checker", short(str(exc)))
    finally:
        context.close()
    phone, page, _watch = open_checker(browser, "phone", password)
    try:
        check_token(page, tokens["card"])
        screenshot(report, page, "fares-checker-phone")
    finally:
        phone.close()
