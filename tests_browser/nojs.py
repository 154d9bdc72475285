"""Pages that work without JavaScript (DESIGN.md rule 16; docs/accessibility.md).

With JavaScript off in the browser (java_script_enabled=False):
- `/` still says how many shelters there are, links to the list of shelters and lists the districts, and
  `/shelters/` still lists the shelters by district; both show the language switcher's links, and following
  the English one (a plain link) gives the page in English;
- alice logs in with the plain form, issues an evacuation order on `/alerts/orders/` (ticks a district,
  chooses a level and a hazard, types a reason, submits), sees it listed in force, then lifts it again with
  its group's form, so that the site's database is left as it was.
"""

from urllib.parse import urlsplit

from tests_browser.common import (
    NAVIGATION_TIMEOUT_MS,
    STAFF_USER,
    Browser,
    Report,
    Watch,
    expect,
    html_lang,
    language_switcher,
    log_in,
    open_page,
    screenshot,
    settle,
    short,
)

REASON = "Browser test without JavaScript (lifted again at once)"
LIFT_REASON = "Browser test done"


def switcher_links(page) -> int:
    links = language_switcher(page).locator("a[hreflang]")
    return sum(1 for i in range(links.count()) if links.nth(i).is_visible())


def expect_switcher(page) -> None:
    expect(switcher_links(page) >= 2, f"{switcher_links(page)} visible language links (nav.lang-switcher a)")


def expect_home(page) -> None:
    main = page.locator("main")
    link = main.locator("a[href='/shelters/']").first
    expect(link.count() > 0 and link.is_visible(), "no visible link to /shelters/ in <main>")
    districts = main.locator("ul.district-list li")
    expect(districts.count() > 0, "no district list (ul.district-list li) in <main>")
    expect(districts.first.is_visible(), "the district list is not visible")


def expect_shelters(page) -> None:
    shelters = page.locator("main ul.shelter-list li.card h3")
    expect(shelters.count() > 0, "no shelters listed (main ul.shelter-list li.card h3)")
    fold = page.locator("main details.district-sites").first
    if fold.count() and not shelters.first.is_visible():  # the districts fold (<details>, no script needed)
        fold.locator("summary").click()
    expect(shelters.first.is_visible() and shelters.first.inner_text().strip() != "", "first shelter not shown")


def check_public(report: Report, browser: Browser) -> None:
    context = browser.context("phone", java_script_enabled=False)
    try:
        for path, name, content in (("/", "home", expect_home), ("/shelters/", "shelters", expect_shelters)):
            try:
                page, watch, response = open_page(context, path)
            except Exception as exc:
                report.fail(f"nojs {name} loads", short(str(exc)))
                continue
            ok = report.check(f"nojs {name} status 200", lambda r=response: expect(
                r is not None and r.status == 200, f"HTTP {r.status if r else 'none'}"))
            ok &= report.check(f"nojs {name} shows the shelters", lambda p=page, c=content: c(p))
            ok &= report.check(f"nojs {name} language links", lambda p=page: expect_switcher(p))
            if not ok:
                screenshot(report, page, f"nojs-{name}")
            if path == "/shelters/":
                def english(page=page) -> None:
                    with page.expect_navigation(wait_until="load"):
                        language_switcher(page).locator("a[hreflang=en]").first.click()
                    expect(html_lang(page) == "en", f"after the English link lang={html_lang(page)!r}")
                    expect(urlsplit(page.url).path == "/shelters/", f"went to {page.url}")
                    expect_shelters(page)

                report.check("nojs shelters English link works", english)
            report.check(f"nojs {name} no failed requests", lambda w=watch: w.expect_clean("requests"))
            page.close()
    finally:
        context.close()


def in_force(page, district: str):
    """The in-force group that lists `district`, or an empty locator."""
    groups = page.locator("section[aria-labelledby=in-force-heading] .order-group")
    return groups.filter(has=page.locator("li", has_text=district))


def check_orders(report: Report, browser: Browser, password: str) -> None:
    context = browser.context("desktop", java_script_enabled=False)
    page = context.new_page()
    watch = Watch(page)
    chosen = {}
    try:
        def login() -> None:
            page.goto("/accounts/login/", wait_until="load")
            log_in(page, STAFF_USER, password)
            page.wait_for_url("**/accounts/", timeout=NAVIGATION_TIMEOUT_MS)

        if not report.check("nojs alice logs in", login):
            return

        def issue() -> None:
            response = page.goto("/alerts/orders/", wait_until="load")
            expect(response is not None and response.status == 200, "GET /alerts/orders/ failed")
            form = page.locator("section[aria-labelledby=issue-heading] form").first
            expect(form.count() > 0, "no form to issue an order (section[aria-labelledby=issue-heading] form)")
            boxes = form.locator("input[name=districts]")
            expect(boxes.count() > 0, "no district checkboxes")
            for i in range(boxes.count()):  # a district with no order in force, so the check is unambiguous
                label = form.locator(f"label[for='{boxes.nth(i).get_attribute('id')}']").first
                name = label.inner_text().strip()
                if name and in_force(page, name).count() == 0:
                    boxes.nth(i).check()
                    chosen["district"] = name
                    break
            expect("district" in chosen, "every district already has an order in force")
            levels = form.locator("input[name=level]")
            expect(levels.count() > 0, "no level radio buttons")
            levels.first.check()
            hazards = form.locator("select[name=hazard] option")
            expect(hazards.count() > 0, "no hazard choices")
            form.locator("select[name=hazard]").select_option(index=hazards.count() - 1)
            form.locator("[name=reason]").fill(REASON)
            form.locator("input[name=is_drill][value=real]").check()
            screenshot(report, page, "nojs-order-form")
            with page.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").first.click()
            settle(page)
            # The review step: what goes out, then the confirmation (a plain form, no script needed).
            expect(REASON in page.locator("main").inner_text(), "the review does not show the reason")
            expect("本番の発令です" in page.locator("main").inner_text(), "the review does not say it is real")
            screenshot(report, page, "nojs-order-review")
            with page.expect_navigation(wait_until="load"):
                page.locator("form.order-review__confirm button[value=confirm]").click()
            settle(page)
            expect(urlsplit(page.url).path == "/alerts/orders/", f"went to {page.url}")
            errors = page.locator(".errorlist")
            expect(errors.count() == 0, "form errors: " + (errors.first.inner_text() if errors.count() else ""))
            expect(page.locator(".message--success").count() > 0, "no success message after issuing")
            expect(in_force(page, chosen["district"]).count() == 1,
                   f"{chosen['district']} is not listed in force after issuing")

        if not report.check("nojs alice issues an evacuation order", issue):
            screenshot(report, page, "nojs-orders-issue")
            return
        screenshot(report, page, "nojs-orders")

        def lift() -> None:
            group = in_force(page, chosen["district"]).first
            group.locator("input[name=reason]").fill(LIFT_REASON)
            with page.expect_navigation(wait_until="load"):
                group.locator("button[type=submit]").first.click()
            settle(page)
            expect(page.locator(".message--success").count() > 0, "no success message after lifting")
            expect(in_force(page, chosen["district"]).count() == 0,
                   f"{chosen['district']} is still listed in force after lifting")

        if not report.check("nojs alice lifts the order again", lift):
            screenshot(report, page, "nojs-orders-lift")
        report.check("nojs orders no failed requests", lambda: watch.expect_clean("requests"))
    finally:
        context.close()


def check_nojs(report: Report, browser: Browser, password: str) -> None:
    check_public(report, browser)
    check_orders(report, browser, password)
