"""The register's upkeep in the browser (issue 16), at a staff laptop's size (1366x768), as alice (HQ administrator,
registry officer) does it on the demo register (seed_registry_demo):

- the second factor: she enrols an authenticator (the key read off the page, the RFC 6238 code computed here),
  then sees her recovery codes once (screenshot registry-recovery-codes);
- she uploads the welfare system's new file — Shift_JIS (CP932), as Japanese systems export it — from the refresh
  page; a bad file first lists its problems and stages nothing (registry-refresh-refused);
- the diff's review: the old and new values side by side (registry-refresh-review, registry-refresh-review-*),
  one row approved on its own, a left person's reason corrected, the rest approved at once, then applied
  (registry-refresh-applied).
"""

import csv
import io
import re

from tests_browser.common import Browser, Report, expect, log_in, screenshot, settle
from tests_browser.second_factor import token_for


def new_file(encoding: str = "cp932") -> bytes:
    """The demo register a month later: two moved house within Sado, one moved away, one died, one no longer in
    the file, a newcomer (髙: a CP932 character)."""
    rows = [
        ("D001", "相川 ハナ", "アイカワ ハナ", "1936-02-11", "佐渡市相川下戸村12", "aikawa", "要介護4", "", "1",
         "0259-00-0001", ""),
        ("D002", "相川 トメ", "アイカワ トメ", "1931-07-30", "佐渡市デモ町2番地", "aikawa", "要介護5",
         "在宅酸素;吸引器", "1", "0259-74-0002", ""),
        ("D003", "相川 ゲン", "アイカワ ゲン", "1940-11-03", "佐渡市デモ町3番地", "aikawa", "要介護5", "人工呼吸器",
         "1", "0259-00-0003", "moved"),
        ("D004", "相川 キヨ", "アイカワ キヨ", "1938-05-05", "佐渡市デモ町4番地", "aikawa", "要介護3", "", "1",
         "0259-00-0004", "died"),
        ("D006", "両津 ミツ", "リョウツ ミツ", "1934-01-20", "佐渡市両津夷45", "ryotsu", "要介護3", "", "0",
         "0259-00-0006", ""),
        ("D008", "髙野 ハル", "タカノ ハル", "1933-08-08", "佐渡市相川北沢町3", "aikawa", "要介護4", "", "1",
         "0259-00-0008", ""),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["source_id", "name", "name_kana", "birth_date", "address", "district", "care_level",
                     "medical_devices", "lives_alone", "phone", "left_reason"])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def check_registry_admin(report: Report, browser: Browser, password: str) -> None:
    context = browser.context("laptop")
    try:
        page = context.new_page()

        def second_factor() -> None:
            page.goto("/accounts/login/", wait_until="load")
            log_in(page, "alice", password)
            page.goto("/registry/refreshes/", wait_until="load")
            expect("/registry/second-factor/" in page.url, f"no second factor asked: {page.url}")
            page.fill("input[name=token]", token_for(page, "alice"))
            with page.expect_navigation(wait_until="load"):
                page.locator("main form button[type=submit]").click()
            expect(page.locator("#recovery-codes li").count() == 10, "no ten recovery codes after enrolment")
            screenshot(report, page, "registry-recovery-codes")
            with page.expect_navigation(wait_until="load"):
                page.get_by_role("link", name=re.compile("continue|続")).click()
            expect(page.url.endswith("/registry/refreshes/"), f"not back on the refresh page: {page.url}")

        if not report.check("registry alice enrols her second factor and sees her recovery codes", second_factor):
            return

        def refused() -> None:
            page.set_input_files("#refresh-file", files=[{"name": "welfare.csv", "mimeType": "text/csv",
                                                          "buffer": new_file().replace(b"1931-07-30", b"1931-02-30")}])
            with page.expect_navigation(wait_until="load"):
                page.locator("form.form button[type=submit]").click()
            problems = page.locator("#upload-problems").inner_text()
            expect("welfare.csv:3: birth_date" in problems, f"the problem is not named by row and field: {problems}")
            screenshot(report, page, "registry-refresh-refused")

        report.check("registry a bad file is refused with its row and field", refused)

        def upload() -> None:
            page.set_input_files("#refresh-file", files=[{"name": "welfare-2026-12.csv", "mimeType": "text/csv",
                                                          "buffer": new_file()}])
            with page.expect_navigation(wait_until="load"):
                page.locator("form.form button[type=submit]").click()
            settle(page)
            expect("/registry/refreshes/" in page.url and page.url.rstrip("/").split("/")[-1].isdigit(),
                   f"not on the diff: {page.url}")
            changed = page.locator("table[data-kind=changed]")
            expect(changed.locator("td.before", has_text="佐渡市デモ町1番地").count() == 1, "no old address")
            expect(changed.locator("td.after", has_text="佐渡市相川下戸村12").count() == 1, "no new address")
            expect(page.locator("table[data-kind=new]").get_by_text("髙野 ハル").count() > 0, "the CP932 name is lost")
            screenshot(report, page, "registry-refresh-review")
            page.locator("table[data-kind=changed]").screenshot(
                path=str(_shot_path("registry-refresh-review-changed")))

        if not report.check("registry the Shift_JIS file uploaded from the page shows its diff", upload):
            return

        def decide() -> None:
            first = page.locator("table[data-kind=changed] tbody").first
            with page.expect_navigation(wait_until="load"):
                first.get_by_role("button", name=re.compile("承認|Approve")).click()
            expect(page.locator("table[data-kind=changed] tbody.decided-approved").count() == 1, "not approved")
            absent = page.locator("table[data-kind=left] tbody").filter(has_text="相川 サブロウ")
            absent.locator("select").select_option("facility")
            with page.expect_navigation(wait_until="load"):
                page.locator("button[value=approve_rest]").click()
            screenshot(report, page, "registry-refresh-decided")
            with page.expect_navigation(wait_until="load"):
                page.locator("button[value=apply]").click()
            expect(page.get_by_text(re.compile("反映|Applied")).count() > 0, "not applied")
            screenshot(report, page, "registry-refresh-applied")

        report.check("registry rows are decided one by one and at once, then applied", decide)
    finally:
        context.close()


def _shot_path(name: str):
    from tests_browser.common import SCREENSHOTS_DIR

    return SCREENSHOTS_DIR / f"{name}.png"
