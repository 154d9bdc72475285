from django.test import Client

from toki.community.devices import COOKIE
from toki.community.models import Device
from toki.community.tests.support import CommunityTestCase


class EnrolmentTests(CommunityTestCase):
    def test_it_enrols_a_tablet_with_the_one_time_qr(self):
        link = self.enrol_link(self.hana)
        device = Client()
        self.assertContains(device.get(link), self.hana.label)
        response = device.post(link)
        self.assertRedirects(response, "/tablet/", fetch_redirect_response=False)
        self.assertContains(device.get("/tablet/"), self.hana.label)
        self.assertEqual(Device.objects.filter(household=self.hana).count(), 1)

    def test_it_refuses_a_used_code(self):
        link = self.enrol_link(self.hana)
        Client().post(link)
        self.assertEqual(Client().post(link).status_code, 404)
        self.assertEqual(Client().get(link).status_code, 404)

    def test_it_keeps_only_the_hash_of_the_cookie(self):
        device = self.tablet(self.hana)
        secret = device.cookies[COOKIE].value
        self.assertFalse(Device.objects.filter(token_sha256=secret).exists())
        self.assertTrue(device.cookies[COOKIE]["httponly"])

    def test_it_shows_the_not_set_up_page_without_a_device(self):
        for url in ("/tablet/", "/tablet/items/", "/tablet/alert/", "/tablet/family/", "/tablet/search/"):
            self.assertContains(Client().get(url), "QR", status_code=403)
        self.assertEqual(Client().get("/tablet/poll.json").status_code, 403)

    def test_it_lets_the_tablet_invite_a_family_member(self):
        tablet = self.tablet(self.hana)
        response = tablet.post("/tablet/family/", {"name": "佐渡 太郎"})
        link = response.content.decode().split("/tablet/enrol/")[0]
        self.assertIn("<svg", response.content.decode())
        self.assertTrue(link)
        member = self.hana.members.get(is_family=True)
        self.assertEqual(member.name, "佐渡 太郎")

    def test_it_enrols_a_family_phone_with_its_own_code(self):
        phone = self.tablet(self.hana, family_name="佐渡 次郎")
        device = Device.objects.get(household=self.hana, member__name="佐渡 次郎")
        self.assertTrue(device.is_family)
        self.assertTrue(phone.get("/tablet/").context["device"].is_family)

    def test_it_lets_only_the_household_tablet_invite_family(self):
        phone = self.tablet(self.hana, family_name="佐渡 次郎")
        self.assertEqual(phone.post("/tablet/family/", {"name": "他人"}).status_code, 403)
        self.assertFalse(self.hana.members.filter(name="他人").exists())

    def test_it_signs_a_device_out_remotely(self):
        tablet = self.tablet(self.hana)
        device = Device.objects.get(household=self.hana)
        staff = Client()
        staff.force_login(self.alice)
        staff.post(f"/community/devices/{device.pk}/sign-out/")
        self.assertEqual(tablet.get("/tablet/").status_code, 403)
        self.assertEqual(tablet.get("/tablet/poll.json").status_code, 403)
