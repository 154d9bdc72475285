"""`make run` on another address (TOKI_RUN_ADDRESS): the links the demo sends out follow it (issue 14 item 12)."""

import subprocess
import sys
import tempfile

from django.conf import settings
from django.test import SimpleTestCase

from toki.demo.supervise import child_environment, site_url

PRINT_LINKS = ("from toki.alerts.cap.feed import feed_url; from toki.alerts.cap.build import portal_url; "
               "print(feed_url()); print(portal_url())")  # after shell's own start-up lines


class RunAddressTests(SimpleTestCase):
    def test_the_run_address_becomes_the_site_url(self):
        self.assertEqual(site_url("127.0.0.1:8123"), "http://127.0.0.1:8123")
        self.assertEqual(site_url("8123"), "http://127.0.0.1:8123")
        self.assertEqual(site_url("0.0.0.0:8123"), "http://127.0.0.1:8123")
        self.assertEqual(site_url("[::1]:8123"), "http://[::1]:8123")

    def test_a_site_url_set_by_hand_wins(self):
        env = child_environment({"TOKI_RUN_ADDRESS": "127.0.0.1:8123", "SITE_URL": "https://bousai.example.jp"})
        self.assertEqual(env["SITE_URL"], "https://bousai.example.jp")

    def test_the_cap_feed_of_a_demo_process_links_to_the_run_address(self):
        with tempfile.TemporaryDirectory() as var:
            env = child_environment({"PATH": "/usr/bin:/bin", "TOKI_RUN_ADDRESS": "127.0.0.1:8123",
                                     "TOKI_VAR_DIR": var})
            done = subprocess.run([sys.executable, "manage.py", "shell", "-c", PRINT_LINKS], env=env,
                                  cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120, check=True)
        self.assertEqual(done.stdout.split()[-2:], ["http://127.0.0.1:8123/cap/feed.atom", "http://127.0.0.1:8123/"])
