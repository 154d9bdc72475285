"""The shelter tablet forgets its roster (security issue 13, finding 16; docs/shelter-pwa.md "Logout and idle"):
after "Log out" and after the idle time (TOKI_SHELTER_TABLET_IDLE_MINUTES, 30 by default; the browser's clock is
moved forward) no roster snapshot is left in IndexedDB, the event not sent yet is kept, and the session has ended.
Part of the `pwa` group (tests_browser/shelter_pwa.py)."""

from tests_browser.common import Report, expect, log_in, screenshot
from tests_browser.shelter_pwa import (
    EVENTS_ROUTE,
    SHELTER_USER,
    TABLET,
    register_by_hand,
    tablet_context,
    wait_roster,
    wait_unsynced,
)

IDLE_MINUTES = 30  # the test site runs with the default

# What IndexedDB holds, read directly (works on any page of the origin, also after the tablet page is gone).
STORED = """() => new Promise((resolve, reject) => {
  const request = indexedDB.open("toki-shelter-ops");
  request.onerror = () => reject(request.error);
  request.onsuccess = () => {
    const db = request.result;
    const tx = db.transaction(["rosters", "events", "meta"]);
    const out = {};
    const ask = (name, what, key) => {
      const r = tx.objectStore(name)[what](key);
      r.onsuccess = () => { out[key || name] = r.result; };
    };
    ask("rosters", "count");
    ask("events", "getAll");
    ask("meta", "get", "openings");
    tx.oncomplete = () => { db.close(); resolve({
      rosters: out.rosters, openings: out.openings !== undefined,
      events: out.events.map((e) => e.state),
      names: JSON.stringify(out.events.map((e) => e.payload)).includes("テスト ワスレル") }); };
  };
})"""


def open_logged_in(browser, site, password: str, violations: list[str], *, clock: bool = False):
    context = tablet_context(browser, site.url, "landscape", csp_violations=violations)
    if clock:
        context.clock.install()
    page = context.new_page()
    page.goto("/accounts/login/", wait_until="load")
    log_in(page, SHELTER_USER, password)
    page.goto(TABLET, wait_until="load")
    wait_roster(page)
    return context, page


def session_ended(context) -> bool:
    return context.request.get("/api/v1/shelters/staff/openings").status == 401


def check_forgets(report: Report, browser, site, password: str, violations: list[str]) -> None:
    context, page = open_logged_in(browser, site, password, violations)
    try:
        def logout() -> None:
            before = page.evaluate(STORED)
            expect(before["rosters"] == 1, f"{before['rosters']} roster snapshots before the logout")
            context.route(EVENTS_ROUTE, lambda route: route.abort("internetdisconnected"))  # stays unsent
            register_by_hand(page, "テスト ワスレル", 1)
            wait_unsynced(page, 2)  # register + check in
            with page.expect_navigation(wait_until="load"):
                page.locator("#logout-form button").click()
            after = page.evaluate(STORED)
            expect(after["rosters"] == 0 and not after["openings"], f"after logout: {after}")
            expect(after["events"] == ["pending", "pending"], f"events after logout: {after['events']}")
            expect(session_ended(context), "the session still works after the logout")

        report.check("pwa: 'Log out' deletes the roster from IndexedDB, keeps the unsent events, ends the session",
                     logout)
    finally:
        context.close()

    context, page = open_logged_in(browser, site, password, violations, clock=True)
    try:
        def idle() -> None:
            note = page.locator("#privacy-note").inner_text()
            expect(str(IDLE_MINUTES) in note, f"the tablet does not say when it deletes the list: {note!r}")
            expect(page.evaluate(STORED)["rosters"] == 1, "no roster before idling")
            page.clock.fast_forward(f"{IDLE_MINUTES + 1}:00")
            page.locator("#forgotten").wait_for(state="visible")
            after = page.evaluate(STORED)
            expect(after["rosters"] == 0 and not after["openings"], f"after {IDLE_MINUTES + 1} idle minutes: {after}")
            expect(page.locator("#roster li", has_text="試験").count() == 0, "names still on screen")
            for _ in range(40):  # the logout request goes out just after the roster is deleted
                if session_ended(context):
                    break
                page.wait_for_timeout(250)
            expect(session_ended(context), "the session still works after the idle time")

        if report.check(f"pwa: after {IDLE_MINUTES} minutes without a touch the tablet deletes the roster, says so "
                        "and logs out", idle):
            screenshot(report, page, "pwa-9-idle-forgotten")
    finally:
        context.close()
