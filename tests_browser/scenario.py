"""Issue 12's "done when" in a browser: a disaster-day scenario (toki/alerts/scenarios/, docs/scenarios.md) replayed
on the throwaway site through the real path, while Chromium at a phone size opens the portal in each language.

The scenario is tsunami_advisory_retracted: JMA issues a tsunami advisory for 佐渡, then retracts it with a real
取消 (no areas, its Body only a Text). For each step: the step's telegrams are served by the local JMA feed server
(toki/alerts/tests/jma_feed_server.py) in an Atom feed, `manage.py poll_jma` reads it, `manage.py db_worker
--batch` runs the tasks (process_telegram, the 軽量版 publish, LINE planning), exactly as the services would. Then,
in a fresh phone context per language (the language chosen with the switcher's link), the home page and the
visitors' page (/tourist/) must show the step's `in_force` phrases in their "in force" box
(section[aria-labelledby=warnings-heading]) and must not show its `gone` phrases. Screenshots:
scenario-<step>-<language>.png (home) in test-artifacts/screenshots/.

The throwaway site runs on the real clock; the telegrams keep their 2016 times (a tsunami advisory has no
ValidDateTime, so it is in force until lifted or retracted).
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests_browser import server
from tests_browser.common import Browser, Report, expect, goto_in, screenshot, short

SCENARIO = "tsunami_advisory_retracted"
SCENARIOS = Path(__file__).resolve().parents[1] / "toki" / "alerts" / "scenarios"
EQVOL = "/developer/xml/feed/eqvol.xml"
BOX = "section[aria-labelledby=warnings-heading]"
PAGES = (("home", "/"), ("tourist", "/tourist/"))
POLL_AND_WORK = """
from django.core.management import call_command
call_command("poll_jma", "--once", "--no-backfill", min_gap=0, feed=["{feed}"])
call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
"""


def _box_text(page) -> str:
    box = page.locator(BOX).first
    expect(box.count() > 0, f"no in-force box ({BOX}) on {page.url}")
    return " ".join(box.inner_text().split())


def _deliver(site, feed_server, scenario, step, entries: list) -> None:
    """Serve the step's telegrams in the eqvol feed, poll it once and run the queued tasks."""
    now = datetime.now(UTC)
    for offset, (file, name) in enumerate(step.telegrams):
        body = scenario.file(file).read_bytes()
        entries.append(feed_server.telegram(file, now + timedelta(seconds=offset), name=f"{SCENARIO}__{name}",
                                            body=body))
    feed_server.publish_feed(EQVOL, entries)
    # poll_jma, then the worker until the queue is empty: the two services, run once in one process.
    server.manage(site, "shell", "-c", POLL_AND_WORK.format(feed=feed_server.url(EQVOL)))


def _check_language(report: Report, browser: Browser, step, language: str, phrases: dict) -> None:
    from toki.alerts.tests.scenario_checks import says  # the scenario tests' own reading of a phrase

    context = browser.context("phone")
    try:
        page = context.new_page()
        for name, path in PAGES:
            label = f"scenario step {step.number} ({step.say}) {name}@{language}"

            def check(page=page, path=path) -> None:
                response = goto_in(page, path, language)
                expect(response is not None and response.status == 200,
                       f"HTTP {response.status if response else 'none'} for {path}")
                text = _box_text(page)
                for key in step.expect["in_force"]:
                    phrase = phrases[key][language]
                    expect(says(text, phrase), f"{' or '.join(phrase)!r} not in the in-force box: {text[:160]!r}")
                for key in step.expect["gone"]:
                    phrase = phrases[key][language]
                    expect(not says(text, phrase), f"{' or '.join(phrase)!r} still in the in-force box: "
                                                    f"{text[:160]!r}")

            report.check(label, check)
            if name == "home":
                screenshot(report, page, f"scenario-{step.number}-{language}")
    finally:
        context.close()


def check_scenario(report: Report, browser: Browser, site) -> None:
    from toki.alerts.tests.jma_feed_server import FeedServer
    from toki.alerts.tests.scenario_files import LANGUAGES, load

    scenario = load(SCENARIOS / SCENARIO)
    entries: list = []
    with FeedServer() as feed_server:
        for step in scenario.steps:
            try:
                _deliver(site, feed_server, scenario, step, entries)
            except Exception as exc:
                report.fail(f"scenario step {step.number}: deliver {step.actions()}", short(str(exc), 8))
                return
            for language in LANGUAGES:
                _check_language(report, browser, step, language, scenario.phrases)
