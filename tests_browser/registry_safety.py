"""Issue 16's 安否確認 on a supporter's phone, in Chromium at 390x844: mina (民生委員 of 相川, the registry demo)
gives her second factor (an authenticator's code computed here from the key the enrolment page shows), opens
her own list, goes offline (Playwright context offline), records 在宅無事 for one person and 要救助 for another,
reloads the page offline (the service worker's shell, the list and the answers from IndexedDB), comes back
online and the answers are sent; then alice's HQ live board shows the changed counts and, under the disaster
activation, the names of the people not yet confirmed.

Set-up through the operator's commands: seed_registry_demo (with the registry keys every throwaway site gets,
tests_browser/server.py), then a round for 相川, a disaster activation, an incident and mina's assignments through the
registry's actions (staff would do the same on /registry/people/<id>/supporters/)."""


from tests_browser.common import NAVIGATION_TIMEOUT_MS, Report, Watch, expect, log_in, screenshot, settle, short
from tests_browser.second_factor import past_recovery_codes, token_for

SUPPORTER = "mina"
SETUP = """
from datetime import timedelta
from django.utils import timezone
from toki.accounts.models import User
from toki.areas.models import District
from toki.hq.actions.incidents import open_incident
from toki.hq.models import Incident
from toki.registry import actions, actions_safety
from toki.registry.models import Person
alice, mina = User.objects.get(username="alice"), User.objects.get(username="mina")
aikawa = District.objects.get(code="aikawa")
round_ = actions_safety.open_round(actor=alice, municipality=aikawa.municipality, districts=[aikawa])
actions.declare_activation(actor=alice, districts=[aikawa], reason="browser test",
                           expires_at=timezone.now() + timedelta(hours=6))
if not Incident.objects.filter(ended_at=None, is_drill=False).exists():
    open_incident(acting_user=alice, municipality=aikawa.municipality, name="大雨", kind="heavy_rain",
                  started_at=timezone.now())
for person in Person.objects.filter(district=aikawa).order_by("id"):
    actions_safety.assign_supporter(actor=alice, person=person, supporter=mina)
"""


def give_second_factor(page, username: str) -> None:
    """Enrol (first visit in the run) or verify (tests_browser/second_factor.py keeps the key)."""
    if "/registry/second-factor/" not in page.url:
        return
    page.fill("input[name=token]", token_for(page, username))
    with page.expect_navigation(timeout=NAVIGATION_TIMEOUT_MS):
        page.locator("form button[type=submit]").click()
    settle(page)
    past_recovery_codes(page)


def check_registry_safety(report: Report, browser, site, password: str) -> None:
    from tests_browser import server

    try:
        server.manage(site, "seed_registry_demo")
        server.manage(site, "shell", "-c", SETUP)
    except server.ServerError as exc:
        report.fail("registry_safety: demo register, round, activation, assignments", short(str(exc)))
        return
    context = browser.context("phone")
    try:
        supporter_journey(report, context, password)
    finally:
        context.close()
    board_journey(report, browser, password)


def wait_until(page, expression: str, timeout_ms: int = NAVIGATION_TIMEOUT_MS) -> None:
    """Poll `expression` with page.evaluate (CDP, not eval in the page: the site's CSP forbids eval, which
    Playwright's wait_for_function would use)."""
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(200)


def _cards(page) -> list[dict]:
    return page.evaluate("""[...document.querySelectorAll('#list .person')].map((card) => ({
        person: card.dataset.person, status: card.dataset.status, local: card.dataset.local,
        name: card.querySelector('h2').textContent}))""")


def _answer(page, index: int, status: str) -> None:
    card = page.locator("#list .person").nth(index)
    card.locator("summary").click()
    card.locator(f"button[data-answer={status}]").click()


def supporter_journey(report: Report, context, password: str) -> None:
    page = context.new_page()
    watch = Watch(page)
    state: dict = {}

    def open_list() -> None:
        page.goto("/accounts/login/", wait_until="load")
        log_in(page, SUPPORTER, password)
        page.goto("/registry/safety/mine/", wait_until="load")
        give_second_factor(page, SUPPORTER)
        expect("/registry/safety/mine/" in page.url, f"not on the list: {page.url}")
        wait_until(page, "document.querySelectorAll('#list .person').length >= 2")
        page.evaluate("navigator.serviceWorker.ready")
        state["cards"] = _cards(page)
        # Other groups on the same site may have answered for someone in an earlier round (sorted last): the two
        # cards this journey answers are the first two, still unconfirmed.
        expect(all(card["status"] == "unconfirmed" for card in state["cards"][:2]), f"{state['cards']}")
        screenshot(report, page, "registry-safety-1-list-phone")

    if not report.check("registry_safety: mina opens her list (second factor, 5 people of 相川)", open_list):
        return

    def offline_answers() -> None:
        context.set_offline(True)
        _answer(page, 0, "safe_at_home")
        _answer(page, 1, "needs_rescue")
        wait_until(page, "document.documentElement.dataset.pending === '2'")
        screenshot(report, page, "registry-safety-2-offline-answers-phone")

    if not report.check("registry_safety: offline, 在宅無事 and 要救助 kept as 2 unsent answers", offline_answers):
        context.set_offline(False)
        return

    def reload_offline() -> None:
        page.reload(wait_until="load")
        wait_until(page, "document.querySelectorAll('#list .person').length >= 2")
        cards = {card["person"]: card for card in _cards(page)}
        first, second = state["cards"][0]["person"], state["cards"][1]["person"]
        expect(cards[first]["status"] == "safe_at_home" and cards[first]["local"] == "pending", f"{cards[first]}")
        expect(cards[second]["status"] == "needs_rescue", f"{cards[second]}")
        expect(page.evaluate("document.documentElement.dataset.pending") == "2", "the answers are not pending")
        screenshot(report, page, "registry-safety-3-reloaded-offline-phone")

    report.check("registry_safety: reloaded offline, the list and both answers are still there", reload_offline)

    def back_online() -> None:
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        wait_until(page, "document.documentElement.dataset.pending === '0'")
        wait_until(page, "[...document.querySelectorAll('#list .person')].every((c) => !c.dataset.local)")
        cards = {card["person"]: card for card in _cards(page)}
        expect(cards[state["cards"][1]["person"]]["status"] == "needs_rescue", f"{cards}")
        screenshot(report, page, "registry-safety-4-synced-phone")

    report.check("registry_safety: back online, both answers sent and the list from the server shows them",
                 back_online)
    def no_console_errors() -> None:  # offline, the sync loop's failed sends are expected (and retried)
        errors = [e for e in watch.console_errors if "ERR_INTERNET_DISCONNECTED" not in e]
        expect(not errors, "; ".join(errors[:3]))

    report.check("registry_safety: no console errors (but the sends that failed offline)", no_console_errors)

    def sign_out_forgets() -> None:
        with page.expect_navigation(timeout=NAVIGATION_TIMEOUT_MS):
            page.locator("#signout-form button").click()
        kept = page.evaluate("""new Promise((resolve) => {
            const open = indexedDB.open('toki-registry-safety');
            open.onsuccess = () => {
              const request = open.result.transaction('rosters').objectStore('rosters').count();
              request.onsuccess = () => resolve(request.result);
            };
        })""")
        expect(kept == 0, f"{kept} lists left on the phone after signing out")

    report.check("registry_safety: signing out deletes the list from the phone", sign_out_forgets)


def board_journey(report: Report, browser, password: str) -> None:
    context = browser.context("laptop")
    page = context.new_page()

    def board() -> None:
        page.goto("/accounts/login/", wait_until="load")
        log_in(page, "alice", password)
        page.goto("/registry/", wait_until="load")
        give_second_factor(page, "alice")
        page.goto("/hq/", wait_until="load")
        link = page.locator("a[href*='/board/']").first
        with page.expect_navigation(timeout=NAVIGATION_TIMEOUT_MS):
            link.click()
        settle(page)
        counts = page.locator("#board-registry-safety tr[data-total]").inner_text()
        expect("1" in counts, f"counts: {counts}")
        people = page.locator("#board-people li[data-status]")
        statuses = [people.nth(i).get_attribute("data-status") for i in range(people.count())]
        expect(bool(statuses) and statuses[0] == "needs_rescue", f"statuses on the board: {statuses}")
        # Only people not yet confirmed are named (other groups on the shared site may have answered for others).
        expect(bool(statuses) and "safe_at_home" not in statuses, f"statuses on the board: {statuses}")
        page.locator("#board-registry-safety").scroll_into_view_if_needed()
        screenshot(report, page, "registry-safety-5-hq-board-laptop")

    try:
        report.check("registry_safety: the HQ board shows the new counts and the names not yet confirmed", board)
    finally:
        context.close()
