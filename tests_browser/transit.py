"""Issue 20's departures pages as a rider sees them, on the demo feed (seed_demo loads it):

- at phone, tablet and laptop size: /departures/ lists the stops with the demo-data notice; following a stop opens
  its next departures (a table with a caption, or "no more departures today" at night), the page fits the width;
- on the phone, in English and in Korean (the language switcher's cookie): the stop's name and the table
  headings in that language;
- screenshots transit-stops-<viewport>, transit-stop-<viewport>, transit-stop-phone-<language>.
"""

from tests_browser.common import Browser, Report, expect, open_page, screenshot

STOP = "相川"
NAMES = {"en": ("Aikawa", "Next departures"), "ko": ("아이카와", "다음 출발")}


def _fits(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    expect(widths[0] <= widths[1] + 1, f"page is {widths[0]}px wide in a {widths[1]}px viewport")


def _departures_shown(page) -> None:
    table = page.locator("table.departures")
    expect(table.count() == 1 and table.locator("caption").is_visible(), "no departures table with a caption")
    rows = table.locator("tbody tr")
    expect(rows.count() >= 1, "the table has no row (neither departures nor the 'no more departures' line)")


def check_transit(report: Report, browser: Browser) -> None:
    for viewport in ("phone", "tablet", "desktop"):
        context = browser.context(viewport)
        try:
            page, watch, response = open_page(context, "/departures/")

            def stops(page=page, response=response) -> None:
                expect(response is not None and response.status == 200, "the stop list did not answer 200")
                expect(page.locator("[role=note]", has_text="デモデータ").count() == 1, "no demo-data notice")
                expect(page.get_by_role("link", name=STOP, exact=True).count() == 1, f"no link to {STOP}")
                _fits(page)

            if report.check(f"transit stop list ({viewport})", stops):
                screenshot(report, page, f"transit-stops-{viewport}")

            def stop(page=page) -> None:
                with page.expect_navigation(wait_until="load"):
                    page.get_by_role("link", name=STOP, exact=True).click()
                expect(STOP in page.locator("h1").inner_text(), "the stop's page has not its name in the h1")
                _departures_shown(page)
                _fits(page)

            if report.check(f"transit stop departures ({viewport})", stop):
                screenshot(report, page, f"transit-stop-{viewport}")
            def clean(watch=watch) -> None:
                watch.expect_clean("console")

            report.check(f"transit no console errors ({viewport})", clean)
        finally:
            context.close()
    for language, (name, caption) in NAMES.items():
        context = browser.context("phone")
        try:
            page, _watch, _response = open_page(context, f"/language/{language}/?next=/departures/aikawa/")

            def translated(page=page, name=name, caption=caption) -> None:
                expect(name in page.locator("h1").inner_text(), f"the h1 has not {name!r}")
                expect(page.locator("table.departures caption").inner_text().strip() == caption,
                       f"the caption is not {caption!r}")
                _fits(page)

            if report.check(f"transit stop in {language}", translated):
                screenshot(report, page, f"transit-stop-phone-{language}")
        finally:
            context.close()
