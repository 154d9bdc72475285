"""poll_feed against a local JMA stand-in: every telegram is stored once, processing is enqueued on commit for
the municipality's telegrams only, and nothing already held is downloaded again."""

from datetime import timedelta
from unittest import mock

from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from toki.accounts.models import AuditEvent
from toki.alerts.actions import telegrams
from toki.alerts.actions.telegrams import poll_feed
from toki.alerts.models import JmaFeed, QuarantinedInput, Telegram
from toki.alerts.tests.jma_feed_server import OTHER_SAMPLES, SADO_SAMPLES, T0, FeedServerMixin, http_date
from toki.test import DATABASE_TASKS, BaseTestCase

FEED = "/developer/xml/feed/extra.xml"


def enqueued_ids() -> list[int]:
    rows = DBTaskResult.objects.filter(task_path="toki.alerts.tasks.process_telegram").order_by("enqueued_at")
    return [row.args_kwargs["args"][0] for row in rows]


@override_settings(TOKI_JMA_TIMEOUT=0.5, TASKS=DATABASE_TASKS)
class PollFeedTests(FeedServerMixin, BaseTestCase):
    def publish(self, samples=SADO_SAMPLES + OTHER_SAMPLES, **options) -> str:
        return self.server.publish_feed(FEED, self.entries(samples), **options)

    def poll(self, url: str):
        with self.captureOnCommitCallbacks(execute=True):
            return poll_feed(url)

    def test_it_stores_every_telegram_of_a_new_feed(self):
        result = self.poll(self.publish())
        self.assertEqual((result.status, result.entries, result.new, result.held), ("ok", 6, 6, 0))
        self.assertEqual(Telegram.objects.count(), 6)
        for name in SADO_SAMPLES + OTHER_SAMPLES:
            self.assertEqual(self.server.hits(f"/developer/xml/data/{name}"), 1)

    def test_it_keeps_the_raw_body_its_hash_and_the_parse(self):
        self.poll(self.publish(("32-35_06_03_240613_VXSE53.xml",)))
        telegram = Telegram.objects.get()
        raw = self.server.resource("/developer/xml/data/32-35_06_03_240613_VXSE53.xml").body
        self.assertEqual(telegram.body.encode("utf-8"), raw)
        self.assertEqual(len(telegram.sha256), 64)
        self.assertEqual((telegram.type_code, telegram.status, telegram.info_type), ("VXSE53", "通常", "発表"))
        self.assertEqual(telegram.parsed["title"], telegram.title)
        self.assertTrue(telegram.concerns)
        self.assertIn("earthquake_region", {area["key"] for area in telegram.matched_areas})
        self.assertIsNone(telegram.processed_at)

    def test_it_enqueues_processing_only_for_telegrams_that_concern_sado(self):
        result = self.poll(self.publish())
        sado = Telegram.objects.filter(concerns=True)
        self.assertEqual(sorted(sado.values_list("url", flat=True)),
                         sorted(self.server.url(f"/developer/xml/data/{name}") for name in SADO_SAMPLES))
        self.assertEqual(enqueued_ids(), list(sado.order_by("id").values_list("id", flat=True)))
        self.assertEqual(result.relevant, 3)

    def test_it_enqueues_nothing_before_commit(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            poll_feed(self.publish())
            self.assertEqual(DBTaskResult.objects.count(), 0)
        self.assertEqual(len(callbacks), 3)

    def test_it_gets_a_304_and_fetches_nothing_when_the_feed_is_unchanged(self):
        url = self.publish()
        self.poll(url)
        result = self.poll(url)
        self.assertEqual((result.status, result.http_status, result.new), ("not-modified", 304, 0))
        self.assertEqual(self.server.statuses(url), [200, 304])
        self.assertEqual(len(self.server.paths()), 1 + 6 + 1)  # feed, six telegrams, feed again

    def test_it_fetches_exactly_one_telegram_for_one_new_entry(self):
        entries = self.entries(SADO_SAMPLES)
        url = self.server.publish_feed(FEED, entries)
        self.poll(url)
        self.server.reset_counts()
        new = self.server.telegram(OTHER_SAMPLES[0], T0 + timedelta(minutes=10))
        self.server.publish_feed(FEED, [*entries, new])
        result = self.poll(url)
        self.assertEqual((result.new, result.held), (1, 3))
        self.assertEqual(self.server.paths(), [FEED, f"/developer/xml/data/{OTHER_SAMPLES[0]}"])

    def test_it_never_fetches_a_telegram_already_held(self):
        (held, new) = self.entries(SADO_SAMPLES[:2])
        body = self.server.resource(held.link.removeprefix(self.server.base_url)).body
        telegrams.store_telegram(held.link, body, fetched_at=T0)
        result = self.poll(self.server.publish_feed(FEED, [held, new]))
        self.assertEqual(self.server.hits(held.link), 0)
        self.assertEqual(self.server.hits(new.link), 1)
        self.assertEqual((result.new, result.held), (1, 1))

    def test_it_records_the_poll_on_the_feed_row(self):
        url = self.publish()
        self.poll(url)
        feed = JmaFeed.objects.get(url=url)
        self.assertEqual(feed.last_modified, http_date(self.server.resource(FEED).last_modified))
        self.assertIsNotNone(feed.last_success_at)
        self.assertEqual(feed.last_polled_at, feed.last_success_at)
        self.assertEqual(feed.last_error, "")

    def test_it_sends_the_stored_last_modified_as_if_modified_since(self):
        url = self.publish()
        self.poll(url)
        self.poll(url)
        self.assertEqual(self.server.requests[-1].headers["If-Modified-Since"], JmaFeed.objects.get().last_modified)

    def test_it_writes_an_audit_event_for_each_stored_telegram(self):
        self.poll(self.publish())
        events = AuditEvent.objects.filter(action="alerts.store_telegram")
        self.assertEqual(events.count(), 6)
        stored = {str(pk) for pk in Telegram.objects.values_list("id", flat=True)}
        self.assertEqual({e.object_id for e in events}, stored)
        self.assertTrue(all(e.actor_id is None for e in events))

    def test_it_stores_the_entries_oldest_first(self):
        result = self.poll(self.publish())
        by_id = list(Telegram.objects.order_by("id").values_list("url", flat=True))
        self.assertEqual(by_id, [self.server.url(f"/developer/xml/data/{n}") for n in SADO_SAMPLES + OTHER_SAMPLES])
        self.assertEqual(result.telegram_ids, sorted(result.telegram_ids))

    def test_it_logs_one_line_per_poll(self):
        url = self.publish()
        with self.assertLogs("toki.alerts.poll", "INFO") as logs:
            self.poll(url)
        (line,) = [m for m in logs.output if "poll feed=" in m]
        self.assertIn(f"feed={url} status=ok http=200 entries=6 new=6 relevant=3 held=0 quarantined=0 failed=0", line)

    def test_it_lets_one_of_two_pollers_poll_at_a_time(self):
        url = self.publish()
        self.poll(url)
        with self.captureOnCommitCallbacks(execute=True):
            second = poll_feed(url, min_gap=30)
        self.assertEqual(second.status, "skipped")
        self.assertEqual(self.server.hits(url), 1)

    def test_it_stops_between_telegrams_when_asked(self):
        url = self.publish()
        calls = iter([False, True])
        with self.captureOnCommitCallbacks(execute=True):
            result = poll_feed(url, should_stop=lambda: next(calls, True))
        self.assertEqual((result.status, result.new), ("stopped", 1))
        self.assertEqual(JmaFeed.objects.get().last_modified, "")  # the rest is fetched next time


@override_settings(TASKS=DATABASE_TASKS)
class StoreTelegramTests(FeedServerMixin, BaseTestCase):
    URL = "https://www.data.jma.go.jp/developer/xml/data/20250630030000_0_VXSE53_010000.xml"

    def body(self, name=SADO_SAMPLES[0]) -> bytes:
        from toki.alerts.tests.jma_feed_server import sample_bytes

        return sample_bytes(name)

    def test_it_stores_the_same_url_once(self):
        with self.captureOnCommitCallbacks(execute=True):
            first = telegrams.store_telegram(self.URL, self.body(), fetched_at=T0)
            second = telegrams.store_telegram(self.URL, self.body(), fetched_at=T0 + timedelta(minutes=1))
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(Telegram.objects.count(), 1)
        self.assertEqual(enqueued_ids(), [first.pk])
        self.assertEqual(AuditEvent.objects.filter(action="alerts.store_telegram").count(), 1)

    def test_it_is_a_no_op_when_another_poller_commits_the_url_first(self):
        with self.captureOnCommitCallbacks(execute=True):
            other = telegrams.store_telegram(self.URL, self.body(), fetched_at=T0)
        # This poller looked before the other one committed: it does not see the row, its INSERT then fails.
        real_held = telegrams._held
        with mock.patch.object(telegrams, "_held", side_effect=[None, real_held(self.URL)]), \
                self.captureOnCommitCallbacks(execute=True):
            mine = telegrams.store_telegram(self.URL, self.body(), fetched_at=T0)
        self.assertEqual(mine.pk, other.pk)
        self.assertEqual(enqueued_ids(), [other.pk])
        self.assertEqual(AuditEvent.objects.filter(action="alerts.store_telegram").count(), 1)

    def test_it_stores_a_telegram_that_does_not_concern_sado_without_enqueueing(self):
        with self.captureOnCommitCallbacks(execute=True):
            telegram = telegrams.store_telegram(self.URL, self.body(OTHER_SAMPLES[0]), fetched_at=T0)
        self.assertFalse(telegram.concerns)
        self.assertEqual(telegram.matched_areas, [])
        self.assertEqual(enqueued_ids(), [])

    def test_it_quarantines_a_body_that_is_not_jma_xml(self):
        html = b"<!doctype html><html><body>Service unavailable</body></html>"
        self.assertIsNone(telegrams.store_telegram(self.URL, html, fetched_at=T0))
        row = QuarantinedInput.objects.get()
        self.assertEqual((row.kind, row.url), ("telegram", self.URL))
        self.assertIn("malformed XML", row.reason)
        self.assertEqual(row.sample, html.decode())
        self.assertEqual(len(row.sha256), 64)
        self.assertEqual(Telegram.objects.count(), 0)
        self.assertTrue(AuditEvent.objects.filter(action="alerts.quarantine_input", object_id=str(row.pk)).exists())

    def test_it_quarantines_xml_that_is_not_a_jma_report(self):
        telegrams.store_telegram(self.URL, b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>',
                                 fetched_at=T0)
        self.assertIn("root element is <feed>", QuarantinedInput.objects.get().reason)

    def test_it_quarantines_a_telegram_url_once(self):
        telegrams.store_telegram(self.URL, b"not xml", fetched_at=T0)
        telegrams.store_telegram(self.URL, b"still not xml", fetched_at=T0)
        self.assertEqual(QuarantinedInput.objects.count(), 1)

    def test_it_quarantines_a_telegram_the_parser_crashes_on_and_goes_on(self):
        with mock.patch.object(telegrams, "parse_telegram", side_effect=RuntimeError("boom")), \
                self.assertLogs("toki.alerts.poll", "ERROR"):
            self.assertIsNone(telegrams.store_telegram(self.URL, self.body(), fetched_at=T0))
        self.assertEqual(QuarantinedInput.objects.get().reason, "parser failed: RuntimeError: boom")

    def test_it_quarantines_a_field_too_long_to_store(self):
        body = self.body().replace(b"<Serial>1</Serial>", f"<Serial>{'9' * 30}</Serial>".encode())
        self.assertIsNone(telegrams.store_telegram(self.URL, body, fetched_at=T0))
        self.assertIn("serial '999", QuarantinedInput.objects.get().reason)
        self.assertIn("is longer than 20 characters", QuarantinedInput.objects.get().reason)
