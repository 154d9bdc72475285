import os
from unittest import mock

from django.test import RequestFactory, SimpleTestCase, override_settings

from toki.lib.client_address import client_address
from toki.lib.env import EnvError, env_networks


def request(remote_addr, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


class ClientAddressTests(SimpleTestCase):
    def test_it_uses_remote_addr_of_a_direct_client_and_ignores_its_headers(self):
        self.assertEqual(client_address(request("198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.1",
                                                HTTP_X_REAL_IP="192.0.2.2")), "198.51.100.7")

    def test_it_believes_the_local_proxy(self):
        self.assertEqual(client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1")), "192.0.2.1")
        self.assertEqual(client_address(request("::1", HTTP_X_REAL_IP="192.0.2.2")), "192.0.2.2")

    def test_it_prefers_x_forwarded_for_to_x_real_ip(self):
        self.assertEqual(client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1",
                                                HTTP_X_REAL_IP="192.0.2.2")), "192.0.2.1")

    @override_settings(TOKI_TRUSTED_PROXIES=["127.0.0.1/32", "10.0.0.0/8"])
    def test_it_skips_trusted_hops_from_the_right(self):
        self.assertEqual(client_address(request(
            "127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.1, 10.0.0.5")), "192.0.2.1")

    @override_settings(TOKI_TRUSTED_PROXIES=["127.0.0.1/32", "10.0.0.0/8"])
    def test_it_stops_at_a_malformed_hop(self):
        self.assertEqual(client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip, 10.0.0.5")),
                         "10.0.0.5")

    def test_it_keeps_the_proxy_when_the_headers_are_missing_or_garbage(self):
        self.assertEqual(client_address(request("127.0.0.1")), "127.0.0.1")
        self.assertEqual(client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="<script>")), "127.0.0.1")

    def test_it_collapses_ipv6_to_its_64(self):
        self.assertEqual(client_address(request("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64")
        self.assertEqual(client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="[2001:db8:1:2::9]:5555")),
                         "2001:db8:1:2::/64")

    def test_it_treats_ipv4_mapped_ipv6_as_ipv4(self):
        self.assertEqual(client_address(request("::ffff:198.51.100.7")), "198.51.100.7")

    def test_it_returns_empty_without_a_usable_remote_addr(self):
        self.assertEqual(client_address(request("")), "")


class EnvNetworksTests(SimpleTestCase):
    def test_it_normalises_networks(self):
        with mock.patch.dict(os.environ, {"TOKI_TEST_NETS": "127.0.0.1, 10.1.2.3/8,::1"}):
            self.assertEqual(env_networks("TOKI_TEST_NETS", []), ["127.0.0.1/32", "10.0.0.0/8", "::1/128"])

    def test_it_names_the_variable_and_the_bad_item(self):
        with mock.patch.dict(os.environ, {"TOKI_TEST_NETS": "127.0.0.1,nginx"}), \
                self.assertRaisesMessage(EnvError, "TOKI_TEST_NETS: 'nginx'"):
            env_networks("TOKI_TEST_NETS", [])


class NginxSetsTheClientAddressTests(SimpleTestCase):
    def test_it_overwrites_both_headers_in_the_documented_nginx(self):
        from pathlib import Path

        conf = (Path(__file__).resolve().parents[3] / "deploy" / "nginx" / "toki.conf").read_text(encoding="utf-8")
        self.assertRegex(conf, r"\n    proxy_set_header X-Forwarded-For \$remote_addr;")
        self.assertRegex(conf, r"\n    proxy_set_header X-Real-IP \$remote_addr;")
