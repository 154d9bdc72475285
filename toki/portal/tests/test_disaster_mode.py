from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import include, path, reverse

from toki import urls as project_urls
from toki.accounts.models import AuditEvent
from toki.portal.actions import set_disaster_mode
from toki.portal.models import SiteMode
from toki.portal.site_mode import disaster_mode
from toki.test import BaseTestCase

# Until toki/urls.py mounts the staff pages (and settings.MIDDLEWARE lists the counter), the tests add them here.
urlpatterns = list(project_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "portal_staff" for p in urlpatterns):
    urlpatterns.append(path("portal/", include("toki.portal.urls_staff")))
COUNTER = "toki.portal.middleware.PageViewMiddleware"
MIDDLEWARE = list(settings.MIDDLEWARE) + ([COUNTER] if COUNTER not in settings.MIDDLEWARE else [])
with_portal_staff = override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=MIDDLEWARE)


class DisasterModeActionTests(BaseTestCase):
    def test_it_switches_disaster_mode_on_with_the_message(self):
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True,
                          message="避難所へ避難してください", message_en="Go to a shelter")
        mode = disaster_mode(self.municipality)
        self.assertEqual((mode.message, mode.message_en, mode.changed_by), ("避難所へ避難してください",
                                                                            "Go to a shelter", self.alice))

    def test_it_records_an_audit_event(self):
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True, message="注意")
        event = AuditEvent.objects.get(action="portal.disaster_mode_on")
        self.assertEqual(event.changes["disaster_mode"], [False, True])

    def test_it_switches_it_off_again(self):
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True, message="注意")
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=False, message="")
        self.assertIsNone(disaster_mode(self.municipality))
        self.assertTrue(AuditEvent.objects.filter(action="portal.disaster_mode_off").exists())
        self.assertEqual(SiteMode.objects.count(), 1)

    def test_it_returns_none_before_anyone_switched(self):
        self.assertIsNone(disaster_mode(self.municipality))
        self.assertIsNone(disaster_mode(None))

    def test_it_refuses_anyone_but_hq_editors(self):
        for user in (self.bob, self.carol, self.dave, self.eve):
            with self.assertRaises(PermissionDenied):
                set_disaster_mode(acting_user=user, municipality=self.municipality, on=True, message="注意")
        self.assertFalse(SiteMode.objects.exists())

    def test_it_needs_a_message_to_switch_on(self):
        with self.assertRaises(ValidationError):
            set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True, message="  ")

    def test_it_shows_the_english_message_to_readers_of_other_languages(self):
        mode = set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True,
                                 message="避難してください", message_en="Evacuate")
        self.assertEqual((mode.message_for("ja"), mode.message_for("ja-easy"), mode.message_for("ko")),
                         ("避難してください", "避難してください", "Evacuate"))


@with_portal_staff
class DisasterModePageTests(BaseTestCase):
    def test_it_switches_the_mode_from_the_staff_page(self):
        self.login(self.alice)
        response = self.client.post(reverse("portal_staff:mode"), {"mode": "disaster", "message": "高台へ"})
        self.assertRedirects(response, reverse("portal_staff:mode"))
        self.assertEqual(disaster_mode(self.municipality).message, "高台へ")

    def test_it_shows_the_current_mode(self):
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True, message="高台へ")
        self.login(self.alice)
        self.assertContains(self.client.get(reverse("portal_staff:mode")), "高台へ")

    def test_it_explains_a_missing_message(self):
        self.login(self.alice)
        response = self.client.post(reverse("portal_staff:mode"), {"mode": "disaster", "message": ""})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="errorlist"')
        self.assertIsNone(disaster_mode(self.municipality))

    def test_it_refuses_outsiders(self):
        for user in (self.bob, self.carol, self.dave, self.eve):
            self.login(user)
            self.assertEqual(self.client.get(reverse("portal_staff:mode")).status_code, 404)
            self.assertEqual(self.client.post(reverse("portal_staff:mode"),
                                              {"mode": "disaster", "message": "x"}).status_code, 404)
        self.assertFalse(SiteMode.objects.exists())

    def test_it_sends_the_anonymous_public_to_the_login_page(self):
        response = self.client.get(reverse("portal_staff:mode"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])
