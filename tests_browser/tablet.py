"""The household tablet (group "tablet"; docs/community.md) at a tablet's size (800x1280, touch), from a fresh
seed_demo (two 自治会, ten households):

- enrol by QR: alice makes the household's one-time QR on /community/households/<id>/; the QR in the page is
  decoded in the browser (jsQR on a canvas, as a camera would read it) and the tablet opens the link it holds;
- elderly-friendly: body ≥ 22 px, every primary button ≥ 64 px tall and full width, a home button on every page
  but home, axe clean (WCAG A/AA rules, tests_browser/a11y.py);
- the 自治会 leader kenji publishes a circular; the tablet reads it and taps 「見ました」; kenji's page shows it;
- a real Lv4 order for 両津 takes the whole screen (the level colour, the action); 「無事です」 reaches the HQ board
  of a real incident;
- offline: the site is cut off (Playwright routing, which also cuts the service worker's requests) and the page
  reloaded: the last content comes from the service worker and the page says it is offline.
Screenshots: test-artifacts/screenshots/tablet-*.png. The teardown lifts the order and closes the incident."""

from tests_browser import a11y, server
from tests_browser.common import Browser, Report, expect, log_in, screenshot, settle, short
from tests_browser.walkthrough import shell

HOUSEHOLD = "佐渡 ハナ 様"  # 両津 夷自治会 1班
CIRCULAR = "ブラウザーテストの回覧"
JSQR = server.BASE_DIR / "static" / "vendor" / "jsqr-1.4.0" / "jsQR.js"
SETUP = """
from toki.accounts.models import User
from toki.alerts.actions.orders import issue_evacuation_order
from toki.areas.models import District
from toki.hq.actions.incidents import open_incident
alice = User.objects.get(username="alice")
incident = open_incident(acting_user=alice, municipality=District.objects.get(code="ryotsu").municipality,
                         name="タブレット試験の大雨", kind="heavy_rain")
issue_evacuation_order(acting_user=alice, districts=[District.objects.get(code="ryotsu")], level=4,
                       hazard="landslide", reason="大雨でがけ崩れの危険（ブラウザーテスト）")
print(incident.pk)
"""
TEARDOWN = """
from toki.accounts.models import User
from toki.alerts.models import EvacuationOrder
from toki.alerts.actions.orders import lift_evacuation_orders
from toki.hq.actions import close_incident
from toki.hq.models import Incident
alice = User.objects.get(username="alice")
orders = list(EvacuationOrder.objects.filter(lifted_at__isnull=True, reason__endswith="（ブラウザーテスト）"))
if orders:
    lift_evacuation_orders(acting_user=alice, orders=orders, reason="ブラウザーテスト終了")
for incident in Incident.objects.filter(ended_at__isnull=True, name="タブレット試験の大雨"):
    close_incident(acting_user=alice, incident=incident)
"""
# Decodes the first <svg> QR of the page as a camera would: drawn on a canvas, read by jsQR.
DECODE_QR = """async () => {
  const svg = document.querySelector('#enrol-qr svg');
  const xml = new XMLSerializer().serializeToString(svg);
  const url = 'data:image/svg+xml;base64,' + btoa(unescape(encodeURIComponent(xml)));
  const img = new Image();
  await new Promise((ok, fail) => { img.onload = ok; img.onerror = fail; img.src = url; });
  const canvas = document.createElement('canvas');
  canvas.width = 600; canvas.height = 600;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 600, 600); ctx.drawImage(img, 0, 0, 600, 600);
  const code = jsQR(ctx.getImageData(0, 0, 600, 600).data, 600, 600);
  return code ? code.data : null;
}"""
# Sizes the elderly rules name: the body's font size, and every primary button's height and width.
MEASURE = """() => {
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  const content = (e) => { const s = getComputedStyle(e);
    return e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); };
  const box = (b) => b.closest('main, .alert-screen');
  const buttons = [...document.querySelectorAll('main .button, .alert-screen:not([hidden]) .button')]
    .filter((b) => b.offsetParent !== null)
    .map((b) => ({text: b.innerText.trim().slice(0, 20), h: b.getBoundingClientRect().height,
                  w: b.getBoundingClientRect().width, room: content(box(b))}));
  return {body, buttons};
}"""


def elderly_sizes(page, label: str) -> None:
    sizes = page.evaluate(MEASURE)
    expect(sizes["body"] >= 22, f"{label}: body text {sizes['body']}px")
    small = [b for b in sizes["buttons"] if b["h"] < 64]
    expect(not small, f"{label}: buttons under 64px: {small[:3]}")
    narrow = [b for b in sizes["buttons"] if b["w"] < b["room"] - 2]
    expect(not narrow, f"{label}: buttons not full width: {narrow[:3]}")


def axe_clean(page, label: str) -> None:
    a11y.inject_axe(page)
    results = page.evaluate(a11y.AXE_RUN, a11y.RUN_TAGS)
    a11y.print_results(f"axe {label}", results)
    failing = [rule["id"] for rule in results["violations"] if a11y.is_failing(rule)]
    expect(not failing, f"serious or critical WCAG violations: {', '.join(failing)}")


def staff_page(browser: Browser, username: str, password: str):
    context = browser.context("laptop")
    page = context.new_page()
    page.goto("/accounts/login/", wait_until="load")
    log_in(page, username, password)
    return context, page


def enrol(report: Report, browser: Browser, tablet, password: str) -> bool:
    context, page = staff_page(browser, "alice", password)
    try:
        def make_qr() -> None:
            page.goto("/community/households/", wait_until="load")
            page.get_by_role("link", name=HOUSEHOLD).click()
            page.wait_for_load_state("load")
            page.get_by_role("button", name="この世帯のタブレット用QRコード").click()
            page.wait_for_selector("#enrol-qr svg")
            page.evaluate(JSQR.read_text(encoding="utf-8") + "\n;typeof jsQR")
            link = page.evaluate(DECODE_QR)
            expect(bool(link) and "/tablet/enrol/" in link, f"the QR holds {link!r}")
            screenshot(report, page, "tablet-0-staff-qr")
            axe_clean(page, "staff QR page")
            tablet.goto(link, wait_until="load")
            screenshot(report, tablet, "tablet-1-enrol")
            tablet.get_by_role("button", name="始める").click()
            tablet.wait_for_url("**/tablet/", wait_until="load")
            expect(HOUSEHOLD in tablet.locator("header").inner_text(), "the home page does not name the household")

        return report.check("tablet: alice's QR, read by the camera's decoder, enrols the tablet", make_qr)
    finally:
        context.close()


def circular(report: Report, browser: Browser, tablet, password: str) -> None:
    context, leader = staff_page(browser, "kenji", password)
    try:
        def publish() -> None:
            leader.goto("/community/items/", wait_until="load")
            leader.select_option("#id_kind", "circular")
            leader.select_option("#id_jichikai", label="両津 夷 自治会")
            leader.fill("#id_title", CIRCULAR)
            leader.fill("#id_body", "ゴミ置き場の清掃当番が変わります。\n詳しくは班長まで。")
            leader.get_by_role("button", name="タブレットに配信する").click()
            leader.wait_for_selector("#read-count")

        def read() -> None:
            tablet.goto("/tablet/", wait_until="load")
            tablet.get_by_role("link", name="回覧板").first.click()
            tablet.wait_for_load_state("load")
            tablet.get_by_role("link", name=CIRCULAR).click()
            tablet.wait_for_load_state("load")
            expect("ゴミ置き場" in tablet.locator("#item-text").inner_text(), "the circular's text is missing")
            screenshot(report, tablet, "tablet-3-circular")
            elderly_sizes(tablet, "circular")
            axe_clean(tablet, "tablet circular")
            tablet.get_by_role("button", name="見ました").click()
            tablet.wait_for_load_state("load")
            expect(tablet.get_by_text("「見ました」を自治会に伝えました。").count() == 1, "no receipt shown")

        def receipt() -> None:
            leader.reload(wait_until="load")
            expect("1世帯が既読" in leader.locator("#read-count").inner_text(),
                   f"read count: {leader.locator('#read-count').inner_text()}")
            expect(HOUSEHOLD in leader.locator("#seen-list").inner_text(), "the household is not in the seen list")
            screenshot(report, leader, "tablet-4-leader-receipts")
            axe_clean(leader, "leader's item page")

        if (report.check("tablet: kenji publishes a circular to 夷自治会", publish)
                and report.check("tablet: the tablet reads it (large text, axe clean) and taps 見ました", read)):
            report.check("tablet: kenji's page shows the household's receipt (axe clean)", receipt)
    finally:
        context.close()


def alert_and_reply(report: Report, browser: Browser, tablet, site, password: str) -> None:
    incident = shell(site, SETUP)
    tablet.wait_for_timeout(3500)  # the district's alert state is shared for 3 s between polls

    def takes_screen() -> None:
        tablet.goto("/tablet/", wait_until="load")
        overlay = tablet.locator("#alert-overlay")
        overlay.wait_for(state="visible", timeout=15_000)
        expect("警戒レベル４" in overlay.inner_text(), f"overlay says {overlay.inner_text()[:80]!r}")
        expect("危険な場所から全員避難" in overlay.inner_text(), "the action is missing")
        box = overlay.bounding_box()
        expect(box is not None and box["width"] >= 799 and box["height"] >= 1279, f"overlay is {box}")
        colour = overlay.evaluate("e => getComputedStyle(e).backgroundColor")
        expect(colour == "rgb(91, 21, 128)", f"Lv4 purple expected, got {colour}")
        screenshot(report, tablet, "tablet-5-alert")
        elderly_sizes(tablet, "alert")
        axe_clean(tablet, "tablet alert")

    def reply() -> None:
        tablet.locator("#alert-overlay").get_by_role("button", name="無事です").click()
        tablet.get_by_text("「無事です」を送りました。").wait_for(timeout=10_000)
        screenshot(report, tablet, "tablet-6-replied")

    def board() -> None:
        context, hq = staff_page(browser, "alice", password)
        try:
            hq.goto(f"/hq/incidents/{incident}/board/", wait_until="load")
            for _ in range(10):
                if "無事 1" in hq.locator("#safety-safe").inner_text():
                    break
                hq.wait_for_timeout(1000)
                hq.reload(wait_until="load")
            expect("無事 1" in hq.locator("#safety-safe").inner_text(),
                   f"board says {hq.locator('#safety-safe').inner_text()!r}")
            hq.locator("#board-safety").screenshot(path=str(server.ARTIFACTS_DIR / "screenshots" /
                                                            "tablet-7-hq-board-safety.png"))
        finally:
            context.close()

    if (report.check("tablet: a Lv4 order for 両津 takes the whole screen in purple, axe clean", takes_screen)
            and report.check("tablet: 「無事です」 is sent", reply)):
        report.check("tablet: the reply reaches the HQ board", board)


def offline(report: Report, tablet) -> None:
    def reload_offline() -> None:
        tablet.evaluate("navigator.serviceWorker.ready.then(() => true)")
        tablet.goto("/tablet/items/?kind=circular", wait_until="load")  # controlled now: the list is kept
        tablet.goto("/tablet/", wait_until="load")
        settle(tablet)
        tablet.context.route("**/*", lambda route: route.abort("internetdisconnected"))
        try:
            tablet.reload(wait_until="load")
            expect(HOUSEHOLD in tablet.locator("header").inner_text(), "the cached home page did not come back")
            tablet.locator("#offline-banner").wait_for(state="visible", timeout=10_000)
            tablet.goto("/tablet/items/?kind=circular", wait_until="load")
            expect(CIRCULAR in tablet.locator("main").inner_text(), "the cached circulars list is missing")
            screenshot(report, tablet, "tablet-8-offline")
        finally:
            tablet.context.unroute("**/*")

    report.check("tablet: offline, a reload shows the last content from the service worker", reload_offline)


def check_tablet(report: Report, browser: Browser, site, password: str) -> None:
    context = browser.context("tablet")
    try:
        tablet = context.new_page()
        if not enrol(report, browser, tablet, password):
            return
        settle(tablet)
        screenshot(report, tablet, "tablet-2-home")
        report.check("tablet: home has large text, 64 px full-width buttons", lambda: elderly_sizes(tablet, "home"))
        report.check("tablet: home is axe clean", lambda: axe_clean(tablet, "tablet home"))
        circular(report, browser, tablet, password)
        try:
            alert_and_reply(report, browser, tablet, site, password)
        finally:
            try:
                shell(site, TEARDOWN)
            except Exception as exc:
                report.fail("tablet teardown (lift the order, close the incident)", short(str(exc)))
        offline(report, tablet)
    finally:
        context.close()
