"""The public 安否 search behind the documented nginx: its limit must follow the reader, not the proxy (issue 13,
finding 1). nginx connects from 127.0.0.1 and overwrites X-Forwarded-For and X-Real-IP with the reader's
address (deploy/nginx/toki.conf)."""

from django.test import override_settings
from django.urls import reverse

from toki.shelters.actions.households import SAFETY_SEARCH_LIMIT
from toki.shelters.tests.world import ShelterWorldMixin, register_and_check_in
from toki.test import BaseTestCase

SHELTER = "両津小学校体育館"


class SafetySearchBehindProxyTests(ShelterWorldMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_shelter_world()
        register_and_check_in(cls.carol, cls.opening, disclosure="yes")

    def search(self, reader: str, *, remote_addr="127.0.0.1", forwarded: str | None = None):
        """A search as nginx passes it on: from loopback, with the reader's address in both headers."""
        return self.client.post(reverse("portal:safety_search"), {"name": "サド ハナコ", "birth_date": "1948-04-02"},
                                REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded or reader,
                                HTTP_X_REAL_IP=reader)

    def test_it_keeps_answering_others_after_one_reader_used_up_their_searches(self):
        for _ in range(SAFETY_SEARCH_LIMIT):
            self.assertContains(self.search("198.51.100.7"), SHELTER)
        self.assertEqual(self.search("198.51.100.7").status_code, 429)
        self.assertContains(self.search("203.0.113.20"), SHELTER)

    def test_it_limits_a_reader_who_writes_a_new_forwarded_address_each_time(self):
        # nginx appends nothing here: a client talking to gunicorn directly (not a trusted proxy) cannot choose
        # its key by writing the header itself.
        for n in range(SAFETY_SEARCH_LIMIT):
            self.assertEqual(self.search(f"192.0.2.{n}", remote_addr="198.51.100.7").status_code, 200)
        self.assertEqual(self.search("192.0.2.99", remote_addr="198.51.100.7").status_code, 429)

    def test_it_takes_the_rightmost_untrusted_hop_of_a_forwarded_chain(self):
        # A client's own "X-Forwarded-For: <made up>" is kept by a proxy that appends: only the hop the proxy
        # added names the client.
        for n in range(SAFETY_SEARCH_LIMIT):
            self.assertEqual(self.search("198.51.100.7", forwarded=f"10.9.9.{n}, 198.51.100.7").status_code, 200)
        self.assertEqual(self.search("198.51.100.7", forwarded="10.9.9.99, 198.51.100.7").status_code, 429)

    def test_it_counts_an_ipv6_reader_by_their_64(self):
        for n in range(SAFETY_SEARCH_LIMIT):
            self.assertEqual(self.search(f"2001:db8:1:2::{n + 1:x}").status_code, 200)
        self.assertEqual(self.search("2001:db8:1:2:ffff::1").status_code, 429)
        self.assertEqual(self.search("2001:db8:1:3::1").status_code, 200)

    @override_settings(TOKI_SAFETY_SEARCH_GLOBAL_LIMIT=3)
    def test_it_keeps_a_budget_for_everyone_together_as_a_second_layer(self):
        for n in range(3):
            self.assertEqual(self.search(f"198.51.100.{n}").status_code, 200)
        self.assertEqual(self.search("198.51.100.50").status_code, 429)

    @override_settings(TOKI_TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_it_believes_only_the_configured_proxies(self):
        for _ in range(SAFETY_SEARCH_LIMIT):
            self.search("198.51.100.7", remote_addr="10.1.2.3")
        self.assertEqual(self.search("198.51.100.7", remote_addr="10.1.2.3").status_code, 429)
        self.assertEqual(self.search("203.0.113.20", remote_addr="10.1.2.3").status_code, 200)
        # From loopback the headers are no longer believed: every such request is one client, 127.0.0.1.
        for n in range(SAFETY_SEARCH_LIMIT):
            self.search(f"192.0.2.{n}")
        self.assertEqual(self.search("192.0.2.99").status_code, 429)
