"""manage.py poll_jma: the configured feeds, back-fill from the long feeds after downtime (in `updated` order),
the loop and its clean stop, and processing enqueued after a real commit."""

import os
import random
import signal
import threading
import time
from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from toki.alerts.management.commands.poll_jma import next_poll_at
from toki.alerts.models import JmaFeed, Telegram
from toki.alerts.tests.jma_feed_server import OTHER_SAMPLES, SADO_SAMPLES, T0, FeedServerMixin, atom_feed
from toki.test import DATABASE_TASKS, BaseTestCase, BaseTransactionTestCase

SHORT = "/developer/xml/feed/extra.xml"
SHORT_EQ = "/developer/xml/feed/eqvol.xml"
LONG = "/developer/xml/feed/extra_l.xml"


def enqueued_ids() -> list[int]:
    rows = DBTaskResult.objects.filter(task_path="toki.alerts.tasks.process_telegram").order_by("enqueued_at")
    return [row.args_kwargs["args"][0] for row in rows]


class NextPollTests(SimpleTestCase):
    def test_it_polls_at_second_20_of_the_next_minute(self):
        now = datetime(2025, 6, 30, 3, 0, 41, tzinfo=UTC).timestamp()
        self.assertEqual(datetime.fromtimestamp(next_poll_at(now, 60, 20), UTC).strftime("%H:%M:%S"), "03:01:20")

    def test_it_polls_later_in_the_same_minute_before_second_20(self):
        now = datetime(2025, 6, 30, 3, 0, 5, tzinfo=UTC).timestamp()
        self.assertEqual(datetime.fromtimestamp(next_poll_at(now, 60, 20), UTC).strftime("%H:%M:%S"), "03:00:20")

    def test_it_never_returns_now_itself(self):
        now = datetime(2025, 6, 30, 3, 0, 20, tzinfo=UTC).timestamp()
        self.assertEqual(next_poll_at(now, 60, 20) - now, 60)

    def test_it_handles_short_intervals(self):
        self.assertAlmostEqual(next_poll_at(1000.3, 0.5, 20), 1000.5)


@override_settings(TOKI_JMA_TIMEOUT=0.5, TASKS=DATABASE_TASKS)
class PollJmaCommandTests(FeedServerMixin, BaseTestCase):
    def run_command(self, *args, **options):
        with self.captureOnCommitCallbacks(execute=True):
            call_command("poll_jma", *args, **options)

    def settings_for(self, short=(SHORT,), long=(LONG,)):
        return override_settings(TOKI_JMA_FEEDS=[self.server.url(p) for p in short],
                                 TOKI_JMA_LONG_FEEDS=[self.server.url(p) for p in long])

    def mark_polled(self, path: str, ago: timedelta) -> None:
        at = timezone.now() - ago
        JmaFeed.objects.update_or_create(url=self.server.url(path),
                                         defaults={"last_success_at": at, "last_polled_at": at})

    def test_it_polls_the_configured_feeds(self):
        self.server.publish_feed(SHORT, self.entries(OTHER_SAMPLES))
        self.server.publish_feed(SHORT_EQ, self.entries(SADO_SAMPLES))
        with self.settings_for(short=(SHORT, SHORT_EQ), long=()):
            self.run_command()
        self.assertEqual(Telegram.objects.count(), 6)
        self.assertEqual(len(enqueued_ids()), 3)

    def test_it_logs_one_line_per_feed(self):
        self.server.publish_feed(SHORT, self.entries(OTHER_SAMPLES))
        self.server.put(SHORT_EQ, b"", status=500)
        with self.settings_for(short=(SHORT, SHORT_EQ), long=()), self.assertLogs("toki.alerts.poll") as logs:
            self.run_command("--once")
        lines = [line for line in logs.output if "poll feed=" in line]
        self.assertEqual(len(lines), 2)
        self.assertIn("status=ok http=200 entries=3 new=3 relevant=0 held=0 quarantined=0 failed=0", lines[0])
        self.assertIn("status=error http=500", lines[1])

    def test_it_reads_the_long_feed_first_after_downtime_in_updated_order(self):
        self.mark_polled(SHORT, timedelta(hours=2))
        entries = self.entries(SADO_SAMPLES + OTHER_SAMPLES, start=T0)
        shuffled = entries[:]
        random.Random(7).shuffle(shuffled)
        long_url = self.server.put(LONG, atom_feed(shuffled))
        self.server.publish_feed(SHORT, entries[-2:])  # the short feed lists only the last ones
        with self.settings_for(), self.assertLogs("toki.alerts.poll", "INFO") as logs:
            self.run_command()
        self.assertIn("back-fill: no successful poll in the last 600 s; reading 1 long feed(s) first",
                      "\n".join(logs.output))
        expected = [e.link.removeprefix(self.server.base_url) for e in entries]
        self.assertEqual(self.server.paths(), [LONG, *expected, SHORT])  # the short feed's entries are held
        stored = list(Telegram.objects.order_by("id").values_list("url", flat=True))
        self.assertEqual(stored, [e.link for e in entries])
        sado = [e.link for e in entries[:3]]  # SADO_SAMPLES come first in `updated` order
        self.assertEqual(enqueued_ids(), [Telegram.objects.get(url=link).id for link in sado])
        self.assertIsNotNone(JmaFeed.objects.get(url=long_url).last_success_at)

    def test_it_skips_the_long_feed_after_a_recent_poll(self):
        self.mark_polled(SHORT, timedelta(minutes=3))
        self.server.publish_feed(LONG, self.entries(OTHER_SAMPLES))
        self.server.publish_feed(SHORT, self.entries(SADO_SAMPLES[:1]))
        with self.settings_for():
            self.run_command()
        self.assertEqual(self.server.hits(LONG), 0)
        self.assertEqual(Telegram.objects.count(), 1)

    def test_it_reads_the_long_feed_on_first_start(self):
        self.server.publish_feed(LONG, self.entries(OTHER_SAMPLES))
        self.server.publish_feed(SHORT, self.entries(SADO_SAMPLES[:1], start=T0 + timedelta(hours=1)))
        with self.settings_for():
            self.run_command()
        self.assertEqual(self.server.paths()[0], LONG)
        self.assertEqual(Telegram.objects.count(), 4)

    def test_it_does_not_read_the_long_feed_again_while_a_short_feed_is_down(self):
        self.mark_polled(SHORT, timedelta(hours=1))
        self.mark_polled(LONG, timedelta(minutes=2))  # back-filled two minutes ago
        self.server.put(SHORT, b"", status=503)
        self.server.publish_feed(LONG, self.entries(OTHER_SAMPLES))
        with self.settings_for(), self.assertRaises(CommandError):
            self.run_command()
        self.assertEqual(self.server.hits(LONG), 0)

    def test_it_reads_only_the_long_feeds_with_long(self):
        self.server.publish_feed(LONG, self.entries(OTHER_SAMPLES))
        self.server.publish_feed(SHORT, self.entries(SADO_SAMPLES))
        with self.settings_for():
            self.run_command("--long")
        self.assertEqual(self.server.paths()[0], LONG)
        self.assertEqual(self.server.hits(SHORT), 0)
        self.assertEqual(Telegram.objects.count(), 3)

    def test_it_takes_feeds_from_the_command_line(self):
        self.server.publish_feed(SHORT_EQ, self.entries(SADO_SAMPLES[:1]))
        with self.settings_for(long=()):
            self.run_command(feed=[self.server.url(SHORT_EQ)], no_backfill=True)
        self.assertEqual(self.server.hits(SHORT), 0)
        self.assertEqual(Telegram.objects.count(), 1)

    def test_it_exits_1_when_no_feed_could_be_read(self):
        self.server.put(SHORT, b"", status=503)
        with self.settings_for(long=()), self.assertRaisesRegex(CommandError, "no feed could be read"):
            self.run_command()

    def test_it_is_a_no_op_when_run_again(self):
        url = self.server.publish_feed(SHORT, self.entries(SADO_SAMPLES))
        with self.settings_for(long=()):
            self.run_command(min_gap=0)
            self.server.reset_counts()
            self.server.put(SHORT, self.server.resource(SHORT).body)  # same entries, new Last-Modified
            self.run_command(min_gap=0)
        self.assertEqual(self.server.paths(), [SHORT])
        self.assertEqual(self.server.statuses(url), [200])
        self.assertEqual(Telegram.objects.count(), 3)
        self.assertEqual(len(enqueued_ids()), 3)

    def test_it_skips_a_feed_another_poller_polled_moments_ago(self):
        self.server.publish_feed(SHORT, self.entries(SADO_SAMPLES))
        self.mark_polled(SHORT, timedelta(seconds=5))  # another poll_jma, started 5 s ago
        with self.settings_for(long=()), self.assertLogs("toki.alerts.poll", "INFO") as logs:
            self.run_command()  # interval 60: a gap of 30 s
        self.assertEqual(self.server.paths(), [])
        self.assertIn("status=skipped", "\n".join(logs.output))

    def test_it_polls_a_feed_whose_last_poll_is_older_than_the_gap(self):
        self.server.publish_feed(SHORT, self.entries(SADO_SAMPLES))
        self.mark_polled(SHORT, timedelta(seconds=5))
        with self.settings_for(long=()):
            self.run_command("--interval", "6")  # a gap of 3 s
        self.assertEqual(self.server.hits(SHORT), 1)

    def test_it_stops_the_loop_on_sigterm(self):
        url = self.server.publish_feed(SHORT, self.entries(SADO_SAMPLES[:1]))
        done = threading.Event()

        def terminate_after_three_polls():
            deadline = time.monotonic() + 20
            while self.server.hits(SHORT) < 3 and time.monotonic() < deadline and not done.is_set():
                time.sleep(0.01)
            if not done.is_set():
                os.kill(os.getpid(), signal.SIGTERM)

        killer = threading.Thread(target=terminate_after_three_polls, daemon=True)
        handler = signal.getsignal(signal.SIGTERM)
        with self.settings_for(long=()), self.assertLogs("toki.alerts.poll", "INFO") as logs:
            killer.start()
            try:
                self.run_command("--loop", interval=0.2, second=0)
            finally:
                done.set()
                killer.join()
        self.assertIn("stopped", logs.output[-1])
        self.assertGreaterEqual(len(self.server.statuses(url)), 3)
        self.assertEqual(set(self.server.statuses(url)[1:]), {304})
        self.assertEqual(signal.getsignal(signal.SIGTERM), handler)  # the command's handler is gone

    def test_it_refuses_a_non_positive_interval(self):
        with self.assertRaisesRegex(CommandError, "--interval must be positive"):
            call_command("poll_jma", "--loop", interval=-1)


@override_settings(TOKI_JMA_TIMEOUT=0.5, TASKS=DATABASE_TASKS)
class PollJmaCommitTests(FeedServerMixin, BaseTransactionTestCase):
    """With real commits: the processing of the municipality's telegrams is in the queue once committed."""

    def test_it_enqueues_processing_of_sado_telegrams_after_commit(self):
        self.server.publish_feed(SHORT, self.entries(SADO_SAMPLES + OTHER_SAMPLES))
        call_command("poll_jma", feed=[self.server.url(SHORT)], no_backfill=True)
        sado = Telegram.objects.filter(concerns=True).order_by("id")
        self.assertEqual(sado.count(), 3)
        self.assertEqual(enqueued_ids(), list(sado.values_list("id", flat=True)))
        self.assertEqual(set(DBTaskResult.objects.values_list("status", flat=True)), {"READY"})
