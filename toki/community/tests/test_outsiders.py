"""Every staff page refuses eve (no role), a 自治会 leader where it is the city's, and the anonymous public."""

from django.test import Client

from toki.community.models import Device, Item, WatchFlag
from toki.community.tests.support import CommunityTestCase


class OutsiderTests(CommunityTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = Item.objects.create(municipality=cls.municipality, kind="circular", jichikai=cls.ebisu,
                                       title="t", body="b", published_at="2026-12-01T00:00:00Z",
                                       published_by=cls.kenji)
        cls.flag = WatchFlag.objects.create(household=cls.hana, stage="call", raised_at="2026-12-01T00:00:00Z")

    def urls(self):
        h = self.hana.pk
        device = Device.objects.create(household=self.hana, token_sha256="x" * 64)
        return {
            "get": ["/community/", "/community/households/", f"/community/households/{h}/", "/community/items/",
                    f"/community/items/{self.item.pk}/", "/community/watch/", "/community/fleet/"],
            "post": [f"/community/households/{h}/enrol/", f"/community/households/{h}/note/",
                     f"/community/households/{h}/watch/", f"/community/devices/{device.pk}/sign-out/",
                     f"/community/watch/{self.flag.pk}/resolve/"],
        }

    def test_it_refuses_eve_every_staff_page(self):
        client = Client()
        client.force_login(self.eve)
        urls = self.urls()
        for url in urls["get"]:
            self.assertIn(client.get(url).status_code, (403, 404), url)
        for url in urls["post"]:
            self.assertIn(client.post(url, {"text": "x", "resolution": "x"}).status_code, (403, 404), url)
        self.assertFalse(self.hana.help_notes.exists())

    def test_it_refuses_a_leader_the_city_pages(self):
        client = Client()
        client.force_login(self.kenji)
        for url in ("/community/households/", f"/community/households/{self.hana.pk}/", "/community/fleet/",
                    "/community/watch/"):
            self.assertIn(client.get(url).status_code, (403, 404), url)
        self.assertEqual(client.post(f"/community/households/{self.hana.pk}/enrol/").status_code, 404)

    def test_it_sends_the_anonymous_to_log_in(self):
        for url in self.urls()["get"]:
            self.assertEqual(Client().get(url).status_code, 302, url)

    def test_it_refuses_every_tablet_action_without_a_device(self):
        client = Client()
        for url in (f"/tablet/items/{self.item.pk}/seen/", f"/tablet/items/{self.item.pk}/attend/", "/tablet/reply/",
                    "/tablet/well/", "/tablet/push/subscribe/"):
            self.assertEqual(client.post(url, {"status": "safe", "answer": "yes"}).status_code, 403, url)
        self.assertFalse(self.item.receipts.exists())
