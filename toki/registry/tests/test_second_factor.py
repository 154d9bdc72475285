"""The registry's second factor through the URLconf: a registry user is sent to give a TOTP code before any
registry page; the first time the page enrols an authenticator (a real RFC 6238 code is computed here); a wrong
code lets nobody in; the verification expires; registry sessions are short; others get 404."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from toki.registry.second_factor import SESSION_KEY
from toki.test import BaseTestCase

FACTOR = "/registry/second-factor/"


def code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


class SecondFactorTests(BaseTestCase):
    def test_a_registry_user_is_asked_for_the_second_factor_first(self):
        self.login(self.alice)
        response = self.client.get(reverse("registry:index"))
        self.assertRedirects(response, f"{FACTOR}?next=%2Fregistry%2F", fetch_redirect_response=False)

    def test_the_first_time_it_enrols_an_authenticator_then_lets_her_in(self):
        self.login(self.alice)
        page = self.client.get(FACTOR, {"next": "/registry/safety/"})
        self.assertContains(page, "<svg")  # the QR code, drawn on the server
        device = TOTPDevice.objects.get(user=self.alice)
        self.assertFalse(device.confirmed)
        response = self.client.post(f"{FACTOR}?next=/registry/safety/", {"token": code(device)})
        self.assertContains(response, 'href="/registry/safety/"')  # after the recovery codes, shown once
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertEqual(200, self.client.get(reverse("registry:index")).status_code)
        self.assertLessEqual(self.client.session.get_expiry_age(), 30 * 60)  # a short session

    def test_a_wrong_code_lets_nobody_in(self):
        self.login(self.alice)
        self.client.get(FACTOR)
        device = TOTPDevice.objects.get(user=self.alice)
        wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
        self.assertEqual(400, self.client.post(FACTOR, {"token": wrong}).status_code)
        self.assertEqual(400, self.client.post(FACTOR, {"token": "12ab56"}).status_code)
        self.assertEqual(302, self.client.get(reverse("registry:index")).status_code)

    def test_the_verification_expires(self):
        self.login(self.alice)
        self.client.get(FACTOR)
        device = TOTPDevice.objects.get(user=self.alice)
        self.client.post(FACTOR, {"token": code(device)})
        session = self.client.session
        session[SESSION_KEY] = {**session[SESSION_KEY], "at": (timezone.now() - timedelta(hours=9)).isoformat()}
        session.save()
        self.assertEqual(302, self.client.get(reverse("registry:index")).status_code)

    def test_it_never_sends_her_outside_the_registry(self):
        self.login(self.alice)
        self.client.get(FACTOR)
        device = TOTPDevice.objects.get(user=self.alice)
        response = self.client.post(f"{FACTOR}?next=https://evil.example/", {"token": code(device)})
        self.assertContains(response, '<a class="button" href="/registry/">')  # the way on, after the codes

    def test_people_without_a_registry_role_get_404(self):
        for persona in (self.bob, self.carol, self.eve):
            self.login(persona)
            self.assertEqual(404, self.client.get(FACTOR).status_code)
            self.assertEqual(404, self.client.get(reverse("registry:index")).status_code)
        self.assertFalse(TOTPDevice.objects.exists())
