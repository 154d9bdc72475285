"""What goes wrong on the way: each bad feed or telegram is quarantined or recorded with its reason, and the
poller goes on with the next telegram and the next feed."""

import socket
from datetime import timedelta

from django.test import override_settings

from toki.alerts.actions.telegrams import poll_feed, poll_feeds
from toki.alerts.models import JmaFeed, QuarantinedInput, Telegram
from toki.alerts.tests.jma_feed_server import (
    BILLION_LAUGHS_FEED,
    OTHER_SAMPLES,
    SADO_SAMPLES,
    T0,
    FeedServerMixin,
    atom_feed,
)
from toki.test import BaseTestCase

FEED = "/developer/xml/feed/extra.xml"
GOOD_FEED = "/developer/xml/feed/eqvol.xml"


def _t(minutes: int):
    return T0 + timedelta(minutes=minutes)


@override_settings(TOKI_JMA_TIMEOUT=0.5)
class PollErrorTests(FeedServerMixin, BaseTestCase):
    def poll(self, url: str):
        with self.captureOnCommitCallbacks(execute=True):
            return poll_feed(url)

    def poll_all(self, *urls: str):
        with self.captureOnCommitCallbacks(execute=True):
            return poll_feeds(urls)

    def good_feed(self) -> str:
        return self.server.publish_feed(GOOD_FEED, self.entries(SADO_SAMPLES[:1]))

    def assert_goes_on(self, bad_url: str) -> list:
        results = self.poll_all(bad_url, self.good_feed())
        self.assertEqual(results[1].new, 1)
        self.assertEqual(Telegram.objects.count(), 1)
        return results

    # --- feeds ---
    def test_it_quarantines_a_malformed_feed_with_the_reason_and_goes_on(self):
        url = self.server.put(FEED, atom_feed(self.entries(OTHER_SAMPLES))[:-30])
        bad, _good = self.assert_goes_on(url)
        row = QuarantinedInput.objects.get()
        self.assertEqual((row.kind, row.url), ("feed", url))
        self.assertRegex(row.reason, "^malformed XML: ")
        self.assertEqual((bad.status, bad.quarantined), ("quarantined", 1))
        self.assertEqual(JmaFeed.objects.get(url=url).last_error, f"feed quarantined: {row.reason}")

    def test_it_quarantines_a_billion_laughs_feed_and_goes_on(self):
        url = self.server.put(FEED, BILLION_LAUGHS_FEED)
        self.assert_goes_on(url)
        self.assertEqual(QuarantinedInput.objects.get().reason,
                         "<!DOCTYPE found: DTDs and entity declarations are refused (XML bomb guard)")

    def test_it_quarantines_a_feed_in_the_wrong_namespace_and_goes_on(self):
        url = self.server.put(FEED, atom_feed(self.entries(OTHER_SAMPLES), namespace="http://purl.org/atom/ns#"))
        self.assert_goes_on(url)
        self.assertIn("expected <feed> in namespace http://www.w3.org/2005/Atom", QuarantinedInput.objects.get().reason)
        self.assertEqual(self.server.hits(f"/developer/xml/data/{OTHER_SAMPLES[0]}"), 0)

    def test_it_quarantines_the_same_bad_feed_once_and_downloads_it_again_next_time(self):
        url = self.server.put(FEED, BILLION_LAUGHS_FEED)
        self.poll(url)
        second = self.poll(url)
        self.assertEqual(self.server.statuses(url), [200, 200])  # Last-Modified was not taken from a bad copy
        self.assertEqual((second.status, second.quarantined), ("quarantined", 0))
        self.assertEqual(QuarantinedInput.objects.count(), 1)

    def test_it_quarantines_an_entry_without_a_link_and_stores_the_others(self):
        feed = atom_feed(self.entries(SADO_SAMPLES[:1])).decode()
        no_link = "<entry><id>urn:uuid:1</id><updated>2025-06-30T03:00:00Z</updated></entry>"
        feed = feed.replace("</feed>", f"{no_link}</feed>")
        result = self.poll(self.server.put(FEED, feed.encode()))
        self.assertEqual((result.new, result.quarantined), (1, 1))
        self.assertEqual(QuarantinedInput.objects.get().reason, "entry 2 (urn:uuid:1): no <link> to the telegram")

    def test_it_records_a_feed_answering_500_and_goes_on(self):
        url = self.server.put(FEED, b"Internal error", status=500)
        (bad, _good) = self.assert_goes_on(url)
        self.assertEqual((bad.status, bad.http_status, bad.error), ("error", 500, "HTTP 500 Internal Server Error"))
        feed = JmaFeed.objects.get(url=url)
        self.assertEqual(feed.last_error, "HTTP 500 Internal Server Error")
        self.assertIsNotNone(feed.last_polled_at)
        self.assertIsNone(feed.last_success_at)
        self.assertEqual(QuarantinedInput.objects.count(), 0)  # nothing was received to keep

    def test_it_records_a_feed_that_times_out_and_goes_on(self):
        url = self.server.publish_feed(FEED, self.entries(OTHER_SAMPLES), delay=1.0)
        self.assert_goes_on(url)
        self.assertEqual(JmaFeed.objects.get(url=url).last_error, "timed out after 0.5 s")

    def test_it_records_a_feed_that_refuses_connections_and_goes_on(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{sock.getsockname()[1]}/feed.xml"
        self.assert_goes_on(url)
        self.assertEqual(JmaFeed.objects.get(url=url).last_error, "connection refused")

    # --- telegrams ---
    def test_it_quarantines_a_telegram_that_is_not_jma_xml_and_stores_the_next(self):
        bad = self.server.telegram(OTHER_SAMPLES[0], _t(0), name="bad.xml",
                                   body=b"<html><body>503 Service Unavailable</body></html>")
        (good,) = self.entries(SADO_SAMPLES[:1], start=_t(1))
        result = self.poll(self.server.publish_feed(FEED, [bad, good]))
        self.assertEqual((result.new, result.quarantined), (1, 1))
        row = QuarantinedInput.objects.get()
        self.assertEqual((row.kind, row.url), ("telegram", bad.link))
        self.assertIn("root element is <html>", row.reason)

    def test_it_never_fetches_a_quarantined_telegram_again(self):
        bad = self.server.telegram(OTHER_SAMPLES[0], _t(0), name="bad.xml", body=b"not xml at all")
        self.poll(self.server.publish_feed(FEED, [bad]))
        (new,) = self.entries(SADO_SAMPLES[:1], start=_t(1))
        result = self.poll(self.server.publish_feed(FEED, [bad, new]))
        self.assertEqual(self.server.hits(bad.link), 1)
        self.assertEqual((result.new, result.held), (1, 1))

    def test_it_retries_a_telegram_that_answered_500_on_the_next_poll_only(self):
        (broken, fine) = self.entries(SADO_SAMPLES[:2])
        path = broken.link.removeprefix(self.server.base_url)
        self.server.resource(path).status = 500
        url = self.server.publish_feed(FEED, [broken, fine])
        first = self.poll(url)
        self.assertEqual((first.new, first.failed), (1, 1))
        self.assertIn("HTTP 500 Internal Server Error", JmaFeed.objects.get().last_error)
        self.server.resource(path).status = 200
        second = self.poll(url)
        self.assertEqual(self.server.statuses(url), [200, 200])  # not a 304: the feed version was not done with
        self.assertEqual((second.new, second.held, second.failed), (1, 1, 0))
        self.assertEqual(self.server.hits(fine.link), 1)
        self.assertEqual(JmaFeed.objects.get().last_error, "")
        self.assertEqual(self.poll(url).status, "not-modified")

    def test_it_records_a_telegram_that_times_out_and_stores_the_next(self):
        (slow,) = self.entries(OTHER_SAMPLES[:1], delay=1.0)
        (fine,) = self.entries(SADO_SAMPLES[:1], start=_t(5))
        result = self.poll(self.server.publish_feed(FEED, [slow, fine]))
        self.assertEqual((result.new, result.failed), (1, 1))
        self.assertEqual(JmaFeed.objects.get().last_error, f"1 telegram(s) not fetched; first: {slow.link}: "
                                                           "timed out after 0.5 s")
        self.assertEqual(QuarantinedInput.objects.count(), 0)

    @override_settings(TOKI_JMA_MAX_TELEGRAM_BYTES=10_000)
    def test_it_quarantines_a_telegram_over_the_size_limit_and_does_not_retry_it(self):
        (big,) = self.entries(("15_14_01_170216_VPWW53.xml",))
        url = self.server.publish_feed(FEED, [big])
        result = self.poll(url)
        self.assertEqual((result.quarantined, result.failed), (1, 0))
        self.assertRegex(QuarantinedInput.objects.get().reason,
                         r"^download refused: response of \d+ bytes \(Content-Length\) is larger than the limit")
        self.assertEqual(self.poll(url).status, "not-modified")

