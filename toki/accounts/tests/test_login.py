from django.test import override_settings
from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.test import PERSONA_PASSWORD, BaseTestCase


@override_settings(TOKI_LOGIN_MAX_FAILURES=3, TOKI_LOGIN_LOCK_MINUTES=15)
class LoginTests(BaseTestCase):
    url = reverse("accounts:login")

    def post_login(self, username, password):
        return self.client.post(self.url, {"username": username, "password": password})

    def test_it_logs_in_with_the_right_password(self):
        response = self.post_login("bob", PERSONA_PASSWORD)
        self.assertRedirects(response, reverse("accounts:home"), fetch_redirect_response=False)
        self.assertTrue(AuditEvent.objects.filter(action="accounts.login", actor=self.bob).exists())

    def test_it_refuses_a_wrong_password(self):
        response = self.post_login("bob", "wrong")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_locks_the_account_after_repeated_failures(self):
        for _ in range(3):
            self.post_login("bob", "wrong")
        response = self.post_login("bob", PERSONA_PASSWORD)
        self.assertEqual(response.context["form"].errors.as_data()["__all__"][0].code, "locked")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(AuditEvent.objects.filter(action="accounts.login_locked", object_id=str(self.bob.pk)).exists())

    def test_it_locks_unknown_names_the_same_way(self):
        for _ in range(3):
            self.post_login("nobody", "wrong")
        known = self.client.post(self.url, {"username": "bob", "password": "wrong"})
        unknown = self.post_login("nobody", "wrong")
        self.assertNotEqual(known.content, unknown.content)  # bob is not locked yet
        for _ in range(2):
            self.post_login("bob", "wrong")
        self.assertEqual(
            self.post_login("bob", "wrong").context["form"].non_field_errors(),
            unknown.context["form"].non_field_errors(),
        )

    def test_it_resets_the_counter_after_a_success(self):
        self.post_login("bob", "wrong")
        self.post_login("bob", "wrong")
        self.post_login("bob", PERSONA_PASSWORD)
        self.client.logout()
        self.post_login("bob", "wrong")
        response = self.post_login("bob", PERSONA_PASSWORD)
        self.assertRedirects(response, reverse("accounts:home"), fetch_redirect_response=False)

    def test_it_logs_out_on_post_only(self):
        self.login(self.bob)
        self.assertEqual(self.client.get(reverse("accounts:logout")).status_code, 405)
        self.client.post(reverse("accounts:logout"))
        self.assertNotIn("_auth_user_id", self.client.session)


class PasswordChangeTests(BaseTestCase):
    url = reverse("accounts:password_change")

    def test_it_changes_the_password_and_keeps_the_session(self):
        self.login(self.bob)
        response = self.client.post(self.url, {
            "old_password": PERSONA_PASSWORD,
            "new_password1": "a-much-longer-passphrase-2026",
            "new_password2": "a-much-longer-passphrase-2026",
        })
        self.assertRedirects(response, reverse("accounts:home"), fetch_redirect_response=False)
        self.bob.refresh_from_db()
        self.assertTrue(self.bob.check_password("a-much-longer-passphrase-2026"))
        self.assertEqual(self.client.get(reverse("accounts:home")).status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(action="accounts.change_password").exists())

    def test_it_refuses_a_weak_password(self):
        self.login(self.bob)
        response = self.client.post(self.url, {
            "old_password": PERSONA_PASSWORD, "new_password1": "short", "new_password2": "short",
        })
        self.assertEqual(response.status_code, 200)
        self.bob.refresh_from_db()
        self.assertTrue(self.bob.check_password(PERSONA_PASSWORD))

    def test_it_sends_anonymous_visitors_to_login(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)


class StaffHomeTests(BaseTestCase):
    def test_it_shows_the_roles_of_the_user(self):
        self.login(self.bob)
        response = self.client.get(reverse("accounts:home"))
        self.assertContains(response, "両津支所")

    def test_it_tells_an_outsider_to_ask_for_a_role(self):
        self.login(self.eve)
        response = self.client.get(reverse("accounts:home"))
        self.assertContains(response, "防災課")

    def test_it_links_hq_staff_to_the_evacuation_orders(self):
        self.login(self.alice)
        self.assertContains(self.client.get(reverse("accounts:home")), reverse("alerts:orders"))

    def test_it_shows_no_order_link_to_an_outsider(self):
        self.login(self.eve)
        self.assertNotContains(self.client.get(reverse("accounts:home")), reverse("alerts:orders"))
