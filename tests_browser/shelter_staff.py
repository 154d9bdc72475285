"""Shelter staff from login to the first check-in (issue 14 item 9), at a tablet's size (800x1280, portrait), on a
fresh `seed_demo` (group "shelter", run before "hq" so that no incident exists yet):

- carol logs in; her home links 避難所運営 and the tablet;
- 避難所運営 (/shelter-ops/) is a page, not a 404, and says what to do: HQ has not opened an incident yet;
- alice (HQ, on a laptop) opens a drill incident;
- carol's page now tells her to open her shelter, and she opens 両津小学校体育館 for the incident;
- she opens the tablet from the page's button, registers a walk-in household of two with the quick form: the
  tablet sends it (nothing left unsent) and the shelter's page counts 2 people.

- HQ's live board lists the shelter with its 2 people (issue 14 item 11);
- a resident (phone size) pre-registers a family of three in one form and saves the card image (drawn in the
  browser: the QR code, the names, the instructions).

Screenshots: shelter-1-home … shelter-7-hq-board (test-artifacts/screenshots/).
"""

import uuid
from urllib.parse import urlsplit

from tests_browser.common import SCREENSHOTS_DIR, Browser, Report, expect, log_in, screenshot, settle, short
from tests_browser.hq import logged_in, open_incident
from tests_browser.shelter_pwa import register_by_hand, wait_roster, wait_unsynced

SHELTER = "両津小学校体育館"
WALK_IN = "ブラウザ ハナコ"
FAMILY = (("さど はなこ", "佐渡 花子"), ("さど たろう", "佐渡 太郎"), ("さど みき", ""))


def family_card(report: Report, browser: Browser, contexts: list) -> None:
    """At a phone's size: three people in one form; the card image (drawn in the browser) is saved as a PNG with
    room for the names and the instructions below the code."""
    import io

    from PIL import Image

    context = browser.context("phone", accept_downloads=True)
    contexts.append(context)
    page = context.new_page()
    page.goto("/shelters/register/", wait_until="load")
    for index, (kana, name) in enumerate(FAMILY):
        if index:
            page.locator("details.preregister-person summary").nth(index - 1).click()
        page.locator(f"input[name=m-{index}-name_kana]").fill(kana)
        page.locator(f"input[name=m-{index}-name]").fill(name)
    page.locator("input[name=consent]").check()
    screenshot(report, page, "shelter-8-family-form")
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    expect(urlsplit(page.url).path == "/shelters/register/card/", f"registering went to {page.url}")
    text = page.locator(".qr-card").inner_text()
    for kana, _name in FAMILY:
        expect(kana in text, f"the card does not name {kana}")
    with page.expect_download() as download_info:
        page.locator("#qr-card-download").click()
    download = download_info.value
    expect(download.suggested_filename == "toki-shelter-card.png", f"saved as {download.suggested_filename}")
    with open(download.path(), "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    expect(image.format == "PNG" and image.height > image.width, f"a {image.format} of {image.size}")
    image.save(SCREENSHOTS_DIR / "shelter-9-card-image.png")
    screenshot(report, page, "shelter-9-card-page")


def check_shelter_staff(report: Report, browser: Browser, password: str) -> None:
    contexts = []
    try:
        context = browser.context("tablet")
        contexts.append(context)
        page = context.new_page()

        def home() -> None:
            page.goto("/accounts/login/", wait_until="load")
            log_in(page, "carol", password)
            page.wait_for_url("**/accounts/")
            settle(page)
            main = page.locator("main")
            expect(main.locator("a[href='/shelter-ops/tablet/']").count() == 1, "no link to the tablet on the home")
            expect(main.locator("a[href='/shelter-ops/']").count() == 1, "no link to 避難所運営 on the home")
            screenshot(report, page, "shelter-1-home")

        def operations_before_an_incident() -> None:
            with page.expect_navigation(wait_until="load") as navigation:
                page.locator("main a[href='/shelter-ops/']").click()
            response = navigation.value
            expect(response is not None and response.status == 200, "/shelter-ops/ is not a page")
            text = page.locator("main").inner_text()
            expect("開設中の避難所はありません" in text or "避難所は開設されていません" in text
                   or "No shelter is open" in text or "開設" in text, "no word on the openings")
            expect(SHELTER in text, f"the page does not name carol's shelter {SHELTER}")
            if page.locator("form[action='/shelter-ops/open/']").count() == 0:
                expect("災害対策本部はまだ災害を登録していません" in text, "no word on what to do before an incident")
            screenshot(report, page, "shelter-2-before-incident")

        hq = {}

        def hq_opens_an_incident() -> None:
            alice_context, alice = logged_in(browser, "alice", password)
            contexts.append(alice_context)
            hq["page"] = alice
            hq["incident"] = open_incident(alice, f"避難所開設訓練 {uuid.uuid4().hex[:4]}", drill=True)

        def carol_opens_her_shelter() -> None:
            page.goto("/shelter-ops/", wait_until="load")
            text = page.locator("main").inner_text()
            expect("受付を始めるには" in text, "the page does not say to open the shelter")
            form = page.locator("form[action='/shelter-ops/open/']")
            # One option per site, its label the name then district, designations and address (shelters/forms.py).
            option = form.locator("select[name=shelter] option").filter(has_text=SHELTER).first
            form.locator("select[name=shelter]").select_option(option.get_attribute("value"))
            incident = form.locator("select[name=incident] option", has_text="避難所開設訓練").first
            form.locator("select[name=incident]").select_option(incident.get_attribute("value"))
            screenshot(report, page, "shelter-3-open-form")
            with page.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").click()
            expect("/shelter-ops/openings/" in urlsplit(page.url).path, f"opening went to {page.url}")
            screenshot(report, page, "shelter-4-opened")

        def first_check_in_on_the_tablet() -> None:
            page.goto("/shelter-ops/", wait_until="load")
            with page.expect_navigation(wait_until="load"):
                page.locator("main a.button[href='/shelter-ops/tablet/']").click()
            page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
            wait_roster(page)
            expect("避難所開設訓練" in page.locator("#opening-line").inner_text(), "the tablet shows another opening")
            register_by_hand(page, WALK_IN, 2)
            wait_unsynced(page, 0)
            screenshot(report, page, "shelter-5-first-check-in")

        def counted() -> None:
            page.goto("/shelter-ops/", wait_until="load")
            row = page.locator("main table tr", has_text=SHELTER)
            cells = [c.strip() for c in row.locator("td").all_inner_texts()]
            expect("2" in cells, f"the shelter's row shows {cells}, not 2 people")
            screenshot(report, page, "shelter-6-counted")

        def hq_board_counts_them() -> None:
            board = hq["page"]
            board.goto(f"/hq/incidents/{hq['incident']}/board/", wait_until="load")
            row = board.locator("#board-shelters tr", has_text=SHELTER)
            expect(row.count() == 1, "the HQ board's open-shelter table does not list the shelter")
            people = row.locator("td[data-people]").inner_text().strip()
            expect(people == "2", f"the HQ board counts {people!r} people, not 2")
            screenshot(report, board, "shelter-7-hq-board")

        for name, step in (("carol's home links 避難所運営 and the tablet", home),
                           ("/shelter-ops/ says what to do before an incident", operations_before_an_incident),
                           ("alice opens a drill incident", hq_opens_an_incident),
                           ("carol opens her shelter for it", carol_opens_her_shelter),
                           ("carol checks the first household in on the tablet", first_check_in_on_the_tablet),
                           ("the shelter counts 2 people", counted),
                           ("HQ's board lists the shelter with 2 people", hq_board_counts_them)):
            if not report.check(f"shelter {name}", step):
                screenshot(report, page, "shelter-failed")
                return
        report.check("shelter a resident pre-registers a family and saves the card image",
                     lambda: family_card(report, browser, contexts))
    except Exception as exc:  # a browser crash: report it rather than lose the run
        report.fail("shelter path", short(str(exc)))
    finally:
        for context in contexts:
            context.close()
