"""The portal's "done when" walk (issue 4), in every language on a phone-sized window: a resident opens the
site, sees the evacuation order in force for their district, and finds the nearest shelter that is open now.

Setup on the throwaway site (and undone afterwards): a real (non-drill) incident with one shelter of 両津 opened
(`open_demo_shelter --real`), and a 避難指示 for 両津 issued by alice. Then, per language, in a fresh phone
context whose position is set near that shelter (geolocation granted, as a phone would after the prompt):
- the home page leads with the order (`.order-now`) and names the district as the page's language names it;
- "Shelters open now" lists the opened shelter;
- "Find the nearest sites" puts the opened shelter first, with its state;
- the visitors' page (/tourist/, for the LINE tourist menu) lists it as open too.
"""

import json
import subprocess
import sys

from tests_browser import server
from tests_browser.common import Browser, Report, expect, open_page, screenshot, settle, short

LANGUAGES = ("ja", "ja-easy", "en", "zh-hans", "ko")
SHELTER = "両津小学校体育館"
DISTRICT = "ryotsu"
SETUP = """
import json
from django.utils import translation
from toki.accounts.models import User
from toki.alerts.actions.orders import issue_evacuation_order
from toki.areas.models import District
from toki.lib.place_names import local_name
from toki.shelters.models import Shelter
alice = User.objects.get(username="alice")
district = District.objects.get(code="{district}")
issue_evacuation_order(acting_user=alice, districts=[district], level=4, hazard="flood",
                       reason="ブラウザーテスト（直後に解除）")
shelter = Shelter.objects.get(name="{shelter}", is_designated_shelter=True)
names = {{}}
for code in {languages!r}:
    with translation.override(code):
        names[code] = local_name(district)
print(json.dumps({{"lat": shelter.lat, "lon": shelter.lon, "names": names}}))
"""
TEARDOWN = """
from toki.accounts.models import User
from toki.alerts.models import EvacuationOrder
from toki.alerts.actions.orders import lift_evacuation_orders
from toki.hq.actions import close_incident
from toki.hq.models import Incident
alice = User.objects.get(username="alice")
orders = list(EvacuationOrder.objects.filter(lifted_at__isnull=True, is_drill=False, district__code="{district}"))
if orders:
    lift_evacuation_orders(acting_user=alice, orders=orders, reason="ブラウザーテスト終了")
for incident in Incident.objects.filter(ended_at__isnull=True, is_drill=False):
    close_incident(acting_user=alice, incident=incident)
"""


def shell(site, code: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=server.BASE_DIR, env=site.env,
                          capture_output=True, text=True, timeout=server.COMMAND_TIMEOUT, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise server.ServerError("manage.py shell: " + short(done.stderr, 6))
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def check_walkthrough(report: Report, browser: Browser, site) -> None:
    try:
        server.manage(site, "open_demo_shelter", "--real", "--shelter", SHELTER)
        facts = json.loads(shell(site, SETUP.format(district=DISTRICT, shelter=SHELTER, languages=LANGUAGES)))
    except Exception as exc:
        report.fail("walkthrough setup (open a shelter, issue an order)", short(str(exc)))
        return
    try:
        for language in LANGUAGES:
            walk(report, browser, language, facts)
    finally:
        try:
            shell(site, TEARDOWN.format(district=DISTRICT))
        except Exception as exc:
            report.fail("walkthrough teardown (lift the order, close the incident)", short(str(exc)))


def walk(report: Report, browser: Browser, language: str, facts: dict) -> None:
    near_the_shelter = {"latitude": facts["lat"] + 0.004, "longitude": facts["lon"] + 0.004}
    context = browser.context("phone", geolocation=near_the_shelter, permissions=["geolocation"])
    try:
        page, _watch, _ = open_page(context, f"/language/{language}/?next=/")
        name = f"walkthrough@{language}"

        def order_in_force() -> None:
            order = page.locator(".order-now").first
            expect(order.count() > 0 and order.is_visible(), "no evacuation order shown (.order-now)")
            district = facts["names"][language]
            expect(district in order.inner_text(), f"the order does not name the district {district!r}")

        def open_shelter_listed() -> None:
            listed = page.locator(".open-shelters").inner_text()
            expect(SHELTER in listed, f"{SHELTER} not under 'Shelters open now': {short(listed, 2)}")

        def nearest_is_the_open_one() -> None:
            page.locator("#nearest button").click()
            first = page.locator("#nearest ol li").first
            first.wait_for(state="visible", timeout=10_000)
            text = first.inner_text()
            expect(SHELTER in text, f"the nearest site offered first is {short(text, 1)!r}")
            expect(first.locator(".tag-open").count() == 1, f"no open state shown for {SHELTER}: {text!r}")

        report.check(f"{name} shows the order for the district", order_in_force)
        report.check(f"{name} lists the shelter open now", open_shelter_listed)
        report.check(f"{name} offers the open shelter as the nearest", nearest_is_the_open_one)
        screenshot(report, page, f"walkthrough-{language}")
        page.close()

        def tourist_page() -> None:
            visit, _w, response = open_page(context, "/tourist/")
            expect(response is not None and response.status == 200, "the visitors' page did not answer 200")
            settle(visit)
            expect(SHELTER in visit.locator(".open-shelters").inner_text(), "the open shelter is not listed")
            visit.close()

        if language != "ja":
            report.check(f"{name} visitors' page lists the open shelter", tourist_page)
    finally:
        context.close()
