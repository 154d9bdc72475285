"""Poll JMA's Atom PULL feeds and store each new telegram once (docs/jma-feeds.md).

    python manage.py poll_jma [--once]                  poll the high-frequency feeds once
    python manage.py poll_jma --loop [--interval 60] [--second 20]
    python manage.py poll_jma --long                    read the long feeds (back-fill after downtime)

Before polling the high-frequency feeds it reads the long feeds when the high-frequency ones have not been read
successfully for TOKI_JMA_BACKFILL_AFTER seconds (10 minutes): at start-up after downtime, and in the loop
after a network outage. With --loop it polls at second --second of every --interval (default :20 of each
minute, as JMA's guidance suggests) and stops cleanly on SIGTERM or SIGINT, after the telegram in hand.

Idempotent and safe to run twice at once: a feed another poller polled less than --min-gap seconds ago (half
the interval) is skipped, and a telegram URL already held is neither fetched nor stored again.
Logs one line per feed and poll. --once exits 1 when no feed at all could be read.
"""

import logging
import math
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from toki.alerts.actions.telegrams import feeds_needing_backfill, poll_feeds
from toki.alerts.feeds import config

log = logging.getLogger("toki.alerts.poll")


def next_poll_at(now: float, interval: float, second: float) -> float:
    """The first time after `now` (epoch seconds) that falls `second` seconds after a multiple of `interval`."""
    offset = second % interval
    return (math.floor((now - offset) / interval) + 1) * interval + offset


class Command(BaseCommand):
    help = "Poll the JMA Atom feeds and store new telegrams (once, or with --loop every interval)."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--loop", action="store_true", help="keep polling every interval until stopped")
        mode.add_argument("--once", action="store_true", help="poll once and exit (the default)")
        parser.add_argument("--long", action="store_true", help="poll the long feeds instead (back-fill)")
        parser.add_argument("--interval", type=float, help="seconds between polls (TOKI_JMA_POLL_INTERVAL, 60)")
        parser.add_argument("--second", type=float,
                            help="poll at this second of each interval (TOKI_JMA_POLL_SECOND, 20)")
        parser.add_argument("--feed", action="append", metavar="URL",
                            help="poll this high-frequency feed instead of TOKI_JMA_FEEDS (repeatable)")
        parser.add_argument("--long-feed", action="append", metavar="URL",
                            help="use this long feed instead of TOKI_JMA_LONG_FEEDS (repeatable)")
        parser.add_argument("--no-backfill", action="store_true",
                            help="never read the long feeds automatically")
        parser.add_argument("--min-gap", type=float,
                            help="skip a feed another poller polled less than this many seconds ago "
                                 "(default: half the interval, at most 30; 0 polls always)")

    def handle(self, *args, **options):
        self.stop = threading.Event()
        self.feeds = options["feed"] or config.feeds()
        self.long_feeds = options["long_feed"] or config.long_feeds()
        self.options = options
        interval = config.poll_interval() if options["interval"] is None else options["interval"]
        second = config.poll_second() if options["second"] is None else options["second"]
        if interval <= 0:
            raise CommandError("--interval must be positive")
        self.min_gap = min(interval / 2, 30.0) if options["min_gap"] is None else options["min_gap"]
        previous = {}
        if threading.current_thread() is threading.main_thread():  # signal handlers live in the main thread
            previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            if not options["loop"]:
                results = self.poll_once()
                if results and not any(r.status not in ("error", "stopped") for r in results):
                    raise CommandError(f"no feed could be read ({len(results)} tried)")
                return
            log.info("polling %d feed(s) every %g s at second %g", len(self.feeds), interval, second)
            while not self.stop.is_set():
                # A database restarted between polls must not break every later poll. Not inside a transaction
                # (a test's): there it would close the connection the transaction runs on.
                if not connection.in_atomic_block:
                    close_old_connections()
                self.poll_once()
                self.stop.wait(max(0.0, next_poll_at(time.time(), interval, second) - time.time()))
            log.info("stopped")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def poll_once(self):
        """One round: the long feeds if asked for or needed, then the high-frequency feeds."""
        if self.options["long"]:
            return poll_feeds(self.long_feeds, should_stop=self.stop.is_set, min_gap=self.min_gap)
        results = []
        if not self.options["no_backfill"]:
            backfill = feeds_needing_backfill(self.feeds, self.long_feeds)
            if backfill:
                log.info("back-fill: no successful poll in the last %g s; reading %d long feed(s) first",
                         config.backfill_after(), len(backfill))
                results += poll_feeds(backfill, should_stop=self.stop.is_set, min_gap=self.min_gap)
        return results + poll_feeds(self.feeds, should_stop=self.stop.is_set, min_gap=self.min_gap)

    def _on_signal(self, signum, frame):
        log.info("signal %d: stopping after the telegram in hand", signum)
        self.stop.set()
