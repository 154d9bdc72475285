"""Exactly once, with workers killed: 20,000 subscribers, a real evacuation order, `manage.py run_worker` processes
SIGKILLed at random points of the broadcast (at least three times), restarted with `notify_sweep --loop`. The
local LINE server (a separate process that outlives the workers) must have received the message exactly once per
recipient, and every Delivery must end accepted or dead. Bounded well under two minutes."""

import os
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from django.test import SimpleTestCase, tag

from toki.notify.line.localserver_process import LocalLineProcess
from toki.notify.tests.broadcast_scenario import Scenario

SUBSCRIBERS = 20_000
KILLS = 4


@tag("slow", "own-database")  # its own SQLite file, whatever DATABASE_URL says: CI's PostgreSQL run leaves it out
class ExactlyOnceUnderSigkillTests(SimpleTestCase):
    def test_it_delivers_exactly_once_to_every_recipient_when_workers_are_killed(self):
        rng = random.Random(os.environ.get("TOKI_TEST_SEED", "exactly-once"))
        with tempfile.TemporaryDirectory(prefix="toki-exactly-once-") as workdir, \
                LocalLineProcess(latency_ms=120) as line:
            scenario = Scenario(Path(workdir), line_url=line.base_url, lease_seconds=2)
            scenario.migrate()
            try:
                seeded = scenario.seed(SUBSCRIBERS)
                kills_during_broadcast = 0
                for _ in range(KILLS):
                    worker = scenario.start_worker()
                    time.sleep(rng.uniform(1.0, 2.5))
                    scenario.kill(worker)
                    state = scenario.status()
                    if sum(n for s, n in state["batches"].items() if s not in ("accepted", "dead")) or not (
                            state["batches"]):
                        kills_during_broadcast += 1
                scenario.start_worker()
                scenario.start_worker()
                scenario.start_sweep()
                final = scenario.wait_until_done(timeout=90)
            finally:
                scenario.stop_all()
            self.assertGreaterEqual(kills_during_broadcast, 3, "the kills must land while work was left")
            with sqlite3.connect(Path(workdir) / "broadcast.sqlite3") as db:
                addresses = [row[0] for row in db.execute("SELECT address FROM notify_subscriber")]
                states = dict(db.execute("SELECT state, COUNT(*) FROM notify_delivery GROUP BY state").fetchall())
            counts = line.client.delivery_counts()
            stats = line.client.stats()
            invalid = line.client.invalid_requests()[:3]

        self.assertEqual(len(addresses), SUBSCRIBERS)
        self.assertEqual(seeded["subscribers"], SUBSCRIBERS)
        self.assertEqual(set(states) - {"accepted", "dead"}, set(), states)
        # No fault was injected, so nothing may die either: every Delivery is accepted.
        self.assertEqual(states, {"accepted": SUBSCRIBERS}, final)
        duplicates = sum(1 for n in counts.values() if n != 1)
        self.assertEqual(duplicates, 0, "some recipients received the message more than once")
        self.assertEqual(set(counts), set(addresses), "some recipients received nothing")
        # A worker killed while sending leaves a body cut short: the server drops it unanswered ("truncated"), as
        # LINE would; every request that did arrive whole is valid against LINE's spec.
        self.assertEqual(stats["invalid"], 0, invalid)
