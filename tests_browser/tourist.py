"""Issue 14's tourist journey, in Chinese and Korean on a phone (390x844): a visitor at 両津 port during a tsunami
order finds the nearest open shelter designated for tsunamis, can read its name in Latin letters, and gets its
address and walking directions.

Seeded through the real staff URLs, as HQ would (and undone afterwards): alice opens an incident
(/hq/incidents/new/), issues a Level 4 tsunami order for 両津 (/alerts/orders/), and opens two shelters of 両津
(/shelter-ops/): 両津小学校体育館, 300 m from the port but NOT designated for tsunamis, and 両津中学校体育館, 1.5 km
away and designated for them. Then, per language, in a fresh phone context at the port (geolocation granted):
- the shelters page shows both open shelters first, in a card with the name's Latin reading, the address and a
  directions link, crowding in plain words (never 「不明」);
- "Find the nearest sites" puts 両津中学校体育館 first, open, designated for 津波 (in the page's language), with
  directions; a site shown that is not designated for tsunamis says so;
- the visitors' page lists the open shelters too.
Screenshots: tourist-<language>-shelters, tourist-<language>-nearest, tourist-<language>-visitors, tourist-seed-*.
"""

import re
from urllib.parse import urlsplit

from tests_browser.common import (
    Browser,
    Report,
    expect,
    log_in,
    open_page,
    screenshot,
    settle,
    short,
    submit_order_through_review,
)
from tests_browser.hq import open_incident
from tests_browser.walkthrough import TEARDOWN, shell

LANGUAGES = ("zh-hans", "ko")
PORT = {"latitude": 38.0807, "longitude": 138.4380}  # 両津港 (the ferry terminal)
DESIGNATED = "両津中学校体育館"  # designated for tsunamis, 1.5 km from the port
NOT_DESIGNATED = "両津小学校体育館"  # 300 m from the port, not designated for tsunamis
DISTRICT = "両津"
REASON = "津波警報の発表に伴い、海岸付近の方は高台へ避難してください（ブラウザーテスト）"


def seed(report: Report, browser: Browser, password: str) -> bool:
    """alice: an incident, the tsunami order and two openings, through the pages staff use."""
    context = browser.context("desktop")
    page = context.new_page()
    try:
        page.goto("/accounts/login/", wait_until="load")
        log_in(page, "alice", password)
        state: dict = {}

        def incident() -> None:
            state["incident"] = open_incident(page)

        def order() -> None:
            page.goto("/alerts/orders/", wait_until="load")
            form = page.locator("section[aria-labelledby=issue-heading] form").first
            form.get_by_label(DISTRICT, exact=True).check()
            form.locator("input[name=level][value='4']").check()
            form.locator("select[name=hazard]").select_option("tsunami")
            form.locator("[name=reason]").fill(REASON)
            submit_order_through_review(page, form)
            expect(page.locator(".errorlist").count() == 0, "the order form has errors")
            expect(page.locator(".message--success").count() > 0, "no success message after issuing")
            screenshot(report, page, "tourist-seed-order")

        def open_shelter(name: str) -> None:
            page.goto("/shelter-ops/", wait_until="load")
            form = page.locator("form[action$='/shelter-ops/open/']").first
            options = form.locator("select[name=shelter] option").filter(has_text=name)
            expect(options.count() == 1, f"{options.count()} options for {name} in 'open a shelter' (one per site)")
            form.locator("select[name=shelter]").select_option(options.first.get_attribute("value"))
            form.locator("select[name=incident]").select_option(str(state["incident"]))
            with page.expect_navigation(wait_until="load"):
                form.locator("button[type=submit]").first.click()
            settle(page)
            expect(re.search(r"/shelter-ops/openings/\d+/$", urlsplit(page.url).path) is not None,
                   f"opening {name} ended at {page.url}")

        return (report.check("tourist seed: alice opens an incident", incident)
                and report.check("tourist seed: alice issues a Level 4 tsunami order for 両津", order)
                and report.check(f"tourist seed: alice opens {NOT_DESIGNATED}", lambda: open_shelter(NOT_DESIGNATED))
                and report.check(f"tourist seed: alice opens {DESIGNATED}", lambda: open_shelter(DESIGNATED)))
    finally:
        context.close()


def expected_words(language: str) -> dict:
    """What the page must say, from the same sources the site uses (run.py set Django up)."""
    from django.utils import translation

    from toki.lib.romaji import latin_reading
    from toki.shelters.hazards import hazard_label

    with translation.override(language):
        return {"tsunami": hazard_label("tsunami"), "reading": latin_reading(DESIGNATED),
                "designated_for": translation.gettext("Designated for"),
                "not_designated_for": translation.gettext("Not designated for"),
                "no_report": translation.gettext("No report on crowding yet")}


def walk(report: Report, browser: Browser, language: str) -> None:
    words = expected_words(language)
    name = f"tourist@{language}"
    context = browser.context("phone", geolocation=PORT, permissions=["geolocation"])
    try:
        page, watch, _ = open_page(context, f"/language/{language}/?next=/shelters/")

        def open_card() -> None:
            expect(page.locator("html").get_attribute("lang") == language, "the page is not in " + language)
            card = page.locator(".open-shelters").first
            expect(card.is_visible(), "no 'Shelters open now' card")
            box = card.bounding_box()
            expect(box is not None and box["y"] < 844 * 2, "the open-shelter card is not near the top")
            item = card.locator("li").filter(has_text=DESIGNATED).first
            text = item.inner_text()
            expect(words["reading"] in text, f"no Latin reading {words['reading']!r}: {short(text, 4)}")
            expect("新潟県佐渡市加茂歌代1449" in text, f"no address: {short(text, 4)}")
            expect(words["no_report"] in text, f"crowding not in plain words: {short(text, 4)}")
            expect("不明" not in card.inner_text(), "「不明」 on the open-shelter card")
            directions = item.locator("a.directions").first
            expect("google.com/maps/dir/" in (directions.get_attribute("href") or ""), "no directions link")
            other = card.locator("li").filter(has_text=NOT_DESIGNATED)
            expect(other.count() == 1, f"{NOT_DESIGNATED} not listed")
            warning = other.locator(".not-designated").inner_text() if other.locator(".not-designated").count() else ""
            expect(words["tsunami"] in warning, f"{NOT_DESIGNATED} does not say it is not designated for tsunamis")

        report.check(f"{name} shelters page: open shelters first, readable, with address and directions",
                     open_card)

        def folded_list() -> None:
            folds = page.locator("details.district-sites")
            unfolded = page.locator("details.district-sites[open]")
            expect(folds.count() >= 10 and unfolded.count() == 1, f"{unfolded.count()} of {folds.count()} districts "
                   "unfolded (only 両津, where the open shelters are)")
            height = page.evaluate("document.documentElement.scrollHeight")
            expect(height < 12_000, f"the shelters page is {height} px tall on a phone")

        report.check(f"{name} shelters page: districts folded, the one with open shelters unfolded", folded_list)
        screenshot(report, page, f"tourist-{language}-shelters")

        def nearest() -> None:
            page.locator("#nearest button").click()
            first = page.locator("#nearest ol li").first
            first.wait_for(state="visible", timeout=10_000)
            items = page.locator("#nearest ol li")
            text = first.inner_text()
            expect(DESIGNATED in text and words["reading"] in text, f"first offered: {short(text, 2)!r}")
            expect(first.locator(".tag-open").count() == 1, f"the first site is not shown open: {text!r}")
            designated = first.locator(".designated").inner_text() if first.locator(".designated").count() else ""
            expect(words["tsunami"] in designated, f"not said designated for {words['tsunami']}: {text!r}")
            expect(first.locator(".not-designated").count() == 0, "the first site says it is not designated")
            expect("google.com/maps/dir/" in (first.locator("a.directions").get_attribute("href") or ""),
                   "no directions for the first site")
            for i in range(items.count()):
                item = items.nth(i)
                if NOT_DESIGNATED in item.inner_text():
                    warning = item.locator(".not-designated")
                    expect(warning.count() == 1 and words["tsunami"] in warning.inner_text(),
                           f"{NOT_DESIGNATED} does not say it is not designated for tsunamis")

        report.check(f"{name} nearest site: the open one designated for the tsunami first", nearest)
        page.locator("#nearest").scroll_into_view_if_needed()
        screenshot(report, page, f"tourist-{language}-nearest")
        report.check(f"{name} no console errors", lambda: watch.expect_clean("console"))
        page.close()

        def visitors() -> None:
            visit, _w, response = open_page(context, "/tourist/")
            expect(response is not None and response.status == 200, "the visitors' page did not answer 200")
            listed = visit.locator(".open-shelters").inner_text()
            expect(DESIGNATED in listed and words["reading"] in listed,
                   f"the visitors' page does not list {DESIGNATED} readably: {short(listed, 3)}")
            transport = visit.locator("section[aria-labelledby=transport-heading] li")
            expect(transport.count() == 0 or transport.first.locator(".local-name").count() == 1,
                   "the ferries are not readable in Latin letters")
            screenshot(report, visit, f"tourist-{language}-visitors")
            visit.close()

        report.check(f"{name} visitors' page lists the open shelters", visitors)
    finally:
        context.close()


def check_tourist(report: Report, browser: Browser, site, password: str) -> None:
    try:
        if not seed(report, browser, password):
            return
        for language in LANGUAGES:
            walk(report, browser, language)
    finally:
        try:
            shell(site, TEARDOWN.format(district="ryotsu"))
        except Exception as exc:
            report.fail("tourist teardown (lift the order, close the incident)", short(str(exc)))
