"""Browser checks of the portal and the staff pages, in Debian's Chromium through Playwright.

Run from the repository root with the venv's Python: `python -m tests_browser.run` (or `make browser-test`).
It prepares a throwaway site (tests_browser/server.py), then runs these groups of checks:

- basic (this file): the home page and the staff login at a phone and a desktop size: HTTP 200, an <h1>,
  <html lang="ja">, no console errors, no failed requests to the site, the language switcher (English,
  remembered by cookie across a reload), a good and a bad login;
- a11y (a11y.py): axe-core on every page, in Japanese and English, at the phone size;
- zoom (zoom.py): every page at 200% zoom: no sideways scrolling, no text cut off;
- nojs (nojs.py): with JavaScript off, the shelter pages and issuing/lifting an evacuation order;
- pwa (shelter_pwa.py): the offline shelter tablet: service worker, QR scan with a fake camera, the quick form,
  sync after the server was stopped, two tablets with dropped answers (no event lost or doubled).
- walkthrough (walkthrough.py): issue 4's walk in each language on a phone: the order for the district and the
  nearest shelter open now (home, 'nearest sites' with the position set, the visitors' page);
- shelter (shelter_staff.py): shelter staff from login to the first check-in at a tablet's size: the home's
  links, /shelter-ops/ before an incident, opening the shelter, the first check-in on the tablet;
- hq (hq.py): the README's HQ drill from a fresh seed_demo at a laptop's size: incident, reports from two
  branches (bob from his home, with the map without tiles), the live board, a drill order's review, 第1報 and
  its Excel, an instruction acknowledged and done by its recipient, the chronology;
- resident (resident.py): issue 14's resident after a Lv4 order at 390x844, in Japanese and やさしい日本語: alice
  issues it on the real order page, the home page left open shows the card within a minute (action, districts,
  time, reason, the open shelter with address and directions), all navigation links on screen;
- tourist (tourist.py): issue 14's tourist in Chinese and Korean on a phone during a tsunami order: the nearest
  open shelter designated for tsunamis first, its name in Latin letters, its address and directions;
- tablet (tablet.py): issue 17's household tablet at 800x1280: enrol by QR, a circular read and its receipt on
  the 自治会 leader's page, a Lv4 order taking the screen and 「無事です」 on the HQ board, an offline reload;
- kpi (kpi.py): the plan's KPIs: a KPI owner records a result in a few clicks, the public sees its grade;
- registry_safety (registry_safety.py): issue 16's supporter (民生委員) on a phone: her own 安否 list, answers
  recorded offline, a reload offline, the sync when back online, the HQ board's counts and names;
- fares (fares.py): issue 20's resident proving residency through the local OpenID provider, buying a 30-day
  pass through the local Stripe server, and the checker page verifying card and pass with the network cut;

- registry_admin (registry_admin.py): issue 16's register upkeep at a laptop's size: the second factor with its
  recovery codes, a Shift_JIS file uploaded from the refresh page, its diff reviewed side by side and applied;
- registry (registry.py): issue 16's register: alice (HQ officer) and mina (民生委員 of 相川) enrol the TOTP
  second factor, mina sees only the consented people of 相川 until alice declares an activation, then everyone
  there; the banner on every registry page, the access log of mina's looks, a 安否 round with one answer, a
  person's page; axe on each, screenshots at phone, tablet and laptop size;

- transit (transit.py): issue 20's departures pages on the demo feed at phone, tablet and laptop size, in English
  and Korean on the phone;
- scenario (scenario.py): issue 12's tsunami scenario replayed through the local JMA feed server, poll_jma and
  the worker: the advisory in the in-force box of the home and visitors' pages in each language, then gone
  after JMA's 取消.

`python -m tests_browser.run a11y zoom` runs only the groups named; `--jobs 2` (first) runs them in two shards
at once, each with a site of its own (SHARDS below; `make browser-test` does), their lines prefixed `[1]`/`[2]`.
Prints `ok <name>` or `FAIL <name>: reason` per check and a closing `N passed, N failed` line; exits 1 when any
check failed. Screenshots go to
test-artifacts/screenshots/, axe's results to test-artifacts/axe/. See docs/ci.md, docs/accessibility.md.

Environment: TOKI_CHROMIUM overrides the browser (default /usr/bin/chromium, Debian's package);
TOKI_BROWSER_TEST_LIMIT the whole run's limit in seconds (default 300).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit

from tests_browser import (
    a11y,
    fares,
    hq,
    kpi,
    nojs,
    registry,
    registry_admin,
    registry_safety,
    resident,
    rides,
    scenario,
    server,
    shelter_pwa,
    shelter_staff,
    tablet,
    tourist,
    transit,
    walkthrough,
    zoom,
)
from tests_browser.common import (
    NAVIGATION_TIMEOUT_MS,
    SCREENSHOTS_DIR,
    Browser,
    Report,
    Watch,
    expect,
    html_lang,
    language_switcher,
    log_in,
    open_page,
    screenshot,
    settle,
    short,
)

RUN_LIMIT = int(os.environ.get("TOKI_BROWSER_TEST_LIMIT", "300"))
GROUPS = ("basic", "a11y", "zoom", "nojs", "shelter", "hq", "kpi", "rides", "walkthrough", "resident", "tourist",
          "scenario", "fares", "transit", "tablet", "pwa", "registry", "registry_admin", "registry_safety")
WRONG_PASSWORD = "not-the-password-" + "x" * 8
# `--jobs 2`: two halves of about equal time, each on a site of its own, at once (a run is mostly waiting on one
# core: the browser, the server and the checks take turns). Each half keeps the run's order, and groups that build on
# one another's data stay together: shelter before hq (a fresh demo without an incident), the registry groups (the
# registry demo, the second factors), pwa last of its half (it stops and restarts its site's server).
SHARDS = (
    ("a11y", "zoom", "nojs", "shelter", "hq", "kpi", "rides", "transit", "pwa"),
    ("basic", "walkthrough", "resident", "tourist", "scenario", "registry_admin", "fares", "tablet", "registry",
     "registry_safety"),
)
assert sorted(g for shard in SHARDS for g in shard) == sorted(GROUPS), "every group in exactly one shard"
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")


def check_page(report: Report, page, watch: Watch, response, name: str, *, viewport: str) -> None:
    """The checks every page gets."""
    report.check(f"{name} status 200", lambda: expect(
        response is not None and response.status == 200, f"HTTP {response.status if response else 'none'}"))
    report.check(f"{name} has an h1", lambda: _expect_h1(page))
    report.check(f"{name} html lang=ja", lambda: expect(html_lang(page) == "ja", f"lang={html_lang(page)!r}"))
    if viewport == "phone":
        report.check(f"{name} fits the phone width", lambda: _expect_no_sideways_scroll(page))
    report.check(f"{name} no console errors", lambda: watch.expect_clean("console"))
    report.check(f"{name} no failed requests", lambda: watch.expect_clean("requests"))


def _expect_h1(page) -> None:
    heading = page.locator("h1").first
    expect(page.locator("h1").count() > 0, "no <h1> on the page")
    expect(heading.is_visible(), "the <h1> is not visible")
    expect(heading.inner_text().strip() != "", "the <h1> is empty")


def _expect_no_sideways_scroll(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    expect(widths[0] <= widths[1] + 1, f"page is {widths[0]}px wide in a {widths[1]}px viewport")


def check_public_pages(report: Report, browser: Browser) -> None:
    for viewport in ("phone", "desktop"):
        context = browser.context(viewport)
        try:
            for path, page_name, shot in (("/", "home", f"home-{viewport}"),
                                          ("/accounts/login/", "login", "login" if viewport == "phone"
                                           else "login-desktop")):
                name = f"{page_name}@{viewport}"
                try:
                    page, watch, response = open_page(context, path)
                except Exception as exc:
                    report.fail(f"{name} loads", short(str(exc)))
                    continue
                check_page(report, page, watch, response, name, viewport=viewport)
                report.check(f"{name} language switcher visible", lambda page=page: expect(
                    language_switcher(page).is_visible(), "no visible language switcher (nav.lang-switcher)"))
                screenshot(report, page, shot)
                page.close()
            if viewport == "phone":  # last, so that the language cookie does not leak into the checks above
                check_english(report, context)
        finally:
            context.close()


def check_english(report: Report, context) -> None:
    """Switch to English with the switcher on the home page, then reload: the cookie must keep English."""
    try:
        page, watch, _ = open_page(context, "/")
    except Exception as exc:
        report.fail("home loads for the language switch", short(str(exc)))
        return

    def switch() -> None:
        button = language_switcher(page).locator("a[hreflang=en]").first
        with page.expect_navigation(wait_until="load"):
            button.click()
        settle(page)
        expect(html_lang(page) == "en", f"after choosing English lang={html_lang(page)!r}")

    if not report.check("home switches to English", switch):
        return
    screenshot(report, page, "home-en")

    def reload() -> None:
        page.reload(wait_until="load")
        cookies = [c["name"] for c in page.context.cookies()]
        expect(html_lang(page) == "en", f"after a reload lang={html_lang(page)!r} (cookies: {cookies})")

    report.check("home stays English after a reload", reload)
    report.check("home@en no console errors", lambda: watch.expect_clean("console"))
    report.check("home@en no failed requests", lambda: watch.expect_clean("requests"))


def check_login(report: Report, browser: Browser, password: str) -> None:
    context = browser.context("desktop")
    try:
        page, watch, _ = open_page(context, "/accounts/login/")

        def wrong_password() -> None:
            response = log_in(page, "alice", WRONG_PASSWORD)
            expect(response is not None and response.status == 200,
                   f"HTTP {response.status if response else 'none'} after a wrong password")
            expect(urlsplit(page.url).path == "/accounts/login/", f"went to {page.url}")
            error = page.locator(".errorlist, [role=alert]").first
            expect(error.count() > 0 and error.is_visible(), "no visible error message")
            expect(error.inner_text().strip() != "", "the error message is empty")

        report.check("login with a wrong password shows an error", wrong_password)

        def right_password() -> None:
            page.goto("/accounts/login/", wait_until="load")
            log_in(page, "alice", password)
            page.wait_for_url("**/accounts/", timeout=NAVIGATION_TIMEOUT_MS)
            settle(page)
            _expect_h1(page)

        if report.check("login as alice reaches /accounts/ with an h1", right_password):
            screenshot(report, page, "staff-home")
        report.check("login pages no console errors", lambda: watch.expect_clean("console"))
        report.check("login pages no failed requests", lambda: watch.expect_clean("requests"))
    finally:
        context.close()


def run_checks(report: Report, base_url: str, groups: tuple[str, ...], site: server.Site | None = None) -> None:
    import django
    from playwright.sync_api import sync_playwright

    django.setup()  # with the throwaway site's environment (main() set it), so var/ is never touched
    from toki.demo.management.commands.seed_demo import DEMO_PASSWORD

    with sync_playwright() as playwright:
        try:
            browser = Browser(playwright, base_url)
        except Exception as exc:
            report.fail("chromium starts", short(str(exc)))
            return
        try:
            if "basic" in groups:
                check_public_pages(report, browser)
                check_login(report, browser, DEMO_PASSWORD)
            staff_state = None
            if "a11y" in groups or "zoom" in groups:
                try:
                    staff_state = browser.staff_state(DEMO_PASSWORD)
                except Exception as exc:
                    print(f"could not log in as alice for the staff pages: {short(str(exc))}", flush=True)
            for group, check in (("a11y", a11y.check_axe), ("zoom", zoom.check_zoom)):
                if group in groups:
                    started = time.monotonic()
                    check(report, browser, staff_state)
                    print(f"({group}: {time.monotonic() - started:.1f}s)", flush=True)
            if "nojs" in groups:
                started = time.monotonic()
                nojs.check_nojs(report, browser, DEMO_PASSWORD)
                print(f"(nojs: {time.monotonic() - started:.1f}s)", flush=True)
            if "shelter" in groups:  # before "hq": on a fresh demo no incident exists yet
                started = time.monotonic()
                shelter_staff.check_shelter_staff(report, browser, DEMO_PASSWORD)
                print(f"(shelter: {time.monotonic() - started:.1f}s)", flush=True)
            if "hq" in groups:
                started = time.monotonic()
                hq.check_hq(report, browser, DEMO_PASSWORD)
                print(f"(hq: {time.monotonic() - started:.1f}s)", flush=True)
            if "kpi" in groups:
                started = time.monotonic()
                kpi.check_kpi(report, browser, DEMO_PASSWORD)
                print(f"(kpi: {time.monotonic() - started:.1f}s)", flush=True)
            if "rides" in groups:
                started = time.monotonic()
                rides.check_rides(report, browser, DEMO_PASSWORD)
                print(f"(rides: {time.monotonic() - started:.1f}s)", flush=True)
            if "walkthrough" in groups and site is not None:
                started = time.monotonic()
                walkthrough.check_walkthrough(report, browser, site)
                print(f"(walkthrough: {time.monotonic() - started:.1f}s)", flush=True)
            if "resident" in groups and site is not None:
                started = time.monotonic()
                resident.check_resident(report, browser, site, DEMO_PASSWORD)
                print(f"(resident: {time.monotonic() - started:.1f}s)", flush=True)
            if "tourist" in groups and site is not None:
                started = time.monotonic()
                tourist.check_tourist(report, browser, site, DEMO_PASSWORD)
                print(f"(tourist: {time.monotonic() - started:.1f}s)", flush=True)
            if "transit" in groups:
                started = time.monotonic()
                transit.check_transit(report, browser)
                print(f"(transit: {time.monotonic() - started:.1f}s)", flush=True)
            if "scenario" in groups and site is not None:
                started = time.monotonic()
                scenario.check_scenario(report, browser, site)
                print(f"(scenario: {time.monotonic() - started:.1f}s)", flush=True)
            if "registry_admin" in groups and site is not None:
                started = time.monotonic()
                server.manage(site, "seed_registry_demo")
                registry_admin.check_registry_admin(report, browser, DEMO_PASSWORD)
                print(f"(registry_admin: {time.monotonic() - started:.1f}s)", flush=True)
            if "fares" in groups and site is not None:
                started = time.monotonic()
                fares.check_fares(report, browser, site, DEMO_PASSWORD)
                print(f"(fares: {time.monotonic() - started:.1f}s)", flush=True)
            if "tablet" in groups and site is not None:
                started = time.monotonic()
                tablet.check_tablet(report, browser, site, DEMO_PASSWORD)
                print(f"(tablet: {time.monotonic() - started:.1f}s)", flush=True)
            if "registry" in groups and site is not None:
                started = time.monotonic()
                registry.check_registry(report, browser, site, DEMO_PASSWORD)
                print(f"(registry: {time.monotonic() - started:.1f}s)", flush=True)
            if "registry_safety" in groups and site is not None:
                started = time.monotonic()
                registry_safety.check_registry_safety(report, browser, site, DEMO_PASSWORD)
                print(f"(registry_safety: {time.monotonic() - started:.1f}s)", flush=True)
            if "pwa" in groups and site is not None:  # last: it stops and restarts the server
                started = time.monotonic()
                shelter_pwa.check_pwa(report, playwright, site, DEMO_PASSWORD, site.workdir)
                print(f"(pwa: {time.monotonic() - started:.1f}s)", flush=True)
            report.check("no requests left the machine except map tiles", lambda: expect(
                not browser.external, f"{len(browser.external)}: " + "; ".join(browser.external[:3])))
            violations = sorted(set(browser.csp_violations))
            report.check("no Content-Security-Policy violation on any page", lambda: expect(
                not violations, f"{len(violations)}: " + "; ".join(violations[:3])))
        finally:
            browser.close()


class OutOfTime(BaseException):
    """The whole run's limit; a BaseException so that no check's `except Exception` swallows it."""


def _out_of_time(signum, frame):
    raise OutOfTime(f"the browser tests ran past their {RUN_LIMIT}s limit")


def clear_artifacts() -> None:
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    for old in [*SCREENSHOTS_DIR.glob("*.png"), *a11y.RESULTS_DIR.glob("*.json")]:
        old.unlink()


def run_sharded(groups: tuple[str, ...]) -> int:
    """The groups in two processes at once (SHARDS), each printing its lines prefixed with its number; then one
    closing line with the sums. A shard that ends without its own summary counts as a failed check."""
    started = time.monotonic()
    clear_artifacts()
    shards = [tuple(g for g in shard if g in groups) for shard in SHARDS]
    children: list[tuple[int, subprocess.Popen, dict]] = []
    for number, shard in enumerate((s for s in shards if s), 1):
        env = dict(os.environ, **{server.SHARD_ENV: str(number)})
        child = subprocess.Popen([sys.executable, "-u", "-m", "tests_browser.run", *shard], cwd=server.BASE_DIR,
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 start_new_session=True)
        children.append((number, child, {}))
    printing = threading.Lock()

    def relay(number: int, child: subprocess.Popen, summary: dict) -> None:
        assert child.stdout is not None  # stdout=PIPE
        for line in child.stdout:
            found = SUMMARY.match(line.strip())
            if found:
                summary.update(passed=int(found[1]), failed=int(found[2]))
            with printing:
                print(f"[{number}] {line}", end="", flush=True)

    readers = [threading.Thread(target=relay, args=c, daemon=True) for c in children]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + RUN_LIMIT + 60  # each shard stops itself at RUN_LIMIT
    passed = failed = 0
    for (number, child, summary), reader in zip(children, readers, strict=True):
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 1))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        reader.join(timeout=10)
        if "passed" not in summary:
            print(f"FAIL browser test shard {number}: ended (exit {child.returncode}) without its summary", flush=True)
            failed += 1
        passed += summary.get("passed", 0)
        failed += summary.get("failed", 0)
    print(f"{len(children)} shards; {time.monotonic() - started:.1f}s", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed or not passed else 0


def parse_jobs(argv: list[str]) -> tuple[int, list[str]]:
    if argv[:1] != ["--jobs"]:
        return 1, argv
    if len(argv) < 2 or argv[1] not in ("1", "2"):
        raise ValueError("--jobs takes 1 or 2")
    return int(argv[1]), argv[2:]


def main(argv: list[str]) -> int:
    try:
        jobs, argv = parse_jobs(argv)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    groups = tuple(argv) or GROUPS
    unknown = [group for group in groups if group not in GROUPS]
    if unknown:
        print(f"unknown group(s) {', '.join(unknown)}; the groups are {', '.join(GROUPS)}", file=sys.stderr)
        return 2
    if jobs > 1:
        return run_sharded(groups)
    shard = os.environ.get(server.SHARD_ENV)
    started = time.monotonic()
    if not shard:  # a shard's parent cleared them before any shard began
        clear_artifacts()
    report = Report()
    workdir = Path(tempfile.mkdtemp(prefix="toki-browser-"))
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(RUN_LIMIT)
    site = None
    try:
        site = server.create_site(workdir)
        if shard:
            site.log_path = server.ARTIFACTS_DIR / f"browser-server-{shard}.log"
        if "fares" in groups:  # the local OpenID provider and Stripe server the site is pointed at
            site.env.update(fares.site_env())
        for key in server.NOT_INHERITED:
            os.environ.pop(key, None)
        os.environ.update(site.env)
        if site.note:
            print(f"note: gunicorn is not usable ({site.note}); using manage.py runserver with TOKI_DEBUG=1",
                  flush=True)
        server.prepare(site)
        server.start(site)
        server.wait_healthy(site)
        report.ok(f"{site.kind} serves /api/v1/health")
        run_checks(report, site.url, groups, site)
    except (server.ServerError, OutOfTime) as exc:
        report.fail("browser test run", str(exc))
    except Exception as exc:
        traceback.print_exc()
        report.fail("browser test run", short(f"{type(exc).__name__}: {exc}"))
    finally:
        signal.alarm(0)
        if site is not None:
            server.stop(site)
        fares.stop_servers()
        shutil.rmtree(workdir, ignore_errors=True)
    shots = sorted(p.relative_to(server.BASE_DIR).as_posix() for p in SCREENSHOTS_DIR.glob("*.png"))
    log = site.log_path if site is not None else server.ARTIFACTS_DIR / "browser-server.log"
    print(f"screenshots: {', '.join(shots) or 'none'}; server log: {log.relative_to(server.BASE_DIR)}; "
          f"{time.monotonic() - started:.1f}s", flush=True)
    print(f"{report.passed} passed, {report.failed} failed", flush=True)
    return 1 if report.failed or not report.passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
