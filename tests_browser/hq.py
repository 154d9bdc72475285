"""The README's disaster-HQ drill (issues 6 and 14), end to end in the browser from a fresh `seed_demo` (nothing
loaded by hand: the demo has the 第4号様式 form), at a staff laptop's size (1366x768), as the people who do it:

- alice (HQ admin) opens an incident for 両津 and 相川 with a 災害対策本部, and keeps the live board open;
- bob (両津支所) finds the filing from his home (災害対策本部 → the incident → 被害報告 → 被害報告を入力), his
  district already chosen; an empty report is refused in Japanese; the map (no tiles offline) draws his
  district's outline: a click outside says so, a click inside sets the point; he files a casualty report;
- frank (相川支所, the demo's second branch) files one from his phone;
- the board's damage summary moves to their sum by itself (htmx polling, no reload), and its open-shelter
  table is there;
- alice reviews a drill evacuation order (real or drill apart from the button, the text in each language) and
  confirms it;
- alice issues 第1報 and downloads its Excel file: その1/その2 carry the figures and no internal text;
- alice gives frank's office an instruction; frank sees it on "my instructions", acknowledges (受領) and reports
  it done (完了報告); alice sees it done and the board's open list empties;
- alice reads the chronology: the incident, both reports' instruction steps are there.

Screenshots: hq-1-incident, hq-2-bob-home … hq-7-bob-filed, hq-board-after-reports, hq-order-review,
hq-issued, hq-instructions, hq-board-open-instruction, hq-my-instructions, hq-chronology, hq-board-desktop,
hq-board-tablet (test-artifacts/screenshots/), and axe-core on the HQ pages.
"""

import re
import time
from urllib.parse import urlsplit

from tests_browser import a11y
from tests_browser.common import (
    Browser,
    Report,
    expect,
    log_in,
    screenshot,
    settle,
    short,
)

INCIDENT_NAME = "ブラウザ試験 豪雨"
INSTRUCTION = "相川の土砂崩れ現場を確認"
BOARD_WAIT_S = 30  # polling every 10 s plus the parts' 3 s cache, with room for a slow machine


def logged_in(browser: Browser, username: str, password: str, viewport: str = "laptop"):
    context = browser.context(viewport)
    page = context.new_page()
    page.goto("/accounts/login/", wait_until="load")
    log_in(page, username, password)
    expect(urlsplit(page.url).path != "/accounts/login/", f"{username} could not log in")
    return context, page


def submit(page, form_selector: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.locator(form_selector).locator("button[type=submit]").first.click()
    settle(page)


def open_incident(page, name: str = INCIDENT_NAME, *, drill: bool = False) -> int:
    page.goto("/hq/incidents/new/", wait_until="load")
    form = page.locator("main form").first
    form.locator("input[name=name]").fill(name)
    if drill:
        form.locator("input[name=is_drill]").check()
    form.locator("select[name=kind]").select_option("heavy_rain")
    for name in ("両津", "相川"):
        form.get_by_label(name, exact=True).check()
    form.locator("select[name=hq_level]").select_option("disaster_hq")
    submit(page, "main form")
    match = re.search(r"/hq/incidents/(\d+)/$", urlsplit(page.url).path)
    expect(match is not None, f"opening the incident ended at {page.url}")
    return int(match.group(1))


def file_report(page, incident: int, district: str, injured: int, address: str, point: tuple) -> None:
    page.goto(f"/hq/damage/incidents/{incident}/reports/new/?category=casualties", wait_until="load")
    form = page.locator("main form.damage-form")
    form.locator("input[name=count_casualties_injured_minor]").fill(str(injured))
    form.locator("select[name=district]").select_option(label=district)
    form.locator("input[name=address]").fill(address)
    form.locator("input[name=latitude]").fill(str(point[0]))
    form.locator("input[name=longitude]").fill(str(point[1]))
    submit(page, "main form.damage-form")
    expect("/hq/damage/reports/" in page.url or "/dashboard" in page.url or "/incidents/" in page.url,
           f"filing ended at {page.url}")
    errors = page.locator("main .errorlist")
    expect(errors.count() == 0, "form errors: " + (errors.first.inner_text() if errors.count() else ""))


# A point of the place map, found by what the page shows there (Leaflet keeps its map object to itself).
MAP_POINT_JS = """(inside) => {
  const box = document.getElementById('damage-map').getBoundingClientRect();
  for (let y = box.top + 12; y < box.bottom - 12; y += 6) {
    for (let x = box.left + 60; x < box.right - 12; x += 6) {
      const hit = document.elementFromPoint(x, y);
      if (!hit || !hit.closest('#damage-map') || hit.closest('.leaflet-control-container')) { continue; }
      if (inside === hit.matches('path.leaflet-interactive')) { return [x, y]; }
    }
  }
  return null;
}"""


def click_map(page, *, inside: bool) -> None:
    page.locator("#damage-map").scroll_into_view_if_needed()  # elementFromPoint sees the viewport only
    point = page.evaluate(MAP_POINT_JS, inside)
    expect(point is not None, f"no point {'inside' if inside else 'outside'} the district outline on the map")
    page.mouse.click(point[0], point[1])


def bob_files_from_his_home(report: Report, page, incident: int) -> None:
    """The way a branch office finds the filing, then the form's help: district preselected, Japanese errors, the
    map without tiles."""
    def find_the_form() -> None:
        page.goto("/accounts/", wait_until="load")
        screenshot(report, page, "hq-2-bob-home")
        with page.expect_navigation(wait_until="load"):
            page.locator("main a", has_text="災害対策本部").first.click()
        with page.expect_navigation(wait_until="load"):
            page.locator("main a", has_text=INCIDENT_NAME).first.click()
        with page.expect_navigation(wait_until="load"):
            page.locator("main a", has_text="被害報告").first.click()
        expect("load_damage_form" not in page.content(), "the damage page asks for manage.py load_damage_form")
        screenshot(report, page, "hq-3-bob-damage")
        with page.expect_navigation(wait_until="load"):
            page.locator("main a.button", has_text="被害報告を入力").click()
        with page.expect_navigation(wait_until="load"):
            page.locator("main a", has_text="人的被害").first.click()
        expect(f"/hq/damage/incidents/{incident}/reports/new/" in page.url, f"filing went to {page.url}")
        chosen = page.locator("select[name=district] option:checked").inner_text().strip()
        expect(chosen == "両津", f"the district shown is {chosen!r}, not bob's 両津")
        page.locator("#damage-map path.leaflet-interactive").first.wait_for(state="attached")
        screenshot(report, page, "hq-4-bob-form")

    def empty_report_refused_in_japanese() -> None:
        submit(page, "main form.damage-form")
        errors = page.locator("main .errorlist").first
        expect(errors.count() == 1 and "数値・説明・写真のいずれか" in errors.inner_text(),
               "no Japanese error for an empty report: " + (errors.inner_text() if errors.count() else "none"))
        screenshot(report, page, "hq-5-bob-error")

    def the_map_without_tiles() -> None:
        click_map(page, inside=False)
        status = page.locator("#damage-map-status")
        expect("報告する地区の外です" in status.inner_text(),
               f"outside the outline the map says {status.inner_text()!r}")
        expect(page.locator("input[name=latitude]").input_value() == "", "a click outside set the point")
        click_map(page, inside=True)
        expect("両津 に地点を設定しました" in status.inner_text(), f"inside, the map says {status.inner_text()!r}")
        expect(page.locator("input[name=latitude]").input_value() != "", "a click inside set no point")
        screenshot(report, page, "hq-6-bob-map")

    def file() -> None:
        form = page.locator("main form.damage-form")
        form.locator("input[name=count_casualties_injured_minor]").fill("2")
        form.locator("input[name=address]").fill("両津夷 1-1")
        submit(page, "main form.damage-form")
        expect("/hq/damage/reports/" in page.url, f"filing ended at {page.url}")
        expect(page.locator("main .errorlist").count() == 0, "form errors after filing")
        screenshot(report, page, "hq-7-bob-filed")

    for name, step in (("finds the filing from his home, 両津 chosen", find_the_form),
                       ("is told in Japanese what an empty report lacks", empty_report_refused_in_japanese),
                       ("sets the place on the map without tiles", the_map_without_tiles),
                       ("files a report for 両津", file)):
        if not report.check(f"hq bob {name}", step):
            return


def alice_reviews_a_drill_order(report: Report, page) -> None:
    page.goto("/alerts/orders/", wait_until="load")
    form = page.locator("section[aria-labelledby=issue-heading] form")
    form.locator("input[name=is_drill][value=drill]").check()
    form.get_by_label("両津", exact=True).check()
    form.locator("input[name=level][value='4']").check()
    form.locator("select[name=hazard]").select_option("landslide")
    form.locator("[name=reason]").fill("ブラウザ試験: 崖崩れの危険")
    with page.expect_navigation(wait_until="load"):
        form.locator("button[value=review]").click()
    main = page.locator("main").inner_text()
    for expected in ("これは訓練です", "訓練として発令する", "English", "한국어", "ブラウザ試験: 崖崩れの危険"):
        expect(expected in main, f"the review does not show {expected!r}")
    expect(page.locator("button[value=confirm]").inner_text().strip().startswith("訓練"),
           "the confirm button does not say drill")
    screenshot(report, page, "hq-order-review")
    with page.expect_navigation(wait_until="load"):
        page.locator("button[value=confirm]").click()
    expect(page.locator(".message--success").count() > 0, "no success message after confirming")



def check_excel(path: str) -> None:
    """その1/その2 carry the figures and only the form's own wording."""
    import io

    from openpyxl import load_workbook

    with open(path, "rb") as handle:  # Playwright's download file has no .xlsx suffix for openpyxl to check
        book = load_workbook(io.BytesIO(handle.read()))
    expect(book.sheetnames[:2] == ["その1", "その2"], f"sheets {book.sheetnames}")
    for sheet in (book["その1"], book["その2"]):
        printed = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
        for internal in ("fdma-4", "自動計算", "最大時"):
            expect(internal not in printed, f"{sheet.title} prints {internal!r}")
        expect("第1報" in printed, f"{sheet.title} has no 第1報")
    minor = [row[3] for row in book["その2"].iter_rows(values_only=True) if len(row) > 3 and row[1] == "負傷者 軽傷"]
    expect(minor == [5], f"その2 負傷者 軽傷 is {minor}, not 5")


def board_value(page, item: str) -> str:
    cell = page.locator(f"#board-summary [data-item={item}]")
    return cell.inner_text().strip() if cell.count() else ""


def wait_for_board(page, item: str, value: str) -> None:
    deadline = time.monotonic() + BOARD_WAIT_S
    while time.monotonic() < deadline:
        if board_value(page, item) == value:
            return
        page.wait_for_timeout(1000)
    raise AssertionError(f"the board shows {board_value(page, item)!r} for {item} after {BOARD_WAIT_S}s, not {value}")


def audit_pages(report: Report, browser: Browser, logged_in_context, incident: int) -> None:
    """axe-core on the HQ pages as alice, at the phone size, in Japanese (a11y.py's rules and thresholds)."""
    if not a11y.AXE_JS.exists():
        report.fail("hq axe", "axe-core is missing: run `npm ci`")
        return
    a11y.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    context = browser.context("phone")
    try:
        context.add_cookies(logged_in_context.cookies())
        page = context.new_page()
        paths = ["/hq/", f"/hq/incidents/{incident}/", f"/hq/incidents/{incident}/board/",
                 f"/hq/incidents/{incident}/instructions/", f"/hq/incidents/{incident}/chronology/",
                 "/hq/instructions/mine/", "/hq/incidents/new/"]
        for index, path in enumerate(paths):
            a11y.audit(report, page, path, "ja", first=index == 0)
    finally:
        context.close()


def check_hq(report: Report, browser: Browser, password: str) -> None:
    contexts = []
    try:
        alice_context, alice = logged_in(browser, "alice", password)
        contexts.append(alice_context)
        state = {}

        def opened() -> None:
            state["incident"] = open_incident(alice)
            expect(INCIDENT_NAME in alice.locator("h1").inner_text(), "the incident page has another title")
            screenshot(report, alice, "hq-1-incident")

        if not report.check("hq alice opens an incident", opened):
            return
        incident = state["incident"]
        board_context, board = logged_in(browser, "alice", password)
        contexts.append(board_context)
        board.goto(f"/hq/incidents/{incident}/board/", wait_until="load")
        report.check("hq board shows no casualties yet", lambda: expect(
            board_value(board, "casualties_injured_minor") == "0",
            f"{board_value(board, 'casualties_injured_minor')!r}"))

        bob_context, bob = logged_in(browser, "bob", password)
        frank_context, frank = logged_in(browser, "frank", password, viewport="phone")
        contexts += [bob_context, frank_context]
        bob_files_from_his_home(report, bob, incident)
        report.check("hq frank files a report for 相川", lambda: file_report(frank, incident, "相川", 3,
                                                                                   "相川下戸 2", (38.0310, 138.2380)))
        report.check("hq the board's summary moves by itself to 5",
                     lambda: wait_for_board(board, "casualties_injured_minor", "5"))
        report.check("hq the board has its open-shelter table", lambda: expect(
            "開設中の避難所" in board.locator("#board-shelters").inner_text(), "no #board-shelters part"))
        screenshot(report, board, "hq-board-after-reports")
        report.check("hq alice reviews and confirms a drill evacuation order", lambda: alice_reviews_a_drill_order(
            report, alice))

        def issue_first_report() -> None:
            alice.goto(f"/hq/damage/incidents/{incident}/issued/", wait_until="load")
            form = alice.locator("main form").last
            if form.locator("input[name=reporter_name]").count():
                form.locator("input[name=reporter_name]").fill("佐渡市防災課 アリス")
            with alice.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").click()
            settle(alice)
            expect("第1報" in alice.locator("main").inner_text(), "no 第1報 on the page after issuing")
            link = alice.locator("a[href$='/issued/1.xlsx']").first
            if not link.count():
                alice.goto(f"/hq/damage/incidents/{incident}/issued/1/", wait_until="load")
                link = alice.locator("a[href$='/issued/1.xlsx']").first
            expect(link.count() > 0, "no link to the Excel file of 第1報")
            with alice.expect_download() as download_info:
                link.click()
            path = download_info.value.path()
            with open(path, "rb") as handle:
                head = handle.read(4)
            expect(head == b"PK\x03\x04", f"the download is not an .xlsx (zip) file: {head!r}")
            screenshot(report, alice, "hq-issued")
            check_excel(str(path))

        report.check("hq alice issues 第1報 and downloads its Excel", issue_first_report)

        def give_instruction() -> None:
            alice.goto(f"/hq/incidents/{incident}/instructions/", wait_until="load")
            form = alice.locator("main form").last
            form.locator("input[name=title]").fill(INSTRUCTION)
            form.locator("select[name=priority]").select_option("urgent")
            form.locator("select[name=to_org_unit]").select_option(label="相川支所")
            submit(alice, "main form >> nth=-1")
            expect(INSTRUCTION in alice.locator("main table").inner_text(), "the instruction is not listed")
            screenshot(report, alice, "hq-instructions")

        report.check("hq alice gives 相川支所 an instruction", give_instruction)

        def board_lists_instruction() -> None:
            deadline = time.monotonic() + BOARD_WAIT_S
            while INSTRUCTION not in board.locator("#board-instructions").inner_text():
                expect(time.monotonic() < deadline, f"the board did not list the instruction within {BOARD_WAIT_S}s")
                board.wait_for_timeout(1000)
            screenshot(report, board, "hq-board-open-instruction")

        report.check("hq the board lists the open instruction by itself", board_lists_instruction)

        def frank_answers() -> None:
            frank.goto("/hq/instructions/mine/", wait_until="load")
            card = frank.locator("article.hq-instruction", has_text=INSTRUCTION)
            expect(card.count() == 1, f"{card.count()} cards for the instruction on frank's page")
            screenshot(report, frank, "hq-my-instructions")
            with frank.expect_navigation(wait_until="load"):
                card.locator("form[action$='/acknowledge/'] button").click()
            card = frank.locator("article.hq-instruction", has_text=INSTRUCTION)
            card.locator("textarea[name=result]").fill("現場を確認、通行止めを実施")
            with frank.expect_navigation(wait_until="load"):
                card.locator("form[action$='/complete/'] button").click()
            expect(frank.locator("article.hq-instruction", has_text=INSTRUCTION).count() == 0,
                   "the instruction is still open on frank's page")

        report.check("hq frank acknowledges and reports the instruction done", frank_answers)

        def alice_sees_done() -> None:
            alice.goto(f"/hq/incidents/{incident}/instructions/?state=closed", wait_until="load")
            row = alice.locator("main table tr", has_text=INSTRUCTION)
            expect(row.count() == 1, "the instruction is not among the done ones")
            alice.goto(f"/hq/incidents/{incident}/board/", wait_until="load")
            expect(INSTRUCTION not in alice.locator("#board-instructions").inner_text(),
                   "the board still lists the instruction as open")

        report.check("hq alice sees the instruction done", alice_sees_done)

        def chronology() -> None:
            alice.goto(f"/hq/incidents/{incident}/chronology/", wait_until="load")
            text = alice.locator("main table").inner_text()
            for expected in ("対応開始", f"指示: {INSTRUCTION}", f"受領: {INSTRUCTION}", f"完了報告: {INSTRUCTION}"):
                expect(expected in text, f"no {expected!r} in the chronology")
            screenshot(report, alice, "hq-chronology")

        report.check("hq alice reads the chronology", chronology)
        board.goto(f"/hq/incidents/{incident}/board/", wait_until="load")
        settle(board)
        board.wait_for_timeout(1500)  # the map's tiles and markers
        screenshot(report, board, "hq-board-desktop")
        tablet_context = browser.context("desktop")
        contexts.append(tablet_context)
        tablet_context.add_cookies(board_context.cookies())
        tablet = tablet_context.new_page()
        tablet.set_viewport_size({"width": 820, "height": 1180})
        tablet.goto(f"/hq/incidents/{incident}/board/", wait_until="load")
        settle(tablet)
        tablet.wait_for_timeout(1500)
        screenshot(report, tablet, "hq-board-tablet")
        audit_pages(report, browser, board_context, incident)
    except Exception as exc:  # a browser crash: report it rather than lose the run
        report.fail("hq path", short(str(exc)))
    finally:
        for context in contexts:
            context.close()
