"""The HTTP client against a local server: conditional GET, gzip, caps, timeouts; one error type with the reason."""

import socket

from django.test import SimpleTestCase

from toki.alerts.feeds.http import DEFAULT_USER_AGENT, FetchError, fetch
from toki.alerts.tests.jma_feed_server import FeedServer, http_date

BODY = b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"/>'


class FetchTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = FeedServer().start()
        cls.addClassCleanup(cls.server.stop)

    def setUp(self):
        self.server.reset()

    def test_it_returns_the_body_and_the_last_modified(self):
        url = self.server.put("/feed/extra.xml", BODY)
        response = fetch(url)
        self.assertEqual((response.status, response.body), (200, BODY))
        self.assertEqual(response.last_modified, http_date(self.server.clock))
        self.assertFalse(response.not_modified)

    def test_it_sends_if_modified_since_and_reads_a_304(self):
        url = self.server.put("/feed/extra.xml", BODY)
        first = fetch(url)
        second = fetch(url, if_modified_since=first.last_modified)
        self.assertTrue(second.not_modified)
        self.assertEqual(second.body, b"")
        self.assertEqual(self.server.requests[-1].headers["If-Modified-Since"], first.last_modified)
        self.assertEqual(self.server.statuses(url), [200, 304])

    def test_it_gets_the_new_version_after_a_change(self):
        url = self.server.put("/feed/extra.xml", BODY)
        first = fetch(url)
        self.server.put("/feed/extra.xml", BODY + b" ")
        self.assertEqual(fetch(url, if_modified_since=first.last_modified).body, BODY + b" ")

    def test_it_names_toki_in_the_user_agent(self):
        url = self.server.put("/feed/extra.xml", BODY)
        fetch(url)
        self.assertEqual(self.server.requests[0].headers["User-Agent"], DEFAULT_USER_AGENT)
        self.assertIn("Toki", DEFAULT_USER_AGENT)

    def test_it_asks_for_gzip_and_decompresses_it(self):
        url = self.server.put("/feed/extra.xml", BODY, gzip=True)
        self.assertEqual(fetch(url).body, BODY)
        self.assertIn("gzip", self.server.requests[0].headers["Accept-Encoding"])

    def test_it_refuses_a_body_announced_over_the_cap(self):
        url = self.server.put("/data/big.xml", b"x" * 2000)
        with self.assertRaisesRegex(FetchError, "response of 2000 bytes \\(Content-Length\\) is larger than the "
                                                "limit of 1000 bytes") as caught:
            fetch(url, max_bytes=1000)
        self.assertTrue(caught.exception.permanent)

    def test_it_refuses_a_body_over_the_cap_without_content_length(self):
        url = self.server.put("/data/big.xml", b"x" * 200_000, send_length=False)
        with self.assertRaisesRegex(FetchError, "response is larger than the limit of 100000 bytes"):
            fetch(url, max_bytes=100_000)

    def test_it_refuses_a_gzip_bomb(self):
        url = self.server.put("/data/bomb.xml", b"\0" * 5_000_000, gzip=True)  # about 5 kB on the wire
        with self.assertRaisesRegex(FetchError, "decompressed response is larger than the limit of 1000000 bytes"):
            fetch(url, max_bytes=1_000_000)

    def test_it_reports_an_http_500(self):
        url = self.server.put("/feed/extra.xml", b"oops", status=500)
        with self.assertRaisesRegex(FetchError, "^HTTP 500 Internal Server Error$") as caught:
            fetch(url)
        self.assertEqual(caught.exception.status, 500)
        self.assertFalse(caught.exception.permanent)

    def test_it_reports_an_http_404(self):
        with self.assertRaisesRegex(FetchError, "^HTTP 404 Not Found$"):
            fetch(self.server.url("/nothing.xml"))

    def test_it_reports_a_timeout(self):
        url = self.server.put("/feed/extra.xml", BODY, delay=1.0)
        with self.assertRaisesRegex(FetchError, "^timed out after 0.3 s$"):
            fetch(url, timeout=0.3)

    def test_it_reports_a_refused_connection(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with self.assertRaisesRegex(FetchError, "^connection refused$"):
            fetch(f"http://127.0.0.1:{port}/feed/extra.xml")

    def test_it_refuses_a_url_that_is_not_http(self):
        with self.assertRaisesRegex(FetchError, "not an http\\(s\\) URL: 'file:///etc/passwd'"):
            fetch("file:///etc/passwd")
