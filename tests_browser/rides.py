"""Shared rides (issue 19) in the browser, as the people who use them:

- a resident books on the large-type page on a phone (the LINE menu's link): the answer shows the promised pickup
  window at once;
- bob at the 両津 phone desk (laptop) adds a caller as a rider and books the same trip for them by phone;
- the operations board shows both bookings on one vehicle's plan (pooled);
- the phone desk's evening call list (riders LINE cannot reach), one marked as called;
- screenshots at phone, tablet and laptop size (rides-book-*, rides-answer-phone, rides-desk-desktop,
  rides-calls-desktop, rides-board-desktop);
- the driver's tablet (rides_driver.py): enrolled by QR, today's stops, a mark offline, synced, on the board.
"""

from datetime import date, timedelta

from tests_browser import rides_driver
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
