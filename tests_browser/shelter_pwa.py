"""The offline shelter tablet (group "pwa"; docs/shelter-pwa.md), in Chromium with a fake camera.

carol (shelter staff) opens /shelter-ops/tablet/ for a drill opening of her shelter, then the connection goes:
- the SERVER IS STOPPED and the page is reloaded: it must come from the service worker; a pre-registered
  household is checked in by showing its QR code to the (fake) camera, one walk-in household is registered with
  the quick form; the page says "3 not sent"; the server is started again; the page sends by itself, says
  everything is sent, and the database holds exactly those three events, once each;
- two tablets (two browser contexts, the second with another camera video) work offline at once by request
  blocking (Playwright routing: the browser's offline switch does not cut a service worker's requests), then
  come back while the first answers of the events endpoint are dropped after the server has handled them: the
  tablets retry, the server answers "duplicate", and every event is on the server exactly once.
Screenshots at tablet sizes (1024x768 landscape, 800x1280 portrait) go to test-artifacts/screenshots/pwa-*.png.

The fake camera: Chromium's `--use-file-for-fake-video-capture` plays a Y4M file (4:2:0, `C420jpeg`) in a loop;
write_qr_video() draws one with segno. The benchmarks bench/shelter_qr_browser.py and
bench/shelter_offline_sync.py use the helpers here.
"""

import functools
import io
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from tests_browser import server
from tests_browser.common import (
    CHROMIUM,
    LAUNCH_ARGS,
    NAVIGATION_TIMEOUT_MS,
    SCREENSHOTS_DIR,
    Report,
    Watch,
    expect,
    log_in,
    screenshot,
    short,
    watch_csp,
)

TABLET = "/shelter-ops/tablet/"
EVENTS_ROUTE = "**/api/v1/shelters/openings/*/events"
QR_PREFIX = "TOKI-SHELTER:1:"
SIZES = {"landscape": {"width": 1024, "height": 768}, "portrait": {"width": 800, "height": 1280}}
SHELTER_USER = "carol"
WAIT_MS = 20_000


# --- the fake camera --------------------------------------------------------------------------------------------

def write_qr_video(path: Path, text: str, *, width: int = 640, height: int = 480, frames: int = 2) -> Path:
    """A Y4M video (what Chromium's fake capture device plays in a loop) showing one QR code, black on white."""
    import segno
    from PIL import Image

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=10, border=4)
    buffer.seek(0)
    side = min(width, height) - 40
    code = Image.open(buffer).convert("L").resize((side, side), Image.NEAREST)
    picture = Image.new("L", (width, height), 255)
    picture.paste(code, ((width - side) // 2, (height - side) // 2))
    luma = picture.tobytes()
    chroma = bytes([128]) * ((width // 2) * (height // 2))  # no colour
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def launch_with_camera(playwright, video: Path):
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, timeout=30_000,
        args=[*LAUNCH_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"])


def off_loop(function):
    """Run a database function in a worker thread: Playwright's sync API keeps an event loop running in this
    one, and Django refuses synchronous queries from a thread with a running loop."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(function, *args, **kwargs).result()

    return wrapper


# --- the world: an incident, carol's shelter opened in it, pre-registered households with QR codes ---------------

@dataclass
class World:
    opening_id: int
    shelter_name: str
    qr_households: list = field(default_factory=list)  # (household id, token, kana of the first member)


@off_loop
def prepare_world(qr_households: int, label: str = "ブラウザテスト") -> World:
    """Through the apps' own actions, in this process (django is set up with the test site's database)."""
    from django.contrib.auth import get_user_model

    from toki.areas.selectors import default_municipality
    from toki.hq.actions import open_incident
    from toki.shelters.actions.households import pre_register
    from toki.shelters.actions.openings import open_shelter
    from toki.shelters.models import ShelterOpening, ShelterTeam

    users = get_user_model().objects
    alice, carol = users.get(username="alice"), users.get(username="carol")
    municipality = default_municipality()
    team = ShelterTeam.objects.filter(org_unit__memberships__user=carol).select_related("shelter").first()
    if team is None:  # the demo data may leave carol's team without a shelter: link it as HQ would
        from toki.accounts.models import OrgUnit
        from toki.shelters.actions.master import link_shelter_team
        from toki.shelters.models import Shelter

        unit = OrgUnit.objects.get(kind=OrgUnit.Kind.SHELTER_TEAM, memberships__user=carol)
        shelter = Shelter.objects.filter(municipality=municipality, is_designated_shelter=True).order_by(
            "common_id").first()
        if shelter is None:
            raise server.ServerError("no designated shelter in the demo data")
        link_shelter_team(acting_user=alice, org_unit=unit, shelter=shelter)
    else:
        shelter = team.shelter
    for live in ShelterOpening.objects.filter(shelter=shelter).exclude(status="closed"):
        from toki.shelters.actions.openings import close_opening

        close_opening(acting_user=alice, opening=live)
    incident = open_incident(acting_user=alice, municipality=municipality, name=f"{label} {uuid.uuid4().hex[:6]}",
                             kind="heavy_rain", is_drill=True)
    opening = open_shelter(acting_user=carol, shelter=shelter, incident=incident)
    world = World(opening_id=opening.pk, shelter_name=shelter.name)
    for index in range(qr_households):
        kana = f"テスト キュウアール{index + 1}"
        household = pre_register(municipality=municipality, household={}, planned_shelter=shelter, members=[
            {"name": f"試験 QR{index + 1}", "name_kana": kana, "sex": "female"},
            {"name": f"試験 同居{index + 1}", "name_kana": f"テスト ドウキョ{index + 1}", "sex": "male"}])
        world.qr_households.append((str(household.pk), household.qr_token, kana))
    return world


@off_loop
def server_events(opening_id: int) -> dict:
    """event id -> status of every event the server holds for the opening."""
    from toki.shelters.models import CheckinEvent

    return {str(e): s for e, s in CheckinEvent.objects.filter(opening_id=opening_id).values_list("event_id", "status")}


# --- driving a tablet -----------------------------------------------------------------------------------------

def tablet_context(browser, base_url: str, size: str, storage_state=None, *, csp_violations: list[str]):
    context = browser.new_context(base_url=base_url, locale="ja-JP", timezone_id="Asia/Tokyo", viewport=SIZES[size],
                                  has_touch=True, permissions=["camera"], service_workers="allow",
                                  storage_state=storage_state)
    watch_csp(context, csp_violations)
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return context


def open_tablet(context, password: str):
    """Log in as carol and open the tablet; returns the page once the service worker controls it and the
    roster has arrived."""
    login = context.new_page()
    login.goto("/accounts/login/", wait_until="load")
    log_in(login, SHELTER_USER, password)
    login.close()
    page = context.new_page()
    watch = Watch(page)
    page.goto(TABLET, wait_until="load")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    wait_roster(page)
    return page, watch


def wait_roster(page) -> None:
    page.wait_for_function("() => document.getElementById('snapshot-age').textContent.includes(':')")


def unsynced(page) -> int:
    return int(page.locator("#unsynced-count").inner_text())


def wait_unsynced(page, count: int, timeout_ms: int = WAIT_MS) -> None:
    page.wait_for_function(f"() => Number(document.getElementById('unsynced-count').textContent) === {count}",
                           timeout=timeout_ms)


def local_events(page) -> list[dict]:
    return page.evaluate("""async () => {
        const id = await TokiStore.getMeta('opening_id');
        return (await TokiStore.eventsFor(id)).map(e => ({id: e.id, type: e.type, state: e.state}));
    }""")


def go_offline(context) -> None:
    """Every request fails, the service worker's included (context routes see them in Chromium)."""
    context.route("**/*", lambda route: route.abort("internetdisconnected"))


def go_online(context) -> None:
    context.unroute("**/*")


def scan_and_check_in(page, kana: str, before_tap=None) -> float:
    """Open the scanner, wait for the card's household on screen, tap once; returns seconds from opening the
    scanner (the code is in front of the camera from the first frame) to the confirmation on screen.

    The household is named when the tablet can tell whose card it is offline (the roster carries a hash of each
    card's token, or this tablet has sent a check-in with that card before); otherwise the page says the card
    was read and the server will find the household, and the same one tap checks it in."""
    if page.locator("#scan-panel").is_visible():
        page.locator(".action--scan").click()  # close, so that opening starts the camera afresh
    page.evaluate("document.getElementById('toast').hidden = true")
    started = time.monotonic()
    page.locator(".action--scan").click()
    page.locator("#scan-result").wait_for(state="visible")
    shown = page.locator("#scan-household")
    if shown.get_attribute("data-identified") == "yes":
        expect(kana in shown.inner_text(), f"scan shows {shown.inner_text()!r}, not the card's {kana}")
    if before_tap is not None:
        before_tap()
    page.locator("#scan-checkin").click()
    page.locator("#toast").wait_for(state="visible")
    return time.monotonic() - started


def register_by_hand(page, kana: str, people: int) -> None:
    if page.locator("#form-panel").is_hidden():
        page.locator(".action--form").click()
    page.locator("#f-kana").fill(kana)
    for _ in range(people - 1):
        page.locator("[data-step='1']").click()
    page.locator("#quick-form button[type=submit]").click()
    page.wait_for_function(f"() => document.getElementById('toast').textContent.includes({kana!r})")


def restart_server(site) -> None:
    """Start the site again on the same port (the origin, and so the tablet's storage, must not change)."""
    port = site.port
    with mock.patch.object(server, "free_port", return_value=port):
        server.start(site)
    server.wait_healthy(site)


# --- the checks ---------------------------------------------------------------------------------------------------

def check_pwa(report: Report, playwright, site, password: str, workdir: Path) -> None:
    try:
        world = prepare_world(2)
    except Exception as exc:
        report.fail("pwa: open a drill opening for carol's shelter", short(f"{type(exc).__name__}: {exc}"))
        return
    report.ok("pwa: drill opening for carol's shelter with two QR households")
    videos = [write_qr_video(workdir / f"qr-{i}.y4m", QR_PREFIX + token)
              for i, (_, token, _) in enumerate(world.qr_households)]
    violations: list[str] = []
    first = launch_with_camera(playwright, videos[0])
    try:
        state = check_server_down(report, first, site, world, password, violations)
        if state is not None:
            second = launch_with_camera(playwright, videos[1])
            try:
                check_two_tablets(report, first, second, site, world, state, violations)
            finally:
                second.close()
        from tests_browser.shelter_pwa_forget import check_forgets

        check_forgets(report, first, site, password, violations)
    finally:
        first.close()
    found = sorted(set(violations))
    report.check("pwa: no Content-Security-Policy violation on the tablet", lambda: expect(
        not found, f"{len(found)}: " + "; ".join(found[:3])))


def check_server_down(report: Report, browser, site, world: World, password: str, violations: list[str]):
    """Returns carol's storage state (cookies) for the next checks, or None when the tablet did not load."""
    context = tablet_context(browser, site.url, "landscape", csp_violations=violations)
    try:
        page = None

        def loads() -> None:
            nonlocal page
            page, watch = open_tablet(context, password)
            page.wait_for_function("name => document.querySelector('h1').textContent.includes(name)",
                                   arg=world.shelter_name)
            expect(unsynced(page) == 0, f"{unsynced(page)} unsent on a fresh tablet")
            expect(page.locator("html").get_attribute("lang") == "ja", "page not in Japanese")
            watch.expect_clean("console")

        if not report.check("pwa: tablet loads online, service worker in control", loads):
            return None
        screenshot(report, page, "pwa-1-online")
        report.check("pwa: web app manifest is installable", lambda: _expect_manifest(page))
        cookies = context.storage_state()

        server.stop(site)
        if not report.check("pwa: with the server stopped, a reload still shows the tablet", lambda: (
                page.reload(wait_until="load"),
                page.wait_for_function("name => document.querySelector('h1').textContent.includes(name)",
                                       arg=world.shelter_name),
                page.wait_for_function("() => document.getElementById('connection').dataset.state === 'offline'"))):
            restart_server(site)
            return None
        screenshot(report, page, "pwa-2-offline-reload")

        household_id, _, kana = world.qr_households[0]

        def scan() -> None:
            scan_and_check_in(page, kana, before_tap=lambda: (
                screenshot(report, page, "pwa-3-scan-result"),
                # what the volunteer sees without scrolling: the household and the button
                page.screenshot(path=str(SCREENSHOTS_DIR / "pwa-3-scan-result-screen.png")),
                expect(page.locator("#scan-checkin").is_visible() and _in_viewport(page, "#scan-checkin"),
                       "the check-in button is not on the first screen")))
            wait_unsynced(page, 1)  # the confirmation comes as soon as the event is saved, the redraw just after

        if report.check("pwa: offline, a QR code shown to the camera and one tap check the household in", scan):
            screenshot(report, page, "pwa-3-checked-in")
        report.check("pwa: offline, the quick form registers a walk-in household of three",
                     lambda: register_by_hand(page, "テスト テガキ", 3))
        page.locator("#unsynced").click()
        report.check("pwa: the page says 3 not sent and lists them", lambda: (
            wait_unsynced(page, 3),
            expect("3" in page.locator("#unsynced-label").inner_text(), page.locator("#unsynced-label").inner_text()),
            expect(page.locator("#outbox li").count() == 3, f"{page.locator('#outbox li').count()} rows in the list"),
            expect(page.locator("#households-in").inner_text() == "2",
                   f"households here {page.locator('#households-in').inner_text()} (1 by QR + 1 by hand)"),
            # 2 by QR + 3 by hand; a card the tablet cannot name yet counts as a household of unknown size.
            expect(page.locator("#people-in").inner_text() in ("3", "5"),
                   f"people here {page.locator('#people-in').inner_text()}")))
        screenshot(report, page, "pwa-4-unsent")
        report.check("pwa: axe finds no serious WCAG violation on the tablet (outbox open)", lambda: _expect_axe(page))
        made = {e["id"] for e in local_events(page)}

        restart_server(site)

        def sends() -> None:
            # No tap: the tablet's retry (backoff, at most 60 s between tries) finds the server again.
            wait_unsynced(page, 0, timeout_ms=75_000)
            page.wait_for_function("() => document.getElementById('connection').dataset.state === 'online'")
            on_server = server_events(world.opening_id)
            expect(set(on_server) == made, f"server has {len(on_server)} events, tablet made {len(made)}")
            expect(all(s == "applied" for s in on_server.values()), f"statuses {sorted(on_server.values())}")
            expect(page.locator("#people-in").inner_text() == "5",
                   f"people here {page.locator('#people-in').inner_text()} after the sync, not 5")
            page.locator(".action--list").click()
            name = "試験 QR1"
            page.wait_for_function("name => document.getElementById('roster').textContent.includes(name)", arg=name,
                                   timeout=5_000)

        if report.check("pwa: back online, it sends by itself and the server has exactly those 3 events", sends):
            screenshot(report, page, "pwa-5-synced")
        report.check("pwa: the QR household is checked in on the server", lambda: _expect_checked_in(
            world.opening_id, household_id, 2))

        def check_out() -> None:
            if page.locator("#list-panel").is_hidden():
                page.locator(".action--list").click()
            row = page.locator("#roster li", has_text="テスト テガキ")
            row.get_by_role("button").click()
            page.locator("#checkout-panel").wait_for(state="visible")
            screenshot(report, page, "pwa-8-check-out")
            page.locator("[data-destination=home]").click()
            page.wait_for_function("() => document.getElementById('toast').textContent.includes('テスト テガキ')")
            page.wait_for_function("() => document.getElementById('people-in').textContent === '2'")  # 5 - 3
            deadline = time.monotonic() + WAIT_MS / 1000
            left = _left_for("テスト テガキ", world.opening_id)
            while left != ["home"] * 3 and time.monotonic() < deadline:  # the tablet sends it within a moment
                page.wait_for_timeout(250)
                left = _left_for("テスト テガキ", world.opening_id)
            wait_unsynced(page, 0)
            expect(left == ["home"] * 3, f"destinations on the server {left}, not 3x home; "
                                         f"tablet: {page.locator('#outbox').text_content()[:200]}")

        report.check("pwa: check-out with a destination from the list reaches the server", check_out)
        return cookies
    finally:
        context.close()


def check_two_tablets(report: Report, first_browser, second_browser, site, world: World, cookies,
                      violations: list[str]) -> None:
    tablets = [tablet_context(browser, site.url, "portrait", storage_state=cookies, csp_violations=violations)
               for browser in (first_browser, second_browser)]
    try:
        pages = []
        for context in tablets:
            page = context.new_page()
            page.goto(TABLET, wait_until="load")
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            wait_roster(page)
            pages.append(page)
        before = server_events(world.opening_id)
        for context in tablets:
            go_offline(context)
        _, _, kana_b = world.qr_households[1]

        def offline_work() -> None:
            register_by_hand(pages[0], "テスト ニダイA", 2)
            register_by_hand(pages[1], "テスト ニダイB", 1)
            scan_and_check_in(pages[1], kana_b)
            wait_unsynced(pages[0], 2)
            wait_unsynced(pages[1], 3)

        if not report.check("pwa: two tablets offline record 5 events", offline_work):
            return
        screenshot(report, pages[1], "pwa-6-portrait-unsent")
        made = {e["id"] for page in pages for e in local_events(page)}
        dropped = []

        def drop_answer(route) -> None:
            if len(dropped) < 2:  # the server handles the request, the tablet never hears the answer
                route.fetch()
                dropped.append(route.request.url)
                route.abort("connectionreset")
            else:
                route.continue_()

        for context in tablets:
            go_online(context)
            context.route(EVENTS_ROUTE, drop_answer)
        for page in pages:  # what a volunteer does: tap the "not sent" box, then "send now"
            page.locator("#unsynced").click()
            page.locator("#sync-now").click()

        def no_duplicates() -> None:
            for page in pages:
                wait_unsynced(page, 0, timeout_ms=60_000)
            on_server = server_events(world.opening_id)
            new = {k: v for k, v in on_server.items() if k not in before}
            expect(len(dropped) == 2, f"{len(dropped)} answers dropped")
            expect(set(new) == made, f"server got {len(new)} new events, tablets made {len(made)}")
            expect(_households_named("テスト ニダイA") == 1, "walk-in household A stored more than once")

        report.check("pwa: answers dropped twice, tablets retry, every event on the server exactly once",
                     no_duplicates)
        screenshot(report, pages[1], "pwa-7-portrait-synced")
    finally:
        for context in tablets:
            context.close()


def _expect_manifest(page) -> None:
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.evaluate("async (href) => (await fetch(href)).json()", href)
    expect(manifest.get("display") == "standalone", f"display {manifest.get('display')}")
    expect(manifest.get("start_url") == TABLET, f"start_url {manifest.get('start_url')}")
    sizes = {icon.get("sizes") for icon in manifest.get("icons", [])}
    expect({"192x192", "512x512"} <= sizes, f"icon sizes {sizes}")


@off_loop
def _expect_checked_in(opening_id: int, household_id: str, people: int) -> None:
    from toki.shelters.models import Registration

    states = list(Registration.objects.filter(opening_id=opening_id, household_id=household_id)
                  .values_list("state", flat=True))
    expect(states.count("checked_in") == people, f"registrations {states}")


def _expect_axe(page) -> None:
    from tests_browser import a11y

    expect(a11y.AXE_JS.exists(), "node_modules/axe-core is missing: run `npm ci`")
    a11y.inject_axe(page)
    results = page.evaluate(a11y.AXE_RUN, a11y.RUN_TAGS)
    a11y.print_results("axe shelter-ops-tablet@ja", results)
    failing = [f"{r['id']} ({r['impact']}, {len(r['nodes'])}x)" for r in results["violations"] if a11y.is_failing(r)]
    expect(not failing, "serious or critical: " + ", ".join(failing))


def _in_viewport(page, selector: str) -> bool:
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight;
    }""", selector)


@off_loop
def _left_for(kana: str, opening_id: int) -> list[str]:
    """Destinations of the registrations of the household whose first member has this kana."""
    from toki.shelters.models import Member, Registration

    household = Member.objects.filter(name_kana=kana).values_list("household_id", flat=True).first()
    return list(Registration.objects.filter(opening_id=opening_id, household_id=household, state="checked_out")
                .values_list("destination", flat=True))


@off_loop
def _households_named(kana: str) -> int:
    from toki.shelters.models import Member

    return Member.objects.filter(name_kana=kana).values("household_id").distinct().count()

