"""The driver's tablet (issue 19, deliverable 4) in the browser, part of the `rides` group:

- bob (両津 phone desk, laptop) makes the one-time QR of the vehicle that carries today's rides;
- the tablet (800x1280) opens the link, confirms, and shows today's stops with who boards and who gets off;
- the network is cut (context.set_offline): 「乗車した」 on the first rider, a reload offline shows the page from
  the service worker and the mark from IndexedDB, not sent yet;
- back online: the mark is synced, the booking is on board on the server and on bob's operations board, and the
  tablet's position (Chromium's geolocation) is on the vehicle's day;
- screenshots: rides-tablets-desktop, rides-driver-tablet, rides-driver-offline-tablet, rides-driver-phone.

Today's rides are booked through the rides actions before (the plan is always today's); on a day the demo does not
run (Sunday, a holiday) the area gets an extra service day and the first vehicle a shift, in this throwaway site."""

from datetime import datetime, time

from tests_browser import common
from tests_browser.common import NAVIGATION_TIMEOUT_MS, Browser, Report, Watch, expect, log_in, screenshot
from tests_browser.shelter_pwa import off_loop

HERE = {"latitude": 38.0812, "longitude": 138.4372, "accuracy": 15}


@off_loop
def book_today() -> dict:
    from django.utils import timezone

    from toki.areas.selectors import default_municipality
    from toki.transport.rides import actions
    from toki.transport.rides.models import Rider, ServiceArea, ServiceException, Shift, Vehicle
    from toki.transport.rides.rules import Place, RideRequest

    area = ServiceArea.objects.get(municipality=default_municipality(), code="ryotsu")
    today = timezone.localdate()
    ServiceException.objects.update_or_create(area=area, day=today, defaults={"runs": True, "note": "browser test"})
    first = Vehicle.objects.filter(area=area).order_by("code").first()
    assert first is not None, "the demo's 両津 area has no vehicle"
    weekday = str(today.isoweekday())
    if not any(weekday in shift.weekdays for shift in Shift.objects.filter(vehicle=first)):
        # Only when none runs today: a second shift on the same weekday overlaps, and the 運行設定 pages (which check
        # the whole definition, as a file is checked) would then refuse every later change of the area.
        Shift.objects.create(vehicle=first, weekdays=weekday, start=time(8), end=time(17))

    def at(hh: int, mm: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(today, time(hh, mm)))

    points = {p.code: p for p in area.points.all()}
    bookings = []
    for name, phone, origin, destination, hh in (("佐渡 花子", "0259-27-1234", "ryotsu-office", "ryotsu-hospital", 10),
                                                 ("両津 太郎", "0259-23-0000", "ryotsu-office", "ryotsu-hospital", 10)):
        rider = Rider.objects.filter(area=area, name=name).first() or actions.save_rider(
            acting_user=None, area=area, name=name, phone=phone)
        request = RideRequest(area=area, origin=Place.of(points[origin]), destination=Place.of(points[destination]),
                              earliest_pickup=at(hh), latest_arrival=None)
        answer = actions.book_ride(acting_user=None, request=request, channel="phone", rider=rider, now=at(6))
        bookings.append(answer.booking)
    if any(b.status != "accepted" for b in bookings):
        raise AssertionError(f"today's rides were not accepted: {[b.reason for b in bookings]}")
    return {"vehicle": bookings[0].vehicle_id,
            "bookings": [b.pk for b in bookings], "day": today.isoformat()}


@off_loop
def server_state(booking_id: int, vehicle_id: int) -> tuple[str, float | None]:
    from toki.transport.rides.models import Booking, VehicleDay

    booking = Booking.objects.get(pk=booking_id)
    plan = VehicleDay.objects.get(vehicle_id=vehicle_id, day=booking.service_date)
    return booking.status, plan.last_lat


def bob_page(context, password: str):
    """A page of `context` logged in as bob (両津 branch office, the area's phone desk)."""
    page = context.new_page()
    page.goto("/accounts/login/", wait_until="load")
    log_in(page, "bob", password)
    page.wait_for_url("**/accounts/", timeout=NAVIGATION_TIMEOUT_MS)
    return page


def make_qr(report: Report, browser: Browser, password: str, world: dict) -> str:
    context = browser.context("desktop")
    try:
        page = bob_page(context, password)
        page.goto("/rides/ops/ryotsu/tablets/", wait_until="load")
        page.locator("select#vehicle").select_option(str(world["vehicle"]))
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="QRコードを作る").click()
        expect(page.locator("#enrol-qr svg").count() == 1, "no QR code on the page")
        screenshot(report, page, "rides-tablets-desktop")
        return page.locator("#enrol-url").get_attribute("href") or ""
    finally:
        context.close()


def open_driver(page) -> None:
    page.evaluate("() => window.TokiDriver.ready")
    page.wait_for_function("() => document.querySelectorAll('#stops .stop').length >= 2", timeout=20_000)


def check_driver_tablet(report: Report, browser: Browser, password: str) -> None:
    world: dict = {}
    if not report.check("rides driver: today's rides booked", lambda: world.update(book_today())):
        return
    link = ""

    def qr() -> None:
        nonlocal link
        link = make_qr(report, browser, password, world)
        expect("/rides/driver/enrol/" in link, f"the QR's link is {link!r}")

    if not report.check("rides driver: bob makes the vehicle's one-time QR", qr):
        return
    first, second = world["bookings"]
    context = browser.context("tablet", geolocation=HERE, permissions=["geolocation"])
    try:
        page = context.new_page()
        watch = Watch(page)

        def enrol() -> None:
            page.goto(link, wait_until="load")
            with page.expect_navigation(wait_until="load"):
                page.get_by_role("button", name="このタブレットをこの車両で使う").click()
            expect(page.url.endswith("/rides/driver/"), f"after enrolling: {page.url}")
            page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
            open_driver(page)
            text = page.locator("#stops").inner_text()
            for expected in ("市役所両津支所", "両津病院", "佐渡 花子", "両津 太郎", "乗車", "降車"):
                expect(expected in text, f"{expected} is not on the tablet")
            expect(page.locator("a[href^='tel:0259-27-1234']").count() >= 1, "no tel: link for the rider")
            expect(page.locator("a[href^='https://www.google.com/maps/dir/']").count() >= 2, "no navigation links")
            expect(page.locator(".stop--next").count() == 1, "no next stop shown")
            common.settle(page)
            screenshot(report, page, "rides-driver-tablet")

        if not report.check("rides driver: the tablet enrolled shows today's stops", enrol):
            return

        def offline_mark() -> None:
            context.set_offline(True)
            page.locator(f"li[data-booking='{first}'] button[data-kind=boarded]").first.click()
            page.wait_for_function("() => document.getElementById('unsent').dataset.count === '1'")
            page.reload(wait_until="load")  # the page from the service worker's cache
            open_driver(page)
            expect(page.evaluate("navigator.onLine") is False, "the context is not offline")
            status = page.locator(f".stop .people li[data-booking='{first}']").first.get_attribute("data-status")
            expect(status == "boarded", f"after the offline reload the rider is {status!r}")
            expect(page.locator("#unsent").get_attribute("data-count") == "1", "the mark is not waiting")
            expect(server_state(first, world["vehicle"])[0] == "accepted", "the mark reached the server offline")
            screenshot(report, page, "rides-driver-offline-tablet")

        if not report.check("rides driver: boarded marked offline survives a reload", offline_mark):
            return

        def synced() -> None:
            context.set_offline(False)
            page.evaluate("() => window.dispatchEvent(new Event('online'))")
            page.wait_for_function("() => document.getElementById('unsent').dataset.count === '0'", timeout=20_000)
            status, lat = server_state(first, world["vehicle"])
            expect(status == "boarded", f"on the server the booking is {status!r}")
            page.wait_for_function("() => document.getElementById('gps').textContent.includes(':')", timeout=20_000)
            status, lat = server_state(first, world["vehicle"])
            expect(lat is not None and abs(lat - HERE["latitude"]) < 1e-6, f"the vehicle's position is {lat}")
            expect(server_state(second, world["vehicle"])[0] == "accepted", "the other rider changed")

        report.check("rides driver: back online, the mark and the position are on the server", synced)
        report.check("rides driver: no console errors but the offline requests", lambda: expect(
            not (errors := [e for e in watch.console_errors if "ERR_INTERNET_DISCONNECTED" not in e]),
            f"{len(errors)}: " + "; ".join(errors[:3])))
        state = context.storage_state()
    except Exception as exc:  # reported as this group's failure; the run goes on
        report.fail("rides driver", common.short(str(exc)))
        return
    finally:
        context.close()
    phone = browser.context("phone", storage_state=state)
    try:
        page = phone.new_page()
        page.goto("/rides/driver/", wait_until="load")
        open_driver(page)
        screenshot(report, page, "rides-driver-phone")
    finally:
        phone.close()
    desk = browser.context("desktop")
    try:
        page = bob_page(desk, password)

        def board() -> None:
            page.goto(f"/rides/ops/ryotsu/?day={world['day']}", wait_until="load")
            marked = page.locator(f".rides-actual[data-booking='{first}']").first
            expect(marked.get_attribute("data-status") == "boarded", "the board does not show the rider on board")
            expect("乗車中" in marked.inner_text(), f"the board says {marked.inner_text()!r}")

        report.check("rides driver: the operations board shows the rider on board", board)
    finally:
        desk.close()
