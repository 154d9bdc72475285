"""Door to door on the web page (issue 19), part of the `rides` group: a resident books from her house on a phone
(390x844, touch).

- 相川地区 is made door to door in this throwaway site (the demo's areas both use meeting points);
- /rides/aikawa/ shows a map under "where you get on" with the area's blue outline and its meeting points, drawn from
  the page itself (the map tiles are blank here, as offline);
- a tap outside the outline says so and fills nothing; a tap inside fills the latitude and longitude and sets the
  list to "another place"; 「いまいる場所にする」 (Chromium's geolocation) puts the place where she is;
- she chooses where she gets off from the list (the circle moves to it on the second map) and books: the answer
  shows the promised window, and the booking has her coordinates on a vehicle's plan;
- screenshots: rides-door-map-phone, rides-door-outside-phone, rides-door-picked-phone, rides-door-answer-phone.
"""

from datetime import date

from playwright.sync_api import expect as playwright_expect

from tests_browser.common import Browser, Report, Watch, expect, screenshot, settle
from tests_browser.shelter_pwa import off_loop

BOX = (37.99, 138.22, 38.08, 138.29)  # the demo's 相川 rectangle: south, west, north, east
HERE = {"latitude": 38.0301, "longitude": 138.2452, "accuracy": 10}  # a house in 相川, inside the area
DESTINATION = "相川体育館"


@off_loop
def door_to_door(on: bool) -> None:
    from toki.areas.selectors import default_municipality
    from toki.transport.rides.models import ServiceArea

    ServiceArea.objects.filter(municipality=default_municipality(), code="aikawa").update(door_to_door=on)


@off_loop
def last_booking() -> dict:
    from toki.transport.rides.models import Booking, VehicleDay

    booking = Booking.objects.filter(area__code="aikawa", channel="web").order_by("-pk").first()
    if booking is None:
        return {}
    plan = (VehicleDay.objects.filter(vehicle_id=booking.vehicle_id, day=booking.service_date).first()
            if booking.vehicle_id is not None else None)
    return {"status": booking.status, "reason": booking.reason, "origin_point": booking.origin_id,
            "origin": (booking.origin_lat, booking.origin_lon),
            "on_plan": plan is not None and booking.pk in {s["booking"] for s in plan.stops}}


def inside_box(lat: float, lon: float) -> bool:
    south, west, north, east = BOX
    return south < lat < north and west < lon < east


def check_door_to_door(report: Report, browser: Browser, day: date) -> None:
    door_to_door(True)
    context = browser.context("phone", geolocation=HERE, permissions=["geolocation"])
    try:
        page = context.new_page()
        watch = Watch(page)
        page.goto("/rides/aikawa/", wait_until="load")
        settle(page)
        origin_map = page.locator("#origin-map")

        def map_shown() -> None:
            expect(origin_map.is_visible(), "the map picker is not shown")
            expect(page.locator("#destination-map").is_visible(), "no map for where you get off")
            points = origin_map.locator("path.leaflet-interactive").count()  # the points answer a tap
            shapes = origin_map.locator("path").count()
            expect(points == 6, f"{points} meeting points drawn on the map, 6 expected")
            expect(shapes == points + 1, f"{shapes} shapes: the area's outline is not drawn")
            origin_map.scroll_into_view_if_needed()
            screenshot(report, page, "rides-door-map-phone")

        if not report.check("rides door to door: the booking page shows a map with the area and its points",
                            map_shown):
            return
        box = origin_map.bounding_box()
        assert box is not None
        # The outline: the area's path, the widest shape of the overlay (the points are small circles).
        outline_box = max((origin_map.locator("path").nth(i).bounding_box() or {"width": 0}
                           for i in range(origin_map.locator("path").count())), key=lambda b: b["width"])

        def tap_outside() -> None:
            # Left of the outline, inside the map: outside the area.
            x = max(4.0, (outline_box["x"] - box["x"]) / 2)
            expect(outline_box["x"] - box["x"] > 12, "no room left of the outline to tap outside")
            origin_map.tap(position={"x": x, "y": box["height"] / 2})
            status = page.locator(".rides-pick[data-end=origin] .rides-pick-status")
            expect("運行区域（相川地区）の外です" in status.inner_text(), f"status after a tap outside: "
                                                                    f"{status.inner_text()!r}")
            expect(page.locator("#id_origin_lat").input_value() == "", "a tap outside filled the latitude")
            screenshot(report, page, "rides-door-outside-phone")

        report.check("rides door to door: a tap outside the area is refused with a message", tap_outside)

        def tap_inside() -> None:
            # A third of the way down the outline, in its middle: inside the area, away from the points' circles.
            x = outline_box["x"] - box["x"] + outline_box["width"] * 0.5
            y = outline_box["y"] - box["y"] + outline_box["height"] * 0.3
            origin_map.tap(position={"x": x, "y": y})
            lat = float(page.locator("#id_origin_lat").input_value() or "nan")
            lon = float(page.locator("#id_origin_lon").input_value() or "nan")
            expect(inside_box(lat, lon), f"the tap filled {lat}, {lon}, not a place in 相川")
            expect(page.locator("#id_origin").input_value() == "", "the list still names a meeting point")
            status = page.locator(".rides-pick[data-end=origin] .rides-pick-status").inner_text()
            expect("地図でタップした場所" in status, f"status after a tap inside: {status!r}")
            screenshot(report, page, "rides-door-picked-phone")

        if not report.check("rides door to door: a tap inside the area fills the coordinates", tap_inside):
            return

        def where_i_am() -> None:
            page.locator(".rides-pick[data-end=origin] .rides-here").tap()
            # Playwright's own polling (a string for wait_for_function would be an eval the site's CSP refuses).
            playwright_expect(page.locator("#id_origin_lat")).to_have_value("38.030100")
            expect(page.locator("#id_origin_lon").input_value() == "138.245200", "the longitude is not where I am")

        report.check("rides door to door: 'where I am now' puts the phone's position", where_i_am)

        def book() -> None:
            form = page.locator("form[method=post]").last
            form.locator("select[name=destination]").select_option(label=DESTINATION)
            circles = page.locator("#destination-map path").count()
            form.locator("input[name=date]").fill(day.isoformat())
            form.locator("input[name=time]").fill("10:00")
            form.locator("input[name=name]").fill("相川 はな")
            form.locator("input[name=phone]").fill("0259-74-0000")
            expect(circles >= 8, f"choosing from the list drew no circle on the second map ({circles} shapes)")
            with page.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").click()
            expect(page.get_by_text("予約がとれました").count() > 0, "no booking confirmation on the answer page")
            expect(page.locator(".rides-promise").count() == 1, "no promised pickup window shown")
            screenshot(report, page, "rides-door-answer-phone")
            booking = last_booking()
            expect(booking.get("status") == "accepted", f"the booking: {booking}")
            expect(booking["origin_point"] is None and booking["origin"] == (HERE["latitude"], HERE["longitude"]),
                   f"the booking's pickup is {booking['origin']} (point {booking['origin_point']})")
            expect(booking["on_plan"], "the booking is not on its vehicle's plan")

        report.check("rides door to door: a resident books from home on a phone", book)
        report.check("rides door to door: no console errors", lambda: watch.expect_clean("console"))
        report.check("rides door to door: no failed requests", lambda: watch.expect_clean("requests"))
    finally:
        context.close()
        door_to_door(False)
