from django.conf import settings
from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.lifelines.models import Lifeline, StatusReport
from toki.lifelines.tests.helpers import LifelinesMixin
from toki.test import BaseTestCase


class ManagePageTests(LifelinesMixin, BaseTestCase):
    url = reverse("lifelines:manage")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()

    def test_it_lists_every_lifeline_for_hq(self):
        self.login(self.alice)
        response = self.client.get(self.url)
        for lifeline in (self.ferry, self.power, self.road):
            self.assertContains(response, lifeline.name)
        self.assertContains(response, reverse("lifelines:create"))

    def test_it_lists_only_their_own_lifelines_for_a_partner(self):
        self.login(self.pat)
        response = self.client.get(self.url)
        self.assertContains(response, self.ferry.name)
        self.assertNotContains(response, self.power.name)
        self.assertNotContains(response, self.road.name)
        self.assertNotContains(response, reverse("lifelines:create"))

    def test_it_refuses_outsiders_and_other_staff(self):
        for user in (self.eve, self.carol, self.bob, self.dave, self.vic):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url).status_code, 404)
                self.assertEqual(self.client.get(reverse("lifelines:update_status", args=[self.ferry.pk]))
                                 .status_code, 404)

    def test_it_sends_anonymous_visitors_to_the_login_page(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_it_pins_the_queries_of_the_list(self):
        self.login(self.alice)
        self.client.get(self.url)  # warm the session and the content types
        with self.assertNumQueries(7):  # session, user, municipality, memberships, lifelines, base template
            self.client.get(self.url)


class UpdateStatusPageTests(LifelinesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()

    def url(self, lifeline):
        return reverse("lifelines:update_status", args=[lifeline.pk])

    def post(self, lifeline, **overrides):
        data = {"status": "suspended", "detail": "欠航（高波のため）", "source": "佐渡汽船",
                "source_url": "https://www.sadokisen.co.jp/", "as_of": "2026-01-10T08:30",
                "expected_restoration_at": "", **overrides}
        return self.client.post(self.url(lifeline), data)

    def test_it_saves_a_status_entered_by_a_partner(self):
        self.login(self.pat)
        response = self.post(self.ferry)
        self.assertRedirects(response, reverse("lifelines:manage"))
        self.ferry.refresh_from_db()
        self.assertEqual((self.ferry.status, self.ferry.source), ("suspended", "佐渡汽船"))
        self.assertEqual(self.ferry.status_as_of.isoformat(), "2026-01-09T23:30:00+00:00")  # entered in JST
        self.assertTrue(AuditEvent.objects.filter(action="lifelines.report_status", actor=self.pat).exists())

    def test_it_refuses_a_partner_another_partners_lifeline_with_404(self):
        self.login(self.pat)
        self.assertEqual(self.post(self.power).status_code, 404)
        self.assertEqual(self.post(self.road).status_code, 404)
        self.assertFalse(StatusReport.objects.exists())

    def test_it_refuses_outsiders_posting_with_404(self):
        for user in (self.eve, self.carol):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.post(self.ferry).status_code, 404)
        self.assertFalse(StatusReport.objects.exists())

    def test_it_shows_clear_errors_and_saves_nothing(self):
        # The messages are asserted in English (their message ids); pages default to Japanese.
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
        self.login(self.alice)
        response = self.post(self.ferry, status="", source="", source_url="ftp://x", as_of="2099-01-01T00:00")
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(set(form.errors), {"status", "source", "source_url"})
        response = self.post(self.ferry, as_of="2099-01-01T00:00")
        self.assertContains(response, "The time cannot be in the future.")
        self.assertFalse(StatusReport.objects.exists())

    def test_it_shows_the_history_with_who_entered_it(self):
        self.report(self.ferry, "suspended", user=self.pat, detail="欠航")
        self.login(self.alice)
        response = self.client.get(self.url(self.ferry))
        self.assertContains(response, "欠航")
        self.assertContains(response, str(self.pat))
        self.assertContains(response, 'name="as_of"')


class LifelineFormPageTests(LifelinesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()

    def test_it_lets_hq_add_a_lifeline(self):
        self.login(self.alice)
        response = self.client.post(reverse("lifelines:create"), {
            "kind": "flight", "name": "佐渡空港", "code": "sado-airport", "district": self.districts["ryotsu"].pk,
            "org_unit": "", "sort_order": "0",
        })
        lifeline = Lifeline.objects.get(code="sado-airport")
        self.assertRedirects(response, reverse("lifelines:update_status", args=[lifeline.pk]))
        self.assertFalse(lifeline.scheduled_service)

    def test_it_lets_hq_change_a_lifeline(self):
        self.login(self.alice)
        self.client.post(reverse("lifelines:edit", args=[self.road.pk]), {
            "kind": "road", "name": "国道350号（両津–小木）", "code": "route-350", "org_unit": self.power_co.pk,
            "scheduled_service": "on", "sort_order": "1",
        })
        self.road.refresh_from_db()
        self.assertEqual((self.road.name, self.road.org_unit), ("国道350号（両津–小木）", self.power_co))

    def test_it_refuses_a_code_already_taken(self):
        # The messages are asserted in English (their message ids); pages default to Japanese.
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
        self.login(self.alice)
        response = self.client.post(reverse("lifelines:create"), {"kind": "road", "name": "x", "code": "power",
                                                                  "sort_order": "0"})
        self.assertContains(response, "Another lifeline has this code.")

    def test_it_refuses_partners_and_outsiders_with_404(self):
        for user in (self.pat, self.eve, self.carol):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(reverse("lifelines:create")).status_code, 404)
                self.assertEqual(self.client.get(reverse("lifelines:edit", args=[self.ferry.pk])).status_code, 404)
