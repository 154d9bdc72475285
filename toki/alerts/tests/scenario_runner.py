"""Replaying a disaster-day scenario through the real path (docs/scenarios.md):

    telegrams → local JMA feed server (Atom feeds) → manage.py poll_jma → task queue (database backend) →
    manage.py db_worker --batch (process_telegram, planning and sending to LINE, the 軽量版 publish) →
    portal pages, 軽量版 files, API, CAP feed, local LINE server

City orders go through the staff pages as alice (/alerts/orders/), partner CAP messages through POST /cap/import.
Nothing here writes a model: the scenario's only inputs are telegrams, HTTP requests and the clock.

Between steps, the periodic jobs (TOKI_PERIODIC_JOBS) that fell due on the scenario clock run once, as
run_scheduler would have run them in the meantime.

The clock: each step happens at its `at`. `django.utils.timezone.now` follows a scenario clock (the step's time
plus the real time elapsed since the step began), as other tests of the project move time; so a telegram of
2016 is "new" when its step runs, and a ValidDateTime passes when a later step is after it.
"""

import io
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from toki.alerts.tests.jma_feed_server import DATA_PATH, FeedEntry
from toki.alerts.tests.order_pages import issue_through_pages
from toki.alerts.tests.scenario_checks import Check, check_step
from toki.alerts.tests.scenario_files import Scenario, Step
from toki.alerts.tests.scenario_surfaces import observe

EXTRA = "/developer/xml/feed/extra.xml"
EQVOL = "/developer/xml/feed/eqvol.xml"
FEED_WINDOW = timedelta(minutes=10)  # JMA's high-frequency feeds list about the last ten minutes
JST = ZoneInfo("Asia/Tokyo")
EXTRA_CODES = ("VPWW", "VXWW", "VPOA", "VPBS", "VPHW", "VXKO")


class ScenarioClock:
    """What `timezone.now()` answers during a replay: the step's time plus the real time elapsed in the step."""

    def __init__(self):
        self.base: datetime | None = None
        self.started = 0.0

    def now(self) -> datetime:
        return self.base + timedelta(seconds=time.monotonic() - self.started)

    def move_to(self, moment: datetime) -> None:
        if self.base is not None and moment < self.now():
            moment = self.now()  # never backwards
        self.base, self.started = moment, time.monotonic()


@dataclass
class StepRecord:
    step: Step
    clock: datetime
    notes: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def _feed_for(type_code: str) -> str:
    return EXTRA if type_code.startswith(EXTRA_CODES) else EQVOL


class Replay:
    """One scenario against one feed server and one LINE server (both shared by a test class, reset per test)."""

    def __init__(self, scenario: Scenario, *, feed_server, line_server, staff_user, municipality, subscribers: dict):
        self.scenario = scenario
        self.feed_server = feed_server
        self.line_server = line_server
        # A server error is something a person sees (an error page), not a crash of the test: record the 500.
        self.staff = Client(raise_request_exception=False)
        self.staff.force_login(staff_user)
        self.public = Client(raise_request_exception=False)
        self.municipality = municipality
        self.subscribers = subscribers  # language (or the scenario's resident name) → LINE user id
        self.seen_counts: dict = {}
        self.clock = ScenarioClock()
        self.entries: dict[str, list[FeedEntry]] = {EXTRA: [], EQVOL: []}
        self.published: dict[str, FeedEntry] = {}
        self.failed_tasks_seen = 0
        self.jobs_ran_at: dict[str, datetime] = {}
        self.records: list[StepRecord] = []

    # --- running ---
    def run(self) -> list[StepRecord]:
        # A 500 is recorded in the timeline as what a person sees; Django's own error log would only repeat it.
        quiet = mock.patch.object(logging.getLogger("django.request"), "disabled", True)
        with mock.patch("django.utils.timezone.now", new=self.clock.now), quiet:
            self.clock.move_to(self.scenario.steps[0].at - timedelta(minutes=5))
            self._periodic_jobs()  # the site is up before the day starts: run_scheduler has run every job once
            for step in self.scenario.steps:
                self.clock.move_to(step.at)
                record = StepRecord(step, self.clock.now())
                self.records.append(record)
                record.notes.append(self._periodic_jobs())
                self._act(step, record)
                record.notes.append(self._run_tasks())
                observation = observe(self.public, self.line_server, self.subscribers, self.seen_counts)
                record.checks = check_step(step.expect, self.scenario.phrases, observation, self.scenario.residents)
        return self.records

    def _periodic_jobs(self) -> str:
        """What run_scheduler did since the last step: each job of TOKI_PERIODIC_JOBS whose interval has passed
        on the scenario clock (the 軽量版 safety-net publish, the notify sweep, pruning …), once."""
        now, ran = self.clock.now(), []
        for name, interval, arguments in settings.TOKI_PERIODIC_JOBS:
            last = self.jobs_ran_at.get(name)
            if last is not None and (now - last).total_seconds() < interval:
                continue
            self.jobs_ran_at[name] = now
            try:
                call_command(name, *arguments, stdout=io.StringIO(), stderr=io.StringIO())
                ran.append(name)
            except Exception as error:  # as run_scheduler: one failing job does not stop the day
                ran.append(f"{name} FAILED: {type(error).__name__}: {error}")
        return "periodic jobs: " + (", ".join(ran) or "none due")

    def _act(self, step: Step, record: StepRecord) -> None:
        if step.telegrams or step.relist:
            self._publish(step)
            record.notes.append(self._poll())
        if step.order:
            record.notes.append(self._issue(step.order))
        if step.lift:
            record.notes.append(self._lift(step.lift))
        if step.cap:
            response = self.staff.post("/cap/import", self.scenario.file(step.cap).read_bytes(),
                                       content_type="application/cap+xml")
            record.notes.append(f"POST /cap/import → {response.status_code} {response.content[:200].decode()}")

    def _publish(self, step: Step) -> None:
        now = self.clock.now()
        for offset, (file, name) in enumerate(step.telegrams):
            body = self.scenario.file(file).read_bytes()
            url_name = f"{self.scenario.name}__{PurePosixPath(name).stem}.xml"
            entry = self.feed_server.telegram(file, now + timedelta(seconds=offset), name=url_name, body=body)
            feed = _feed_for(_type_code(body))
            self.entries[feed].append(entry)
            self.published[name] = (feed, entry)
        for offset, name in enumerate(step.relist):
            feed, old = self.published[name]
            again = FeedEntry(link=old.link, updated=now + timedelta(seconds=offset), title=old.title,
                              author=old.author, content=old.content)
            self.entries[feed].append(again)
        for path, entries in self.entries.items():
            recent = [e for e in entries if e.updated >= now - FEED_WINDOW]
            self.feed_server.publish_feed(path, recent)

    def _poll(self) -> str:
        feeds = [self.feed_server.url(EXTRA), self.feed_server.url(EQVOL)]
        before = len(self.feed_server.requests)
        call_command("poll_jma", "--once", "--no-backfill", min_gap=0, feed=feeds)
        fetched = [r.path.removeprefix(DATA_PATH) for r in self.feed_server.requests[before:]
                   if r.path.startswith(DATA_PATH)]
        return "poll_jma fetched " + (", ".join(fetched) or "nothing new")

    def _districts(self, codes) -> list:
        return list(self.municipality.districts.filter(code__in=codes).values_list("pk", flat=True))

    def _issue(self, order: dict) -> str:
        response = issue_through_pages(self.staff, districts=self._districts(order["districts"]),
                                       level=order["level"], hazard=order["hazard"],
                                       reason=order.get("reason", "scenario"))
        return f"POST /alerts/orders/ (review, confirm) → {response.status_code}"

    def _lift(self, lift: dict) -> str:
        page = self.staff.get("/alerts/orders/")
        from toki.alerts.selectors import orders_for_staff

        user = page.wsgi_request.user
        orders = [o.pk for o in orders_for_staff(user, self.municipality)
                  .filter(district__code__in=lift["districts"], hazard=lift["hazard"], is_drill=False)]
        response = self.staff.post("/alerts/orders/lift/", {"orders": orders,
                                                             "reason": lift.get("reason", "scenario")})
        return f"POST /alerts/orders/lift/ ({len(orders)} order(s)) → {response.status_code}"

    def _run_tasks(self) -> str:
        before = DBTaskResult.objects.count()
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
        failed = list(DBTaskResult.objects.filter(status="FAILED").order_by("enqueued_at"))
        new_failures = failed[self.failed_tasks_seen:]
        self.failed_tasks_seen = len(failed)
        note = f"tasks: {DBTaskResult.objects.count() - before} enqueued"
        for result in new_failures:
            errors = result.traceback.strip().splitlines()[-1:] if result.traceback else [result.exception_class_path]
            note += f"; FAILED {result.task_path}: {' '.join(errors)}"
        return note

    # --- reporting ---
    def timeline(self) -> str:
        lines = [f"Scenario {self.scenario.name}: {self.scenario.title}"]
        for record in self.records:
            step = record.step
            lines.append(f"step {step.number}  {record.clock.astimezone(JST):%Y-%m-%d %H:%M:%S} JST  "
                         f"{step.say or step.actions()}")
            lines.append(f"        did: {step.actions()}")
            lines += [f"        {note}" for note in record.notes]
            passed = len(record.checks) - len(record.failed)
            lines.append(f"        {passed} of {len(record.checks)} checks as expected")
            groups: dict[str, list[Check]] = {}
            for check in record.failed:
                groups.setdefault(check.what, []).append(check)
            for what, checks in groups.items():
                places = ", ".join(c.where for c in checks if c.where)
                lines.append(f"        ✗ expected: {what}" + (f"  — not met on: {places}" if places else ""))
                lines.append(f"          seen{' (' + checks[0].where + ')' if checks[0].where else ''}: "
                             f"{checks[0].seen}")
        return "\n".join(lines)

    @property
    def failures(self) -> int:
        return sum(len(r.failed) for r in self.records)


def _type_code(body: bytes) -> str:
    from toki.alerts.jma.parser import parse_telegram

    return parse_telegram(body).message_type.code or ""
