"""Recovery codes and the administrators' reset, through the URLconf: codes shown once after enrolment, each opens
the second factor once, kept hashed, new ones void the old; an administrator resets a lost authenticator with a
reason and their own code again (audited, never their own); everyone else gets 404."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from toki.accounts.models import AuditEvent
from toki.registry.models import RecoveryCode
from toki.registry.second_factor import SESSION_KEY
from toki.registry.tests.helpers import RegistryLoginMixin
from toki.registry.tests.test_second_factor import FACTOR, code
from toki.test import BaseTestCase

CODES = reverse("registry:recovery_codes")
RESET = reverse("registry:second_factor_reset")


def codes_on(page) -> list[str]:
    html = page.content.decode()
    block = html[html.index('id="recovery-codes"'):html.index("</ol>")]
    return [part.split("</code>")[0] for part in block.split("<code>")[1:]]


class RecoveryCodeTests(BaseTestCase):
    def enrol(self, user) -> list[str]:
        self.login(user)
        self.client.get(FACTOR)
        device = TOTPDevice.objects.get(user=user)
        page = self.client.post(FACTOR, {"token": code(device)})
        self.assertEqual(200, page.status_code)
        return codes_on(page)

    def forget_the_factor(self):
        session = self.client.session
        del session[SESSION_KEY]
        session.save()

    def test_enrolment_shows_ten_codes_once_kept_hashed(self):
        codes = self.enrol(self.alice)
        self.assertEqual(10, len(set(codes)))
        stored = set(RecoveryCode.objects.filter(user=self.alice).values_list("code_hash", flat=True))
        self.assertEqual(10, len(stored))
        self.assertFalse({c.replace("-", "") for c in codes} & stored)
        self.assertNotContains(self.client.get(CODES), codes[0])  # never shown again
        self.assertContains(self.client.get(CODES), "10")

    def test_a_code_opens_the_register_once(self):
        codes = self.enrol(self.alice)
        self.forget_the_factor()
        self.assertEqual(302, self.client.get(reverse("registry:index")).status_code)
        answer = self.client.post(f"{FACTOR}?next=/registry/", {"recovery_code": f"  {codes[3].upper()} "})
        self.assertRedirects(answer, "/registry/", fetch_redirect_response=False)
        self.assertEqual(200, self.client.get(reverse("registry:index")).status_code)
        self.assertTrue(AuditEvent.objects.filter(action="registry.recovery_code_used",
                                                  changes__remaining=9).exists())
        self.forget_the_factor()
        self.assertEqual(400, self.client.post(FACTOR, {"recovery_code": codes[3]}).status_code)  # spent
        self.assertEqual(400, self.client.post(FACTOR, {"recovery_code": "abcde-fghjk"}).status_code)
        self.assertEqual(302, self.client.get(reverse("registry:index")).status_code)

    def test_new_codes_void_the_old(self):
        old = self.enrol(self.alice)
        new = codes_on(self.client.post(CODES))
        self.assertEqual(10, len(new))
        self.assertFalse(set(old) & set(new))
        self.forget_the_factor()
        self.assertEqual(302, self.client.post(FACTOR, {"recovery_code": new[0]}).status_code)
        self.forget_the_factor()
        self.assertEqual(400, self.client.post(FACTOR, {"recovery_code": old[0]}).status_code)

    def test_wrong_codes_are_throttled(self):
        codes = self.enrol(self.alice)
        self.forget_the_factor()
        with freeze_time(timezone.now()):  # no time passes: the throttle's wait (1 s after one failure) holds
            self.client.post(FACTOR, {"recovery_code": "wrong-wrong"})
            self.assertEqual(1, TOTPDevice.objects.get(user=self.alice).throttling_failure_count)
            self.assertEqual(400, self.client.post(FACTOR, {"recovery_code": codes[0]}).status_code)  # wait now
        self.assertEqual(10, RecoveryCode.objects.filter(used_at__isnull=True).count())
        with freeze_time(timezone.now() + timedelta(seconds=2)):
            self.assertEqual(302, self.client.post(FACTOR, {"recovery_code": codes[0]}).status_code)

    def test_the_codes_page_needs_the_second_factor_and_a_registry_user(self):
        self.login(self.alice)
        self.assertRedirects(self.client.get(CODES), f"{FACTOR}?next=%2Fregistry%2Fsecond-factor%2Frecovery-codes%2F",
                             fetch_redirect_response=False)
        for persona in (self.dave, self.bob, self.eve):
            self.login(persona)
            self.assertEqual(404, self.client.get(CODES).status_code)
            self.assertEqual(404, self.client.post(CODES).status_code)
        self.assertFalse(RecoveryCode.objects.exists())


class ResetTests(RegistryLoginMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.lost = TOTPDevice.objects.create(user=self.carol, name="registry", confirmed=True)
        RecoveryCode.objects.create(user=self.carol, code_hash="x" * 64)
        self.login(self.alice)
        self.own = TOTPDevice.objects.get(user=self.alice)

    def test_an_administrator_resets_a_lost_device_with_her_own_code(self):
        answer = self.client.post(RESET, {"username": self.carol.username, "reason": "phone lost; seen in person",
                                          "token": code(self.own)})
        self.assertContains(answer, "message--success")
        self.assertFalse(TOTPDevice.objects.filter(user=self.carol).exists())
        self.assertFalse(RecoveryCode.objects.filter(user=self.carol).exists())
        event = AuditEvent.objects.get(action="registry.second_factor_reset")
        self.assertEqual((self.alice.pk, str(self.carol.pk), "phone lost; seen in person"),
                         (event.actor_id, event.object_id, event.changes["reason"]))

    def test_without_her_own_code_or_a_reason_nothing_is_reset(self):
        wrong = f"{(int(code(self.own)) + 1) % 1_000_000:06d}"
        for data in ({"username": self.carol.username, "reason": "lost", "token": wrong},
                     {"username": self.carol.username, "reason": "", "token": code(self.own)},
                     {"username": "nobody", "reason": "lost", "token": code(self.own)},
                     {"username": self.alice.username, "reason": "mine", "token": code(self.own)}):
            self.assertEqual(400, self.client.post(RESET, data).status_code, data)
        self.assertTrue(TOTPDevice.objects.filter(pk=self.lost.pk).exists())
        self.assertTrue(TOTPDevice.objects.filter(pk=self.own.pk).exists())
        self.assertFalse(AuditEvent.objects.filter(action="registry.second_factor_reset").exists())

    def test_the_reset_page_needs_a_fresh_second_factor(self):
        session = self.client.session
        del session[SESSION_KEY]
        session.save()
        self.assertEqual(302, self.client.post(RESET, {"username": self.carol.username, "reason": "x",
                                                       "token": code(self.own)}).status_code)
        self.assertTrue(TOTPDevice.objects.filter(pk=self.lost.pk).exists())

    def test_others_get_404(self):
        for persona in (self.dave, self.bob, self.eve):
            self.login(persona)
            self.assertEqual(404, self.client.get(RESET).status_code)
            self.assertEqual(404, self.client.post(RESET, {"username": self.carol.username, "reason": "x",
                                                           "token": "123456"}).status_code)
        self.assertTrue(TOTPDevice.objects.filter(pk=self.lost.pk).exists())
