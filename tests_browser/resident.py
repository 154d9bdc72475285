"""Issue 14's first journey: a resident on a phone (390x844) after HQ issues a Lv4 避難指示, in Japanese and in
やさしい日本語.

Setup on the throwaway site (undone afterwards): a real (non-drill) incident with 両津小学校体育館 opened
(`open_demo_shelter --real`). Then:
1. the resident opens the home page in Japanese and leaves it open (no order yet: no card, the survey shown);
   all of the main navigation and the 中文/한국어 links are within the phone's width, no sideways scroller;
2. alice, at her desk, issues the order through the real order page (/alerts/orders/: 両津, level 4, flood, the
   reason the residents read) — and confirms it where the page asks her to review it first;
3. on the page left open, without a reload, the order card appears within a minute (live-refresh.js polls
   /live.json; the browser's clock is fast-forwarded instead of waiting): 「避難指示（警戒レベル４）」, 「危険な場所から
   全員避難」, 両津, the time it was issued, the reason, the open shelter with its address and a directions link,
   above the page's heading; 「いますべきこと」 is there after a reload and the survey is gone;
4. the same page opened fresh in やさしい日本語: the action in plain words, the district, the reason, the shelter.
Screenshots of each step: resident-<n>-<step>.png in test-artifacts/screenshots/.
"""

import contextlib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tests_browser import a11y, server
from tests_browser.common import (
    Browser,
    Report,
    expect,
    goto_in,
    log_in,
    screenshot,
    settle,
    short,
    submit_order_through_review,
)
from tests_browser.walkthrough import shell

SHELTER = "両津小学校体育館"
ADDRESS = "両津湊"
REASON = "大雨で川の水位が上がっています。ブラウザーテストの発令です（直後に解除）。"
CARD = "#live-orders .order-card"
POLL_MS = 30_000  # live-refresh.js's interval
TEARDOWN = """
from toki.accounts.models import User
from toki.alerts.models import EvacuationOrder
from toki.alerts.actions.orders import lift_evacuation_orders
from toki.hq.actions import close_incident
from toki.hq.models import Incident
alice = User.objects.get(username="alice")
orders = list(EvacuationOrder.objects.filter(lifted_at__isnull=True, is_drill=False, reason__startswith="大雨で川の"))
if orders:
    lift_evacuation_orders(acting_user=alice, orders=orders, reason="ブラウザーテスト終了")
for incident in Incident.objects.filter(ended_at__isnull=True, is_drill=False):
    close_incident(acting_user=alice, incident=incident)
"""


def check_resident(report: Report, browser: Browser, site, password: str) -> None:
    try:
        server.manage(site, "open_demo_shelter", "--real", "--shelter", SHELTER)
    except Exception as exc:
        report.fail("resident setup (open a shelter for a real incident)", short(str(exc)))
        return
    phone = browser.context("phone")
    try:
        resident = phone.new_page()
        resident.clock.install()  # the page's timers run on a clock the test moves (no 30 s waits)
        goto_in(resident, "/", "ja")
        before(report, resident)
        if not report.check("resident: alice issues a Lv4 order for 両津 on /alerts/orders/",
                            lambda: issue_order(report, browser, password)):
            return
        report.check("resident: the page left open shows the order within a minute", lambda: appears(resident))
        screenshot(report, resident, "resident-3-card-appeared-ja")
        report.check("resident@ja: the page left open no longer says nothing is in force, and drops the survey",
                     lambda: swapped(resident))
        card_checks(report, resident, "ja", ("避難指示（警戒レベル４）", "危険な場所から全員避難", "両津", "理由"))
        resident.reload(wait_until="load")
        settle(resident)
        report.check("resident@ja: 「いますべきこと」 and no survey with an order in force", lambda: act_now(resident))
        screenshot(report, resident, "resident-4-home-ja")
        report.check("resident@ja: axe finds no serious WCAG violation with the card", lambda: axe_clean(resident))
        resident.close()

        easy = phone.new_page()
        goto_in(easy, "/", "ja-easy")
        card_checks(report, easy, "ja-easy", ("あぶない 場所（ばしょ）から みんな にげて ください", "両津"))
        screenshot(report, easy, "resident-5-home-ja-easy")
        report.check("resident@ja-easy: axe finds no serious WCAG violation with the card", lambda: axe_clean(easy))
        easy.close()
    finally:
        phone.close()
        try:
            shell(site, TEARDOWN)
        except Exception as exc:
            report.fail("resident teardown (lift the order, close the incident)", short(str(exc)))


def axe_clean(page) -> None:
    """axe-core (tests_browser/a11y.py's rules) on the page as it is, the order card in it."""
    a11y.inject_axe(page)
    results = page.evaluate(a11y.AXE_RUN, a11y.RUN_TAGS)
    a11y.print_results(f"axe resident {page.url}", results)
    failing = [rule["id"] for rule in results["violations"] if a11y.is_failing(rule)]
    expect(not failing, f"serious or critical WCAG violations: {', '.join(failing)}")


def act_now(page) -> None:
    expect(page.get_by_text("いますべきこと").count() > 0, "no 「いますべきこと」")
    expect(page.locator("#survey").count() == 0, "the survey is still on the page")


def swapped(page) -> None:
    """The page left open does not contradict the new card: its in-force box and the home page's live parts were
    swapped too."""
    expect("発令中の避難情報・警報はありません" not in page.locator("#situation").inner_text(),
           "the in-force box still says there is nothing")
    act_now(page)


def before(report: Report, page) -> None:
    def no_card() -> None:
        # An earlier group's order was lifted just before (walkthrough's teardown): the worker tells the page cache
        # within seconds, so reload until its card is gone, for at most 30 s (the order card's own promise is 10 s).
        for _ in range(30):
            if page.locator(CARD).count() == 0:
                return
            page.wait_for_timeout(1000)
            page.reload(wait_until="load")
        expect(page.locator(CARD).count() == 0, "an order card is shown before any order")

    report.check("resident@ja: no order card before the order", no_card)
    report.check("resident@ja: every main link and language is on screen at 390 px", lambda: all_links_in_view(page))
    screenshot(report, page, "resident-1-before-ja")


def all_links_in_view(page) -> None:
    """Every link of the main navigation and of the language switcher lies within the phone's width, and no list
    of them scrolls sideways (half of them used to hide in a scroller with no hint)."""
    width = page.viewport_size["width"]
    for selector in (".site-nav a", ".lang-switcher a"):
        links = page.locator(selector)
        expect(links.count() > 0, f"no links match {selector}")
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            text = links.nth(i).inner_text().strip()
            expect(box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1,
                   f"{text!r} ({selector}) is outside the {width}px screen: {box}")
    scrolling = page.evaluate("""[...document.querySelectorAll('.site-nav ul, .lang-switcher ul')]
        .filter(list => list.scrollWidth > list.clientWidth + 1).length""")
    expect(scrolling == 0, f"{scrolling} link list(s) scroll sideways")
    for name in ("中文", "한국어"):
        expect(page.locator(".lang-switcher a", has_text=name).first.is_visible(), f"{name} is not visible")


def issue_order(report: Report, browser: Browser, password: str) -> None:
    """alice issues the order through the real page; a review step, where there is one, is confirmed."""
    desk = browser.context("desktop")
    try:
        page = desk.new_page()
        page.goto("/accounts/login/", wait_until="load")
        log_in(page, "alice", password)
        page.goto("/alerts/orders/", wait_until="load")
        form = page.locator("section[aria-labelledby=issue-heading] form").first
        form.get_by_label("両津", exact=True).check()
        form.locator("input[name=level][value='4']").check()
        form.locator("select[name=hazard]").select_option("flood")
        form.locator("[name=reason]").fill(REASON)
        screenshot(report, page, "resident-2-staff-order-form")
        submit_order_through_review(page, form)
        errors = page.locator(".errorlist")
        expect(errors.count() == 0, "form errors: " + (errors.first.inner_text() if errors.count() else ""))
        expect(page.locator(".message--success").count() > 0, "no success message after issuing")
        screenshot(report, page, "resident-2-staff-order-issued")
    finally:
        desk.close()


def appears(page) -> None:
    """Within a minute of the order, the card appears on the page left open (two polls of the clock)."""
    for _poll in range(2):
        page.clock.run_for(POLL_MS + 1_000)
        with contextlib.suppress(Exception):  # Playwright's timeout (not imported here, as in run.py): next poll
            page.locator(CARD).first.wait_for(state="visible", timeout=5_000)
            return
    raise AssertionError("no order card on the page left open after 62 s of its clock")


def card_checks(report: Report, page, language: str, words: tuple[str, ...]) -> None:
    name = f"resident@{language}"

    def content() -> None:
        card = page.locator(CARD).first
        expect(card.count() > 0 and card.is_visible(), "no order card")
        text = " ".join(card.inner_text().split())
        today = datetime.now(ZoneInfo("Asia/Tokyo")).day
        for word in (*words, f"{today}日", REASON.replace("\n", " ")[:20], SHELTER, ADDRESS):
            expect(word in text, f"{word!r} is not on the card: {text[:300]!r}")
        route = card.locator("a.order-card__route").first
        href = route.get_attribute("href") if route.count() else ""
        expect(bool(re.match(r"https://www\.google\.com/maps/dir/", href or "")), "no directions link to the shelter")

    def first_screen() -> None:
        top = page.locator(CARD).first.bounding_box()
        heading = page.locator("h1").first.bounding_box()
        expect(top is not None and top["y"] < page.viewport_size["height"], f"the card starts below the first "
               f"screen (y={top and top['y']})")
        expect(heading is None or top["y"] < heading["y"], "the card is not above the page's heading")

    def fits() -> None:
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        expect(widths[0] <= widths[1] + 1, f"the page is {widths[0]}px wide on a {widths[1]}px phone")

    def level_colour() -> None:
        colour = page.locator(f"{CARD} .order-card__band").first.evaluate("e => getComputedStyle(e).backgroundColor")
        expect(colour == "rgb(170, 0, 170)", f"the Lv4 band is {colour}, not 警戒レベル4 purple (#aa00aa)")

    report.check(f"{name}: the card says what, where, when, why and where to go", content)
    report.check(f"{name}: the card is on the first screen, above the heading", first_screen)
    report.check(f"{name}: the card has the Lv4 colour", level_colour)
    report.check(f"{name}: the page fits the phone's width", fits)
