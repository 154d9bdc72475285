"""The staff login under attack (issue 13, finding 7): failures are throttled per account AND client with growing
delays, a known device still gets in, an HQ admin can lift a hold, and the account's owner is told."""

from datetime import timedelta
from unittest import mock

from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from toki.accounts.devices import COOKIE_NAME
from toki.accounts.models import AuditEvent
from toki.test import PERSONA_PASSWORD, BaseTestCase

ATTACKER = "198.51.100.66"
OWNER = "203.0.113.5"
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def later(seconds):
    return mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=seconds))


@override_settings(TOKI_LOGIN_MAX_FAILURES=5, TOKI_LOGIN_DELAY_SECONDS=30, TOKI_LOGIN_LOCK_MINUTES=15,
                   TOKI_LOGIN_ACCOUNT_MAX_FAILURES=50)
class LoginThrottleTests(BaseTestCase):
    url = reverse("accounts:login")

    def client_at(self, address, *, behind_nginx=True) -> Client:
        """A browser at `address`, reaching Django through the documented nginx (or directly)."""
        if behind_nginx:
            return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address, HTTP_X_REAL_IP=address)
        return Client(REMOTE_ADDR=address)

    def attempt(self, client, username, password):
        return client.post(self.url, {"username": username, "password": password})

    def logged_in(self, response) -> bool:
        return response.status_code == 302 and response.url == reverse("accounts:home")

    def test_it_lets_the_hq_admin_in_from_her_own_address_while_an_attacker_fails(self):
        attacker = self.client_at(ATTACKER)
        for _ in range(10):
            self.attempt(attacker, "alice", "guess")
        self.assertTrue(self.logged_in(self.attempt(self.client_at(OWNER), "alice", PERSONA_PASSWORD)))

    def test_it_holds_the_failing_client_with_growing_delays(self):
        attacker = self.client_at(ATTACKER)
        for _ in range(5):
            self.attempt(attacker, "bob", "guess")
        # Held: even the right password is not checked from this client for 30 seconds …
        self.assertEqual(self.attempt(attacker, "bob", PERSONA_PASSWORD).context["form"].errors.as_data()[
            "__all__"][0].code, "locked")
        with later(31):
            self.attempt(attacker, "bob", "guess")  # … then one more try, and the wait doubles (60 s)
        with later(62):
            self.assertFalse(self.logged_in(self.attempt(attacker, "bob", PERSONA_PASSWORD)))
        with later(92):
            self.assertTrue(self.logged_in(self.attempt(attacker, "bob", PERSONA_PASSWORD)))

    def test_it_does_not_let_a_direct_client_choose_its_address_with_a_header(self):
        for n in range(5):
            Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").post(
                self.url, {"username": "bob", "password": "guess"})
        held = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99")
        self.assertFalse(self.logged_in(self.attempt(held, "bob", PERSONA_PASSWORD)))

    @override_settings(TOKI_LOGIN_ACCOUNT_MAX_FAILURES=6)
    def test_it_lets_a_known_device_in_when_every_new_device_is_held(self):
        own = self.client_at(OWNER)
        self.assertTrue(self.logged_in(self.attempt(own, "alice", PERSONA_PASSWORD)))
        own.post(reverse("accounts:logout"))
        for n in range(6):  # many addresses: each stays under its own limit, the account-wide one is reached
            self.attempt(self.client_at(f"198.51.100.{n}"), "alice", "guess")
        self.assertFalse(self.logged_in(self.attempt(self.client_at("192.0.2.44"), "alice", PERSONA_PASSWORD)))
        self.assertTrue(self.logged_in(self.attempt(own, "alice", PERSONA_PASSWORD)))
        # The device cookie follows the device, not the address: the same laptop on another network.
        laptop = self.client_at("192.0.2.45")
        laptop.cookies[COOKIE_NAME] = own.cookies[COOKIE_NAME].value
        self.assertTrue(self.logged_in(self.attempt(laptop, "alice", PERSONA_PASSWORD)))

    @override_settings(TOKI_LOGIN_ACCOUNT_MAX_FAILURES=6)
    def test_it_refuses_a_made_up_device_cookie(self):
        for n in range(6):
            self.attempt(self.client_at(f"198.51.100.{n}"), "alice", "guess")
        forger = self.client_at("192.0.2.44")
        forger.cookies[COOKIE_NAME] = f"{self.alice.pk}:anything:0123456789abcdef"
        self.assertFalse(self.logged_in(self.attempt(forger, "alice", PERSONA_PASSWORD)))

    @override_settings(TOKI_LOGIN_ACCOUNT_MAX_FAILURES=6)
    def test_it_retires_the_device_cookies_when_the_password_changes(self):
        own = self.client_at(OWNER)
        self.attempt(own, "alice", PERSONA_PASSWORD)
        own.post(reverse("accounts:logout"))
        self.alice.set_password("another-long-passphrase-2026")
        self.alice.save()
        for n in range(6):
            self.attempt(self.client_at(f"198.51.100.{n}"), "alice", "guess")
        self.assertFalse(self.logged_in(self.attempt(own, "alice", "another-long-passphrase-2026")))

    def test_it_gives_a_device_cookie_only_to_the_account_that_logged_in(self):
        own = self.client_at(OWNER)
        self.attempt(own, "bob", PERSONA_PASSWORD)
        own.post(reverse("accounts:logout"))
        cookie = own.cookies[COOKIE_NAME]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["path"], "/accounts/")
        # bob's device is not a known device for alice: failures from it count against its address.
        for _ in range(5):
            self.attempt(own, "alice", "guess")
        self.assertFalse(self.logged_in(self.attempt(own, "alice", PERSONA_PASSWORD)))


@override_settings(TOKI_LOGIN_MAX_FAILURES=3, TOKI_LOGIN_DELAY_SECONDS=60, TOKI_LOGIN_LOCK_MINUTES=15)
class HeldLoginAdminTests(BaseTestCase):
    def hold_bob(self):
        attacker = Client(REMOTE_ADDR=ATTACKER)
        for _ in range(3):
            attacker.post(reverse("accounts:login"), {"username": "bob", "password": "guess"})
        return attacker

    def test_it_shows_the_hq_admin_who_is_held_and_lifts_the_hold(self):
        attacker = self.hold_bob()
        self.login(self.alice)
        page = self.client.get(reverse("accounts:held_logins"))
        self.assertContains(page, "bob")
        unlock = reverse("accounts:unlock_login", args=[self.bob.pk])
        self.assertContains(page, f'action="{unlock}"')
        self.assertRedirects(self.client.post(unlock), reverse("accounts:held_logins"))
        event = AuditEvent.objects.get(action="accounts.login_unlocked")
        self.assertEqual((event.actor, event.object_id), (self.alice, str(self.bob.pk)))
        self.assertNotContains(self.client.get(reverse("accounts:held_logins")), ">bob")
        response = attacker.post(reverse("accounts:login"), {"username": "bob", "password": PERSONA_PASSWORD})
        self.assertRedirects(response, reverse("accounts:home"), fetch_redirect_response=False)

    def test_it_links_the_page_from_the_admins_home_only(self):
        self.login(self.alice)
        self.assertContains(self.client.get(reverse("accounts:home")), reverse("accounts:held_logins"))
        self.login(self.bob)
        self.assertNotContains(self.client.get(reverse("accounts:home")), reverse("accounts:held_logins"))

    def test_it_refuses_everyone_else(self):
        self.hold_bob()
        unlock = reverse("accounts:unlock_login", args=[self.bob.pk])
        for persona in (self.bob, self.carol, self.dave, self.eve):
            self.login(persona)
            self.assertEqual(self.client.get(reverse("accounts:held_logins")).status_code, 404)
            self.assertEqual(self.client.post(unlock).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.post(unlock).status_code, 302)  # to the login page
        self.assertFalse(AuditEvent.objects.filter(action="accounts.login_unlocked").exists())

    def test_it_lists_no_unknown_username(self):
        attacker = Client(REMOTE_ADDR=ATTACKER)
        for _ in range(3):
            attacker.post(reverse("accounts:login"), {"username": "nobody-here", "password": "guess"})
        self.login(self.alice)
        self.assertNotContains(self.client.get(reverse("accounts:held_logins")), "nobody-here")


@override_settings(TOKI_LOGIN_MAX_FAILURES=3, TOKI_LOGIN_DELAY_SECONDS=60, EMAIL_HOST="smtp.example.jp",
                   TASKS=IMMEDIATE_TASKS)
class OwnerToldTests(BaseTestCase):
    def fail(self, times, address=ATTACKER):
        attacker = Client(REMOTE_ADDR=address)
        for _ in range(times):
            with self.captureOnCommitCallbacks(execute=True):
                attacker.post(reverse("accounts:login"), {"username": "bob", "password": "guess"})

    def test_it_emails_the_owner_once_when_a_hold_starts(self):
        self.bob.email = "bob@city.example.jp"
        self.bob.save()
        self.fail(2)
        self.assertEqual(mail.outbox, [])
        self.fail(4)
        self.fail(3, address="198.51.100.67")  # a second hold within the hour: no second e-mail
        self.assertEqual([m.to for m in mail.outbox], [["bob@city.example.jp"]])
        self.assertIn("bob", mail.outbox[0].body)

    def test_it_sends_nothing_to_an_account_without_an_address(self):
        self.fail(3)
        self.assertEqual(mail.outbox, [])

    def test_it_tells_the_owner_at_their_next_login(self):
        self.fail(2)
        self.client.cookies["toki_language"] = "en"
        response = self.client.post(reverse("accounts:login"), {"username": "bob", "password": PERSONA_PASSWORD},
                                    follow=True)
        self.assertContains(response, "2 attempts to log in to your account failed")
        self.client.post(reverse("accounts:logout"))
        again = self.client.post(reverse("accounts:login"), {"username": "bob", "password": PERSONA_PASSWORD},
                                 follow=True)
        self.assertNotContains(again, "attempts to log in to your account failed")
