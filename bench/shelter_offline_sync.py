"""Benchmark: 500 check-ins made offline on two shelter tablets, then synced through dropped answers and retries.

A throwaway production-mode site (gunicorn, seed_demo: tests_browser/server.py) on a port of 18450–18499 and a
drill opening of carol's shelter. Two tablets (two Chromium contexts, logged in as carol, service worker in
control) go offline (every request aborted by Playwright routing, the service worker's included); on each, the
quick form registers and checks in walk-in households, 250 per tablet by default (each check-in is two events:
register_household + check_in). Then the connection returns, but the events endpoint loses its answer — the
server handles the request, the tablet never hears back — for every third request until --drop answers were
lost. The clock runs from the connection's return to both tablets showing "everything is sent".
Then the server's events for the opening are compared with the events the tablets made: none lost, none
doubled, every check-in a checked-in household. Usage: python bench/shelter_offline_sync.py [--check-ins 500]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import REPO, BenchError, format_table, machine_info, package_version, run_main, write_results
from shelter_qr_browser import start_site

NAME = "shelter_offline_sync"
KANA_PREFIX = "オフライン ベンチ"

# In the page: register `count` households through the quick form, waiting for each to be saved.
FILL = """async ({count, prefix}) => {
  const started = performance.now();
  const counter = () => Number(document.getElementById('unsynced-count').textContent);
  if (document.getElementById('form-panel').hidden) document.querySelector('.action--form').click();
  for (let i = 0; i < count; i += 1) {
    const before = counter();
    document.getElementById('f-kana').value = `${prefix}${i}`;
    document.querySelector('#quick-form button[type=submit]').click();
    while (counter() < before + 2) await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - started;
}"""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-ins", type=int, default=500, help="in all, split between the two tablets")
    parser.add_argument("--drop", type=int, default=3, help="answers of the events endpoint to lose")
    parser.add_argument("--port", type=int, default=18461, help="the site's port (18450–18499)")
    return parser.parse_args(argv)


def measure(args, site) -> dict:
    from playwright.sync_api import sync_playwright

    from tests_browser import shelter_pwa as pwa
    from tests_browser.common import CHROMIUM, LAUNCH_ARGS
    from toki.demo.management.commands.seed_demo import DEMO_PASSWORD

    world = pwa.prepare_world(0, label="同期ベンチ")
    per_tablet = [args.check_ins // 2, args.check_ins - args.check_ins // 2]
    traffic = {"requests": 0, "dropped": 0, "server_s": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            first = pwa.tablet_context(browser, site.url, "portrait")
            page, _ = pwa.open_tablet(first, DEMO_PASSWORD)
            contexts, pages = [first], [page]
            second = pwa.tablet_context(browser, site.url, "portrait", storage_state=first.storage_state())
            page = second.new_page()
            page.goto(pwa.TABLET, wait_until="load")
            page.wait_for_function("navigator.serviceWorker.controller !== null")
            pwa.wait_roster(page)
            contexts.append(second)
            pages.append(page)
            for context in contexts:
                pwa.go_offline(context)
            fill_ms = []
            for index, (page, count) in enumerate(zip(pages, per_tablet, strict=True)):
                fill_ms.append(page.evaluate(FILL, {"count": count, "prefix": f"{KANA_PREFIX}{index}-"}))
                print(f"  tablet {index + 1}: {count} check-ins offline in {fill_ms[-1] / 1000:.1f} s", flush=True)
            made = [e["id"] for page in pages for e in pwa.local_events(page)]
            pending = [pwa.unsynced(page) for page in pages]

            def lossy(route) -> None:
                traffic["requests"] += 1
                begin = time.monotonic()
                response = route.fetch(timeout=120_000)  # the server handles the batch ...
                traffic["server_s"].append(round(time.monotonic() - begin, 3))
                if traffic["dropped"] < args.drop and traffic["requests"] % 3 == 1:
                    traffic["dropped"] += 1
                    route.abort("connectionreset")  # ... and the answer is lost
                else:
                    route.fulfill(response=response)

            for context in contexts:
                pwa.go_online(context)
                context.route(pwa.EVENTS_ROUTE, lossy)
            started = time.monotonic()
            for page in pages:  # what a volunteer does when the connection is back
                page.locator("#unsynced").click()
                page.locator("#sync-now").click()
            for page in pages:
                pwa.wait_unsynced(page, 0, timeout_ms=300_000)
            sync_s = time.monotonic() - started
            for context in contexts:
                context.close()
        finally:
            browser.close()
    on_server = pwa.server_events(world.opening_id)
    checked_in = _checked_in_households(world.opening_id)
    made_set = set(made)
    return {
        "check_ins": args.check_ins, "events_made": len(made), "distinct_events_made": len(made_set),
        "pending_before_sync": pending, "events_on_server": len(on_server),
        "lost": len(made_set - set(on_server)), "unexpected_on_server": len(set(on_server) - made_set),
        "applied": sum(1 for s in on_server.values() if s == "applied"),
        "households_checked_in_on_server": checked_in,
        "events_requests": traffic["requests"], "answers_dropped": traffic["dropped"],
        "server_s_per_post": traffic["server_s"],
        "offline_fill_s": [round(ms / 1000, 2) for ms in fill_ms], "sync_s": round(sync_s, 2),
    }


def _checked_in_households(opening_id: int) -> int:
    from tests_browser.shelter_pwa import off_loop

    @off_loop
    def count():
        from toki.shelters.models import Registration

        return (Registration.objects.filter(opening_id=opening_id, state="checked_in",
                                            member__name_kana__startswith=KANA_PREFIX)
                .values("household_id").distinct().count())

    return count()


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not 18450 <= args.port <= 18499:
        raise BenchError("--port must be within 18450–18499")
    machine = machine_info()
    started = time.monotonic()
    from tests_browser import server

    with tempfile.TemporaryDirectory(prefix="toki-bench-sync-") as tmp:
        print(f"preparing the site in {tmp} ...", flush=True)
        site = start_site(Path(tmp), args.port)
        try:
            result = measure(args, site)
        finally:
            server.stop(site)
    ok = (result["lost"] == 0 and result["unexpected_on_server"] == 0
          and result["events_on_server"] == result["events_made"] == 2 * args.check_ins
          and result["applied"] == result["events_made"]
          and result["households_checked_in_on_server"] == args.check_ins)
    rows = [
        ["check-ins made offline (2 tablets)", args.check_ins],
        ["events made (register + check-in)", result["events_made"]],
        ["events on the server", result["events_on_server"]],
        ["lost", result["lost"]],
        ["doubled or unexpected", result["unexpected_on_server"]],
        ["households checked in on the server", result["households_checked_in_on_server"]],
        ["POSTs to the events endpoint", result["events_requests"]],
        ["answers dropped (server applied, tablet never heard)", result["answers_dropped"]],
        ["offline entry time per tablet (s)", " / ".join(str(s) for s in result["offline_fill_s"])],
        ["sync time from the connection's return (s)", result["sync_s"]],
        ["  of which the server answering the POSTs (s)", round(sum(result["server_s_per_post"]), 2)],
    ]
    print()
    print(format_table(["", "value"], rows))
    per_event = result["sync_s"] / max(1, result["events_made"]) * 1000
    print(f"\n{'OK' if ok else 'FAILED'}: none lost, none doubled" if ok else "\nFAILED: see the table")
    print(f"({per_event:.1f} ms per event including the retries; {machine['cores']} cores; "
          f"{time.monotonic() - started:.0f} s in all)")
    data = {
        "benchmark": NAME, "issue": "shelters item 4", "ok": ok, "machine": machine,
        "versions": {"playwright": package_version("playwright")},
        "parameters": {"check_ins": args.check_ins, "drop": args.drop, "batch": 200,
                       "lossy": "every third POST answered by the server but aborted before the tablet"},
        "result": result, "ms_per_event": round(per_event, 2),
        "median_fill_s": statistics.median(result["offline_fill_s"]),
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    print(f"results: {write_results(NAME, data).relative_to(REPO)}")
    return 0 if ok else 1


if __name__ == "__main__":
    run_main(main)
