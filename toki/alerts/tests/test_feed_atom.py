"""Atom feeds: JMA's entries are read oldest first; hostile or foreign documents are refused with the reason."""

from datetime import UTC, datetime, timedelta, timezone

from django.test import SimpleTestCase

from toki.alerts.feeds.atom import MAX_URL_LENGTH, FeedError, parse_feed
from toki.alerts.tests.jma_feed_server import BILLION_LAUGHS_FEED, FeedEntry, atom_feed

DATA = "https://www.data.jma.go.jp/developer/xml/data/"
T0 = datetime(2025, 6, 30, 4, 0, tzinfo=UTC)


def entry(n: int, **changes) -> FeedEntry:
    values = {"link": f"{DATA}2025063004{n:02d}00_0_VPWW54_150000.xml", "updated": T0 + timedelta(minutes=n),
              "title": "気象警報・注意報（Ｈ２７）", "author": "新潟地方気象台",
              "content": f"【新潟県気象警報・注意報】{n}", "id": f"urn:uuid:0000-{n}"}
    values.update(changes)
    return FeedEntry(**values)


def feed_with_entry_xml(entry_xml: str) -> bytes:
    good = atom_feed([entry(1)]).decode()
    return good.replace("</feed>", f"<entry>{entry_xml}</entry></feed>").encode()


class AtomFeedTests(SimpleTestCase):
    def test_it_reads_every_field_of_an_entry(self):
        feed = parse_feed(atom_feed([entry(1)], title="高頻度（随時）"))
        self.assertEqual(feed.title, "高頻度（随時）")
        (first,) = feed.entries
        self.assertEqual(first.link, f"{DATA}20250630040100_0_VPWW54_150000.xml")
        self.assertEqual(first.id, "urn:uuid:0000-1")
        self.assertEqual(first.title, "気象警報・注意報（Ｈ２７）")
        self.assertEqual(first.author, "新潟地方気象台")
        self.assertEqual(first.content, "【新潟県気象警報・注意報】1")
        self.assertEqual(first.updated, T0 + timedelta(minutes=1))
        self.assertEqual(feed.problems, ())

    def test_it_returns_the_entries_oldest_updated_first(self):
        jst = timezone(timedelta(hours=9))
        entries = [entry(3), entry(1, updated=(T0 + timedelta(minutes=1)).astimezone(jst)), entry(2)]
        feed = parse_feed(atom_feed(entries))
        self.assertEqual([e.content[-1] for e in feed.entries], ["1", "2", "3"])

    def test_it_keeps_jma_order_reversed_for_entries_of_the_same_second(self):
        same = T0 + timedelta(minutes=5)
        feed = parse_feed(atom_feed([entry(2, updated=same), entry(1, updated=same)]))  # newest listed first
        self.assertEqual([e.content[-1] for e in feed.entries], ["1", "2"])

    def test_it_lists_a_link_given_twice_once(self):
        feed = parse_feed(atom_feed([entry(1), entry(1, id="urn:uuid:again")]))
        self.assertEqual(len(feed.entries), 1)

    def test_it_refuses_a_billion_laughs_feed(self):
        with self.assertRaisesRegex(FeedError, "DOCTYPE found: DTDs and entity declarations are refused"):
            parse_feed(BILLION_LAUGHS_FEED)

    def test_it_refuses_an_external_entity(self):
        xxe = b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]><feed>&x;</feed>'
        with self.assertRaisesRegex(FeedError, "XML bomb guard"):
            parse_feed(xxe)

    def test_it_refuses_a_feed_in_another_namespace(self):
        with self.assertRaisesRegex(FeedError, "root element is <feed> in namespace http://purl.org/atom/ns#; "
                                               "expected <feed> in namespace http://www.w3.org/2005/Atom"):
            parse_feed(atom_feed([entry(1)], namespace="http://purl.org/atom/ns#"))

    def test_it_refuses_an_rss_document(self):
        with self.assertRaisesRegex(FeedError, r"root element is <rss> in namespace \(none\)"):
            parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>')

    def test_it_refuses_malformed_xml(self):
        with self.assertRaisesRegex(FeedError, "malformed XML: "):
            parse_feed(atom_feed([entry(1)])[:-40])

    def test_it_refuses_an_empty_document(self):
        with self.assertRaisesRegex(FeedError, "feed is empty"):
            parse_feed(b"  \n")

    def test_it_refuses_utf16(self):
        with self.assertRaisesRegex(FeedError, "not UTF-8"):
            parse_feed(atom_feed([entry(1)]).decode().replace("utf-8", "utf-16").encode("utf-16"))

    def test_it_refuses_a_feed_over_the_size_limit(self):
        with self.assertRaisesRegex(FeedError, "more than the limit of 100"):
            parse_feed(atom_feed([entry(1)]), max_bytes=100)

    def test_it_reports_an_entry_without_a_link_and_keeps_the_others(self):
        feed = parse_feed(feed_with_entry_xml("<id>urn:uuid:x</id><updated>2025-06-30T04:00:00Z</updated>"))
        self.assertEqual(len(feed.entries), 1)
        (problem,) = feed.problems
        self.assertEqual(problem.describe(), "entry 2 (urn:uuid:x): no <link> to the telegram")
        self.assertEqual(len(problem.sha256), 64)

    def test_it_reports_a_link_without_href(self):
        feed = parse_feed(feed_with_entry_xml('<updated>2025-06-30T04:00:00Z</updated><link type="application/xml"/>'))
        self.assertEqual(feed.problems[0].reason, "<link> has no href")

    def test_it_reports_a_link_that_is_not_http(self):
        feed = parse_feed(feed_with_entry_xml('<updated>2025-06-30T04:00:00Z</updated><link href="file:///etc/passwd"/>'))
        self.assertEqual(feed.problems[0].reason, "link 'file:///etc/passwd' is not an absolute http(s) URL")

    def test_it_reports_a_link_too_long_to_store(self):
        long_link = DATA + "x" * MAX_URL_LENGTH + ".xml"
        feed = parse_feed(feed_with_entry_xml(f'<updated>2025-06-30T04:00:00Z</updated><link href="{long_link}"/>'))
        self.assertIn(f"more than {MAX_URL_LENGTH}", feed.problems[0].reason)

    def test_it_reports_an_entry_without_updated(self):
        feed = parse_feed(feed_with_entry_xml(f'<link href="{DATA}a.xml"/>'))
        self.assertEqual(feed.problems[0].reason, "no <updated>")

    def test_it_reports_an_updated_that_is_not_a_date(self):
        feed = parse_feed(feed_with_entry_xml(f'<updated>yesterday</updated><link href="{DATA}a.xml"/>'))
        self.assertEqual(feed.problems[0].reason, "<updated> 'yesterday' is not an RFC 3339 date-time")

    def test_it_reports_an_updated_without_a_time_zone(self):
        feed = parse_feed(feed_with_entry_xml(f'<updated>2025-06-30T04:00:00</updated><link href="{DATA}a.xml"/>'))
        self.assertEqual(feed.problems[0].reason, "<updated> '2025-06-30T04:00:00' has no time zone")

    def test_it_uses_the_alternate_link_not_the_others(self):
        xml = (f'<updated>2025-06-30T04:00:00Z</updated><link rel="related" href="https://www.jma.go.jp/"/>'
               f'<link type="application/xml" href="{DATA}b.xml"/>')
        feed = parse_feed(feed_with_entry_xml(xml))
        self.assertIn(f"{DATA}b.xml", [e.link for e in feed.entries])
