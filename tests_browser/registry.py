"""The register of people who need support to evacuate (issue 16) in the browser, as the people who use it:

- alice, the HQ officer, logs in, enrols the second factor the way a person does (reads the key off the page
  and types the code an authenticator app would show: RFC 6238 computed here), reads the district list after
  saying why, opens a person's page (the tablet household), and finds every page in Japanese;
- mina, the demo's 民生委員 of 相川, sees only the consented people of 相川 (and no other district);
- alice declares a disaster activation (第49条の11第3項) for 相川: the banner is on every registry page, and mina
  now sees everyone in 相川;
- the access log shows mina's looks, under 第2項 before and 第3項 after;
- alice opens a 安否 round for 相川 and records one person safe at home;
- axe-core on each of these pages; screenshots at phone, tablet and laptop size (registry-*), each checked for
  sideways scrolling of the whole page.

Needs the registry's keys in the site's environment (server.create_site) and runs seed_registry_demo itself.
"""

import json
from urllib.parse import urlsplit

from tests_browser import server
from tests_browser.a11y import AXE_JS, AXE_RUN, RESULTS_DIR, RUN_TAGS, inject_axe, is_failing, print_results
from tests_browser.common import Browser, Report, expect, log_in, screenshot, settle, short
from tests_browser.second_factor import past_recovery_codes, token_for

DISTRICT = "相川"
CONSENTED_IN_AIKAWA, EVERYONE_IN_AIKAWA = 2, 5  # toki/demo/registry.py: two consented of five in 相川
BANNER = "[data-activation]"
ENGLISH_LEFT = ("Register of people", "Why do you open", "Disaster activation", "Access log", "Legal basis",
                "Safety checks", "Shown to", "Second factor", "date of birth")


def go(page, path: str):
    response = page.goto(path, wait_until="load")
    settle(page)
    return response


def submit(page, form) -> None:
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").first.click()
    settle(page)


def log_in_with_second_factor(page, username: str, password: str) -> None:
    page.goto("/accounts/login/", wait_until="load")
    log_in(page, username, password)
    go(page, "/registry/")
    expect(urlsplit(page.url).path == "/registry/second-factor/", f"{username}: no second factor asked ({page.url})")
    expect(page.get_by_text("二要素認証").count() > 0, "the second-factor page is not in Japanese")
    for _attempt in range(2):  # a code typed across a step boundary is refused: a person types the next one
        form = page.locator("main form").first
        form.locator("input[name=token]").fill(token_for(page, username))
        submit(page, form)
        past_recovery_codes(page)
        if urlsplit(page.url).path != "/registry/second-factor/":
            break
    expect(urlsplit(page.url).path == "/registry/", f"{username}: the code was refused ({page.url})")


def open_district_list(page) -> None:
    go(page, "/registry/")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=DISTRICT, exact=True).first.click()
    form = page.locator("main form").first
    form.locator("select[name=purpose]").select_option(label="支援の計画")
    submit(page, form)
    expect("purpose=support_planning" in page.url, f"the list did not open ({page.url})")


def rows_shown(page) -> int:
    return page.locator("main table tbody tr").count()


def axe(report: Report, page, name: str) -> None:
    """axe-core on the page as it is now (no navigation: some pages are reached only by a form)."""
    if not AXE_JS.exists():
        report.fail(f"axe {name}", "axe-core is missing: run `npm ci`")
        return
    try:
        inject_axe(page)
        results = page.evaluate(AXE_RUN, RUN_TAGS)
    except Exception as exc:
        report.fail(f"axe {name}", short(str(exc)))
        return
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print_results(f"axe {name}", results)
    failing = [r for r in results["violations"] if is_failing(r)]
    report.check(f"axe {name}", lambda: expect(not failing, ", ".join(
        f"{r['id']} ({r['impact']}, {len(r['nodes'])}x)" for r in failing)))


def japanese_only(page) -> None:
    text = page.locator("main").inner_text()
    left = [label for label in ENGLISH_LEFT if label in text]
    expect(not left, f"English left on {page.url}: {left}")


def check_registry(report: Report, browser: Browser, site: server.Site, password: str) -> None:
    if not report.check("registry demo loads", lambda: server.manage(site, "seed_registry_demo")):
        return
    officer = browser.context("laptop")
    minsei = browser.context("laptop")
    pages: dict[str, str] = {}  # name → path, for the screenshots at each size
    try:
        alice, mina = officer.new_page(), minsei.new_page()
        if not report.check("registry alice gives the second factor", lambda: log_in_with_second_factor(
                alice, "alice", password)):
            return
        report.check("registry mina gives the second factor", lambda: log_in_with_second_factor(
            mina, "mina", password))

        def officer_list() -> None:
            open_district_list(alice)
            pages["list"] = urlsplit(alice.url).path + "?" + urlsplit(alice.url).query
            # At least the demo's five: another group on the same site may have added someone (a refresh upload).
            expect(rows_shown(alice) >= EVERYONE_IN_AIKAWA, f"alice sees {rows_shown(alice)} people")
            expect(alice.get_by_role("columnheader", name="氏名", exact=True).count() == 1, "no 氏名 column")
            japanese_only(alice)
        report.check("registry alice reads the 相川 list in Japanese", officer_list)
        axe(report, alice, "registry-list")
        pages["index"] = "/registry/"

        def minsei_before() -> None:
            go(mina, "/registry/")
            expect(mina.locator("main ul li a").filter(has_text="両津").count() == 0, "mina is offered 両津")
            open_district_list(mina)
            expect(rows_shown(mina) == CONSENTED_IN_AIKAWA,
                   f"mina sees {rows_shown(mina)} people before activation, not {CONSENTED_IN_AIKAWA}")
            expect(mina.locator(BANNER).count() == 0, "a banner without an activation")
        report.check("registry mina sees only the consented people of 相川", minsei_before)

        def declare() -> None:
            go(alice, "/registry/activations/")
            form = alice.locator("main form").first
            form.get_by_label(DISTRICT, exact=True).check()
            form.locator("textarea[name=reason]").fill("大雨特別警報（土砂災害）、相川地区に避難指示")
            submit(alice, form)
            expect("/registry/activations/" in alice.url and alice.locator(BANNER).count() == 1,
                   f"no activation page with its banner ({alice.url})")
        if report.check("registry alice declares an activation for 相川", declare):
            pages["activation"] = urlsplit(alice.url).path
            axe(report, alice, "registry-activation")

        def minsei_after() -> None:
            mina.reload(wait_until="load")
            expect(rows_shown(mina) >= EVERYONE_IN_AIKAWA,
                   f"mina sees {rows_shown(mina)} people after activation, not all {EVERYONE_IN_AIKAWA}+")
            expect(mina.locator(BANNER).is_visible(), "mina's list has no activation banner")
        report.check("registry mina sees everyone in 相川 after the activation", minsei_after)

        def access_log() -> None:
            go(alice, "/registry/access-log/?actor=mina")
            text = alice.locator("main table").inner_text()
            expect("同意又は条例（第49条の11第2項）" in text, "mina's look under consent is not in the log")
            expect("災害時（第49条の11第3項）" in text, "mina's look under the activation is not in the log")
            expect("民生委員" in text, "the recipient class is not named")
            japanese_only(alice)
        if report.check("registry the access log shows mina's looks", access_log):
            pages["access-log"] = "/registry/access-log/?actor=mina"
            axe(report, alice, "registry-access-log")

        def safety() -> None:
            go(alice, "/registry/safety/")
            form = alice.locator("main form").first
            form.get_by_label(DISTRICT, exact=True).check()
            submit(alice, form)
            expect("/registry/safety/" in alice.url, f"no round page ({alice.url})")
            pages["safety-round"] = urlsplit(alice.url).path
            with alice.expect_navigation(wait_until="load"):
                alice.locator("main ul li a").filter(has_text=DISTRICT).first.click()
            settle(alice)
            pages["safety-list"] = urlsplit(alice.url).path
            card = alice.locator("main section[data-person]").first
            card_person = card.get_attribute("data-person")
            record = card.locator("form:has(select[name=status])")
            record.locator("select[name=status]").select_option(label="在宅無事")
            record.locator("select[name=source]").select_option(label="市職員")
            submit(alice, record)
            status = alice.locator(f"main section[data-person='{card_person}']").get_attribute("data-status")
            expect(status == "safe_at_home", f"the person's status is {status!r}")
        if report.check("registry alice opens a 安否 round and records one person", safety):
            axe(report, alice, "registry-safety-list")

        def person_page() -> None:
            with alice.expect_navigation(wait_until="load"):
                alice.locator("main section[data-person] a").filter(has_text="タブレット").first.click()
            settle(alice)
            expect("/household/" in alice.url, f"not the person's page ({alice.url})")
            japanese_only(alice)
            pages["person"] = urlsplit(alice.url).path
        if report.check("registry alice opens a person's page", person_page):
            axe(report, alice, "registry-person")

        def banner_everywhere() -> None:
            missing = []
            for path in ("/registry/", "/registry/activations/", "/registry/access-log/", "/registry/safety/",
                         "/registry/refreshes/", pages.get("list", "/registry/"), pages.get("person", "/registry/")):
                go(alice, path)
                if not alice.locator(BANNER).first.is_visible():
                    missing.append(path)
            expect(not missing, f"no activation banner on {missing}")
        report.check("registry the activation banner is on every registry page", banner_everywhere)
        go(alice, "/registry/")
        axe(report, alice, "registry-index")
        state = officer.storage_state()
    finally:
        officer.close()
        minsei.close()
    for viewport, label in (("phone", "phone"), ("tablet", "tablet"), ("laptop", "laptop")):
        context = browser.context(viewport, storage_state=state)
        try:
            page = context.new_page()
            for name, path in pages.items():
                def seen(page=page, path=path) -> None:
                    response = go(page, path)
                    expect(response is not None and response.status == 200, f"HTTP for {path}")
                    # Against the size asked for: a mobile browser widens its layout viewport to the content.
                    wide, width = page.evaluate("document.documentElement.scrollWidth"), page.viewport_size["width"]
                    expect(wide <= width + 1, f"page is {wide}px wide in a {width}px viewport")
                report.check(f"registry {name}@{label} fits the width", seen)
                screenshot(report, page, f"registry-{name}-{label}")
        finally:
            context.close()
