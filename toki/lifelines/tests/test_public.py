from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext
from ninja.testing import TestClient

from toki.lifelines.api import router
from toki.lifelines.models import Lifeline, Status
from toki.lifelines.selectors import lifelines_for_public, recent_changes
from toki.lifelines.tests.helpers import LifelinesMixin
from toki.test import BaseTestCase


class PublicPageTests(LifelinesMixin, BaseTestCase):
    url = reverse("lifelines:index")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()

    def test_it_groups_lifelines_by_kind_in_the_page_order(self):
        response = self.client.get(self.url)
        self.assertEqual([g.kind for g in response.context["groups"]], ["ferry", "road", "power"])

    def test_it_shows_status_as_text_and_symbol_with_source_and_time(self):
        self.report(self.ferry, "suspended", detail="欠航（高波のため）", source_url="https://www.sadokisen.co.jp/")
        response = self.client.get(self.url)
        self.assertContains(response, f'<span aria-hidden="true">×</span> {Status.SUSPENDED.label}</span>')
        self.assertContains(response, "欠航（高波のため）")
        self.assertContains(response, '<a href="https://www.sadokisen.co.jp/" rel="noopener">佐渡汽船</a>', html=True)
        self.assertContains(response, "<time datetime=")

    def test_it_leads_with_the_disrupted_lifelines(self):
        self.report(self.power, "partly_disrupted", source="東北電力ネットワーク", detail="一部地域で停電")
        response = self.client.get(self.url)
        self.assertEqual(response.context["disrupted"], [Lifeline.objects.get(pk=self.power.pk)])
        self.assertContains(response, 'class="notice notice--warning"')

    def test_it_puts_the_newest_change_first_within_a_kind(self):
        other = Lifeline.objects.create(municipality=self.municipality, code="jetfoil", kind="ferry",
                                        name="ジェットフォイル")
        self.report(self.ferry, "normal", minutes_ago=30)
        self.report(other, "suspended", minutes_ago=5)
        ferries = self.client.get(self.url).context["groups"][0].lifelines
        self.assertEqual([ll.code for ll in ferries], ["jetfoil", "ryotsu-ferry"])

    def test_it_marks_a_lifeline_with_no_scheduled_service(self):
        Lifeline.objects.filter(pk=self.road.pk).update(kind="flight", name="佐渡空港", scheduled_service=False)
        self.assertContains(self.client.get(self.url), f'<span class="tag">{gettext("No scheduled service")}</span>')

    def test_it_is_served_in_english_too(self):
        self.report(self.ferry, "suspended")
        response = self.client.get(self.url, HTTP_ACCEPT_LANGUAGE="en", headers={"Cookie": "toki_language=en"})
        self.assertContains(response, "Suspended")

    def test_it_pins_the_queries(self):
        self.report(self.ferry, "suspended")
        with self.assertNumQueries(4):  # municipality, lifelines, the base template's municipality
            self.client.get(self.url)


class PublicSelectorTests(LifelinesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()

    def test_it_lists_the_municipalitys_lifelines(self):
        self.assertEqual(lifelines_for_public(self.municipality).count(), 3)
        self.assertFalse(lifelines_for_public(None).exists())

    def test_it_lists_recent_changes_newest_first_leaving_out_first_normal_reports(self):
        self.report(self.ferry, "normal", minutes_ago=60)
        self.report(self.road, "normal", minutes_ago=60)
        suspended = self.report(self.ferry, "suspended", minutes_ago=30)
        self.report(self.ferry, "suspended", minutes_ago=20)  # a repeat, not a change
        restored = self.report(self.ferry, "normal", minutes_ago=10)
        power_cut = self.report(self.power, "partly_disrupted", source="東北電力ネットワーク", minutes_ago=5)
        with self.assertNumQueries(1):
            changes = recent_changes(self.municipality, limit=10)
            self.assertEqual([r.lifeline.name for r in changes], [self.power.name, self.ferry.name, self.ferry.name])
        self.assertEqual(changes, [power_cut, restored, suspended])
        self.assertEqual(len(recent_changes(self.municipality, limit=1)), 1)


class ApiTests(LifelinesMixin, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()

    def setUp(self):
        super().setUp()
        self.api = TestClient(router)

    def test_it_returns_the_public_list(self):
        self.report(self.ferry, "suspended", detail="欠航", source_url="https://www.sadokisen.co.jp/")
        data = self.api.get("").json()
        self.assertEqual(len(data), 3)
        ferry = next(item for item in data if item["code"] == "ryotsu-ferry")
        self.assertEqual((ferry["status"], ferry["detail"], ferry["source"], ferry["district"], ferry["kind"]),
                         ("suspended", "欠航", "佐渡汽船", "ryotsu", "ferry"))
        self.assertTrue(ferry["scheduled_service"])
        self.assertIsNotNone(ferry["status_as_of"])
        self.assertNotIn("org_unit", ferry)

    def test_it_pins_the_queries(self):
        with self.assertNumQueries(2):
            self.api.get("")


class ReadingsTests(LifelinesMixin, BaseTestCase):
    """Issue 14 item 4: tourists read lifeline names and details in Latin letters; the city's own name wins."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_lifelines()

    def page(self, language: str) -> str:
        from django.conf import settings

        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return self.client.get(reverse("lifelines:index")).content.decode()

    def test_names_and_details_get_a_latin_reading_on_other_languages(self):
        self.report(self.ferry, "suspended", detail="欠航")
        for language in ("en", "zh-hans", "ko"):
            html = self.page(language)
            self.assertIn('<span class="local-name">Sado kisen', html, language)
            self.assertIn('<span class="local-name">Kekkou</span>', html, language)
        self.assertNotIn("local-name", self.page("ja"))

    def test_the_citys_own_name_wins(self):
        from toki.lifelines.actions import save_lifeline

        save_lifeline(acting_user=self.alice, municipality=self.municipality, lifeline=self.ferry,
                      translations={"en": {"name": "Sado Steam Ship (car ferry)"}})
        self.assertIn('<span class="local-name">Sado Steam Ship (car ferry)</span>', self.page("en"))
        with self.assertRaises(ValidationError):
            save_lifeline(acting_user=self.alice, municipality=self.municipality, lifeline=self.ferry,
                          translations={"fr": {"name": "Traversier"}})
