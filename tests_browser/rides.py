"""Shared rides (issue 19) in the browser, as the people who use them:

- a resident books on the large-type page on a phone (the LINE menu's link): the answer shows the promised pickup
  window at once;
- bob at the 両津 phone desk (laptop) adds a caller as a rider and books the same trip for them by phone;
- the operations board shows both bookings on one vehicle's plan (pooled);
- the phone desk's evening call list (riders LINE cannot reach), one marked as called;
- bob saves the caller's usual trip on the rider's card and removes it (rides-desk-usual-trip-desktop);
- screenshots at phone, tablet and laptop size (rides-book-*, rides-answer-phone, rides-desk-desktop,
  rides-calls-desktop, rides-board-desktop);
- the driver's tablet (rides_driver.py): enrolled by QR, today's stops, a mark offline, synced, on the board;
- door to door on a phone (rides_door.py): the place tapped on the map, a tap outside refused, booked;
- a vehicle out of service for today: refused for the driver's vehicle (a rider on board), another one's plan then
  says 運休中 (rides-vehicle-withdrawn-tablet);
- a vehicle out of service for two days in two weeks (車検), set on 運行設定, listed on that day's board, removed
  (rides-span-form-tablet, rides-span-board-tablet);
- a typhoon: bob makes the day a 運休日 with its rides cancelled on the 運行設定 page, and lands on the call list
  with the riders to tell first (rides-suspend-form-tablet, rides-suspended-calls-desktop).
"""

from datetime import date, timedelta

from tests_browser import rides_door, rides_driver
from tests_browser.common import Browser, Report, expect, log_in, screenshot, settle

ORIGIN, DESTINATION = "市役所両津支所", "両津病院"


def service_day() -> date:
    day = date.today() + timedelta(days=1)
    while day.isoweekday() == 7:
        day += timedelta(days=1)
    return day


def fill_request(form, day: date) -> None:
    form.locator("select[name=origin]").select_option(label=ORIGIN)
    form.locator("select[name=destination]").select_option(label=DESTINATION)
    form.locator("input[name=date]").fill(day.isoformat())
    form.locator("input[name=time]").fill("10:00")


def check_rides(report: Report, browser: Browser, password: str) -> None:
    day = service_day()
    for viewport in ("tablet", "desktop"):
        context = browser.context(viewport)
        try:
            page = context.new_page()
            page.goto("/rides/ryotsu/", wait_until="load")
            screenshot(report, page, f"rides-book-{viewport}")
        finally:
            context.close()
    phone = browser.context("phone")
    try:
        page = phone.new_page()

        def web_booking() -> None:
            page.goto("/rides/ryotsu/", wait_until="load")
            screenshot(report, page, "rides-book-phone")
            form = page.locator("form[method=post]").last
            fill_request(form, day)
            form.locator("input[name=name]").fill("佐渡 花子")
            form.locator("input[name=phone]").fill("0259-27-1234")
            with page.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").click()
            expect(page.get_by_text("予約がとれました").count() > 0, "no booking confirmation on the answer page")
            expect(page.locator(".rides-promise").count() == 1, "no promised pickup window shown")
            screenshot(report, page, "rides-answer-phone")

        if not report.check("rides a resident books on the web page", web_booking):
            return
    finally:
        phone.close()
    context = browser.context("desktop")
    try:
        page = context.new_page()

        def phone_booking() -> None:
            page.goto("/accounts/login/", wait_until="load")
            log_in(page, "bob", password)
            page.goto("/rides/desk/ryotsu/riders/new/", wait_until="load")
            form = page.locator("form[method=post]").last
            form.locator("input[name=name]").fill("両津 太郎")
            form.locator("input[name=name_kana]").fill("りょうつ たろう")
            form.locator("input[name=phone]").fill("0259-23-0000")
            with page.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").click()
            form = page.locator("section.rides-large form")
            fill_request(form, day)
            with page.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").click()
            expect(page.get_by_text("予約がとれました").count() > 0, "the desk shows no confirmation")
            screenshot(report, page, "rides-desk-desktop")

        if not report.check("rides bob books by phone at the desk", phone_booking):
            return

        def usual_trip() -> None:
            """On the rider's card: bob saves the caller's usual trip, then removes it (「外す」)."""
            page.locator("details summary", has_text="いつもの行き先を登録").click()
            form = page.locator("form[action$='/trips/']")
            form.locator("input[name=label]").fill("通院")
            form.locator("select[name=origin]").select_option(label=ORIGIN)
            form.locator("select[name=destination]").select_option(label=DESTINATION)
            form.locator("input[name=usual_time]").fill("09:30")
            with page.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").click()
            trips = page.locator("section", has=page.locator("h2", has_text="いつもの行き先"))
            trip = trips.locator("li", has_text="通院")
            expect(trip.count() == 1, "the saved usual trip is not listed")
            screenshot(report, page, "rides-desk-usual-trip-desktop")
            with page.expect_navigation(wait_until="load"):
                trip.locator("button", has_text="外す").click()
            expect(page.get_by_text("いつもの行き先「通院」を削除しました。").count() > 0, "no word of the removal")
            expect(trips.locator("li", has_text="通院").count() == 0, "the removed trip is still listed")

        report.check("rides bob saves and removes a caller's usual trip", usual_trip)

        def one_plan() -> None:
            page.goto(f"/rides/ops/ryotsu/?day={day.isoformat()}", wait_until="load")
            settle(page)
            plans = page.locator("section:has(ol) ol")
            counts = [plans.nth(i).locator("li", has_text="乗車").count() for i in range(plans.count())]
            expect(sorted(counts)[-1] == 2, f"pickups per vehicle plan: {counts}")
            shapes = page.locator("#rides-map path.leaflet-interactive").count()
            expect(shapes >= 3, f"the map draws {shapes} shapes (area, bookings, vehicles)")
            screenshot(report, page, "rides-board-desktop")

        report.check("rides the web and the phone booking are on one vehicle plan", one_plan)

        def call_list() -> None:
            """The evening list: neither rider is linked to LINE, so bob calls both and marks one."""
            page.goto(f"/rides/desk/ryotsu/calls/?day={day.isoformat()}", wait_until="load")
            expect(page.get_by_text("佐渡 花子").count() > 0 and page.get_by_text("両津 太郎").count() > 0,
                   "the call list misses a rider LINE cannot reach")
            expect(page.get_by_text("あと2人に電話してください").count() == 1, "the call list counts wrong")
            with page.expect_navigation(wait_until="load"):
                page.locator("form button[type=submit]", has_text="電話した").first.click()
            expect(page.get_by_text("あと1人に電話してください").count() == 1, "marking a call did not count")
            screenshot(report, page, "rides-calls-desktop")

        report.check("rides bob calls the riders LINE cannot reach the evening before", call_list)
    finally:
        context.close()
    rides_driver.check_driver_tablet(report, browser, password)
    check_vehicle_withdrawn(report, browser, password)
    rides_door.check_door_to_door(report, browser, day)
    check_vehicle_span(report, browser, password, day)
    check_suspended_day(report, browser, password, day)


def check_vehicle_span(report: Report, browser: Browser, password: str, day: date) -> None:
    """bob takes 両津3号車 out of service for two days in two weeks (at the garage for its 車検) on 運行設定; the row
    and that day's board list it with the reason; then he removes the span before it starts."""
    context = browser.context("tablet")
    try:
        page = context.new_page()

        def span() -> None:
            page.goto("/accounts/login/", wait_until="load")
            log_in(page, "bob", password)
            page.goto("/rides/ops/ryotsu/service/", wait_until="load")
            first, last = day + timedelta(days=14), day + timedelta(days=15)
            row = page.locator("#vehicle-ryotsu-3")
            row.locator("details summary").click()
            row.get_by_label("初日", exact=False).fill(first.isoformat())
            row.get_by_label("最終日", exact=False).fill(last.isoformat())
            row.get_by_label("理由", exact=False).fill("車検")
            screenshot(report, page, "rides-span-form-tablet")
            with page.expect_navigation(wait_until="load"):
                row.locator("button[type=submit]", has_text="運休にする").click()
            listed = page.locator("#vehicle-ryotsu-3 .rides-span")
            expect(listed.count() == 1 and f"{first.isoformat()}～{last.isoformat()}" in listed.inner_text()
                   and "車検" in listed.inner_text(), f"the span is not on the row: {row.inner_text()[:300]}")
            page.goto(f"/rides/ops/ryotsu/?day={first.isoformat()}", wait_until="load")
            out = page.locator("#out-ryotsu-3")
            expect(out.count() == 1 and "車検" in out.inner_text(), "the board of a span day does not list it")
            screenshot(report, page, "rides-span-board-tablet")
            with page.expect_navigation(wait_until="load"):
                out.locator("button[type=submit]").click()
            page.goto(f"/rides/ops/ryotsu/?day={first.isoformat()}", wait_until="load")
            expect(page.locator("#out-ryotsu-3").count() == 0, "the span removed is still on the board")

        report.check("rides bob takes a vehicle out of service for two days (車検) and removes it again", span)
    finally:
        context.close()


def check_vehicle_withdrawn(report: Report, browser: Browser, password: str) -> None:
    """After the driver's tablet: on today's board bob tries to take that vehicle out of service (a rider is on
    board: refused, said on the board), then another of today's vehicles, whose plan then says 運休中 (on a day the
    demo does not run only the driver's vehicle has a plan: the refusal alone is checked)."""
    context = browser.context("tablet")
    try:
        page = context.new_page()

        def take_out(section, reason: str) -> None:
            section.locator("details summary", has_text="今日の運行を止める").click()
            section.locator("input[name=note]").fill(reason)
            with page.expect_navigation(wait_until="load"):
                section.locator("button[type=submit]", has_text="運休にして").click()

        def withdraw() -> None:
            page.goto("/accounts/login/", wait_until="load")
            log_in(page, "bob", password)
            page.goto("/rides/ops/ryotsu/", wait_until="load")
            plans = page.locator("section", has=page.locator("details summary", has_text="今日の運行を止める"))
            carrying = plans.filter(has=page.locator("[data-status=boarded]"))
            expect(carrying.count() == 1, f"{carrying.count()} plans with a rider on board on today's board")
            take_out(carrying.first, "故障")
            expect(page.get_by_text("乗車中の方がいます").count() > 0, "no word of the rider on board")
            others = plans.filter(has_not=page.locator("[data-status=boarded]"))
            if others.count():
                name = others.first.locator("h3").inner_text().split(" (")[0]
                take_out(others.first, "タイヤのパンク")
                expect(page.get_by_text("今日は運休にしました").count() > 0, "no word of the withdrawal")
                withdrawn = page.locator("section", has=page.locator("h3", has_text=name))
                expect(withdrawn.get_by_text("運休中：タイヤのパンク").count() == 1, "the plan does not say 運休中")
            screenshot(report, page, "rides-vehicle-withdrawn-tablet")

        report.check("rides bob takes a vehicle out of service for today from the board", withdraw)
    finally:
        context.close()


def check_suspended_day(report: Report, browser: Browser, password: str, day: date) -> None:
    """Last: the day's rides are gone afterwards."""
    context = browser.context("tablet")
    try:
        page = context.new_page()

        def suspend() -> None:
            page.goto("/accounts/login/", wait_until="load")
            log_in(page, "bob", password)
            page.goto("/rides/ops/ryotsu/service/", wait_until="load")
            # A week later (the same weekday, so a running day, nothing booked): a typhoon passing 13:00–16:00.
            later = (day + timedelta(days=7)).isoformat()
            form = page.locator("form[action$='/service/exceptions/']").last
            form.locator("input[name=day]").fill(later)
            form.locator("input[name=runs][value='0']").check()
            form.locator("input[name=until]").fill("13:00")
            form.locator("input[name=resumes]").fill("16:00")
            form.locator("input[name=note]").fill("台風通過")
            with page.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").click()
            listed = page.locator("#exceptions li", has_text=later)
            expect(listed.count() == 1 and "13:00から16:00まで運休" in listed.inner_text(),
                   f"the window is not listed: {page.locator('#exceptions').inner_text()[:300]}")
            screenshot(report, page, "rides-suspend-window-tablet")
            form = page.locator("form[action$='/service/exceptions/']").last
            form.locator("input[name=day]").fill(day.isoformat())
            form.locator("input[name=runs][value='0']").check()
            form.locator("input[name=note]").fill("台風接近")
            form.get_by_label("予約がある日を運休にする", exact=False).check()
            screenshot(report, page, "rides-suspend-form-tablet")
            with page.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").click()
            errors = page.locator(".errorlist, [role=alert] li").all_inner_texts()
            expect("/rides/desk/ryotsu/calls/" in page.url, f"went to {page.url}: {' / '.join(errors)[:300]}")
            expect(page.locator("li.suspended").count() >= 2, "the cancelled rides' riders are not listed first")
            expect(page.get_by_text("運休のため取り消し済みです").count() >= 2, "no 運休 mark on the riders to tell")
            page.set_viewport_size({"width": 1280, "height": 800})
            screenshot(report, page, "rides-suspended-calls-desktop")

        report.check("rides bob suspends a window of a day, then a typhoon day: its rides cancelled, the riders to "
                     "tell listed first",
                     suspend)
    finally:
        context.close()
