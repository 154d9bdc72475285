"""The profile's terms (place names of its JMA areas, its JMA offices, its ferry operator, its website) are
checked on load: every term in all five languages, keyed by a code system the alert facts use."""

from django.db import transaction
from django.test import TestCase

from toki.alerts.rendering import LANGUAGES
from toki.alerts.rendering.common import SYSTEMS
from toki.areas.actions import ProfileError, load_profile
from toki.areas.models import Municipality
from toki.areas.profile import PLACE_SYSTEMS, TERM_LANGUAGES
from toki.areas.terms import profile_terms
from toki.areas.tests.profile_files import WAJIMA, ProfileFiles

SADO_CITY = {"ja": "佐渡市", "ja-easy": "佐渡市（さどし）", "en": "Sado City", "zh-hans": "佐渡市", "ko": "사도시"}


class ProfileTermsValidationTests(ProfileFiles, TestCase):
    def assertRejected(self, change, message):
        path = self.sado_with(change)
        with self.assertRaises(ProfileError) as caught:
            load_profile(path)
        self.assertIn(f"{path}: {message}", str(caught.exception))
        self.assertFalse(Municipality.objects.exists())

    def test_it_rejects_a_place_term_missing_a_language(self):
        def change(data):
            del data["terms"]["places"]["city:1522400"]["ko"]
        self.assertRejected(change, "terms.places.city:1522400.ko: required text")

    def test_it_rejects_a_place_term_in_an_unknown_language(self):
        self.assertRejected(lambda d: d["terms"]["places"]["city:1522400"].update(fr="Ville de Sado"),
                            "terms.places.city:1522400.fr: unknown language")

    def test_it_rejects_a_place_key_without_a_known_code_system(self):
        self.assertRejected(lambda d: d["terms"]["places"].update({"1522400": SADO_CITY}),
                            "terms.places.1522400: expected \"<system>:<code>\"")
        self.assertRejected(lambda d: d["terms"]["places"].update({"town:1522400": SADO_CITY}),
                            "terms.places.town:1522400: expected \"<system>:<code>\"")

    def test_it_rejects_an_office_term_that_is_not_an_object(self):
        self.assertRejected(lambda d: d["terms"]["offices"].update({"新潟地方気象台": "Niigata"}),
                            "terms.offices.新潟地方気象台: expected an object")

    def test_it_rejects_an_unknown_terms_group(self):
        self.assertRejected(lambda d: d["terms"].update(rivers={}), "terms.rivers: unknown key")

    def test_it_rejects_a_website_that_is_not_https(self):
        self.assertRejected(lambda d: d.update(website="http://www.city.sado.niigata.jp/"),
                            "website: expected an https:// address")
        self.assertRejected(lambda d: d.update(website="javascript:alert(1)"), "website: expected an https://")

    def test_it_rejects_a_ferry_operator_missing_a_language(self):
        self.assertRejected(lambda d: d.update(ferry_operator={"ja": "佐渡汽船"}), "ferry_operator.ja-easy: required")

    def test_its_languages_and_code_systems_are_the_renderers(self):
        self.assertEqual(TERM_LANGUAGES, LANGUAGES)
        self.assertEqual(PLACE_SYSTEMS, set(SYSTEMS.values()))


class ProfileTermsRollbackTests(TestCase):
    def test_a_profile_load_that_rolls_back_leaves_no_names_behind(self):
        with self.assertRaises(RuntimeError), transaction.atomic():
            load_profile(WAJIMA)
            self.assertEqual(profile_terms().places["city:1720400"]["en"], "Wajima City")
            raise RuntimeError("the load is rolled back")
        self.assertNotIn("city:1720400", profile_terms().places)
